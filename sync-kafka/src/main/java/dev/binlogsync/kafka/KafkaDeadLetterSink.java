package dev.binlogsync.kafka;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.kafka.internal.Arguments;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes dead letters to a Kafka topic: the <b>original record bytes</b> (key and value of the
 * letter's {@link dev.binlogsync.core.SourceRecord}, also for documents the index rejected) with
 * headers saying why and where from. The stage of {@link #send} completes only when the broker has
 * acknowledged the write ({@code acks=all}, idempotent producer, one request in flight per
 * connection unless {@code max.in.flight.requests.per.connection} is given), so the pipeline
 * commits the source offset only after the dead letter is durable.
 *
 * <p><b>Never blocks the caller.</b> {@link #send} queues the letter (at most
 * {@link Builder#maxQueuedLetters}) for a daemon thread the sink owns, named
 * {@code binlog-sync-dead-letters-<topic>}, which hands letters to the producer in order. The
 * producer blocks that thread, not the pipeline's, for up to {@code max.block.ms} (default 60 s)
 * when the topic is missing or the cluster unreachable; the pipeline thread keeps polling, so the
 * consumer stays in its group, and no offset past the letter is committed meanwhile.
 *
 * <p>Headers (UTF-8 strings):
 * <table>
 * <caption>Dead-letter headers</caption>
 * <tr><td>{@value #HEADER_REASON}</td><td>the readable reason, cleaned of credentials, escaped and cut at
 *     2048 characters ({@link Secrets#redact(CharSequence, int)})</td></tr>
 * <tr><td>{@value #HEADER_KIND}</td><td>{@code UNDECODABLE}, {@code UNMAPPABLE} or {@code REJECTED}</td></tr>
 * <tr><td>{@value #HEADER_TOPIC}, {@value #HEADER_PARTITION}, {@value #HEADER_OFFSET}</td><td>the source
 *     record's topic, partition and offset (topic and partition only when the position's partition is a
 *     {@code topic-partition} name)</td></tr>
 * <tr><td>{@value #HEADER_SOURCE_PARTITION}</td><td>the position's partition name as is</td></tr>
 * <tr><td>{@value #HEADER_POSITIONS}</td><td>every position the failed work covered, comma separated</td></tr>
 * <tr><td>{@value #HEADER_TIME}</td><td>when the pipeline gave up, epoch ms</td></tr>
 * <tr><td>{@value #HEADER_INDEX}, {@value #HEADER_ID}</td><td>the rejected document's index and id (rejections only)</td></tr>
 * <tr><td>{@value #HEADER_ERROR_TYPE}, {@value #HEADER_STATUS}</td><td>the server's error type and item status (rejections only)</td></tr>
 * <tr><td>{@value #HEADER_TRUNCATED}, {@value #HEADER_ORIGINAL_VALUE_SIZE},
 *     {@value #HEADER_ORIGINAL_KEY_SIZE}</td><td>{@code true} and the original value's size in bytes on a
 *     letter cut to fit (below); the original key's size when the key was left out too</td></tr>
 * </table>
 *
 * <p><b>Letters too large for the producer.</b> A letter Kafka refuses as too large
 * ({@code RecordTooLargeException}: more than the producer's {@code max.request.size}, default
 * 1 MiB, or the broker's limit) is written again with its headers and the first bytes of its value,
 * as many as fit next to the key and the headers, marked with {@value #HEADER_TRUNCATED}; if that
 * is refused too, or the key alone does not fit, with the headers only (no key, no value). A WARN
 * names the position. The original record stays in the source topic, at the offset the headers
 * give.
 *
 * <p>A failed write completes the stage exceptionally, with a message naming the source position,
 * the topic and the bootstrap servers: with a {@link RetriableSyncException} when Kafka calls the
 * error retriable (a topic missing or a cluster unreachable for {@code max.block.ms}; the
 * pipeline retries with backoff) or the queue is full, with a {@link SyncException} otherwise.
 * Thread-safe. {@link #close()} stops the sender thread and flushes and closes the producer it
 * created.
 */
public final class KafkaDeadLetterSink implements DeadLetterSink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterSink.class);

    public static final String HEADER_REASON = "binlogsync.reason";
    public static final String HEADER_KIND = "binlogsync.kind";
    public static final String HEADER_TOPIC = "binlogsync.source.topic";
    public static final String HEADER_PARTITION = "binlogsync.source.partition";
    public static final String HEADER_OFFSET = "binlogsync.source.offset";
    public static final String HEADER_SOURCE_PARTITION = "binlogsync.source.position.partition";
    public static final String HEADER_POSITIONS = "binlogsync.source.positions";
    public static final String HEADER_TIME = "binlogsync.time";
    public static final String HEADER_INDEX = "binlogsync.document.index";
    public static final String HEADER_ID = "binlogsync.document.id";
    public static final String HEADER_ERROR_TYPE = "binlogsync.error.type";
    public static final String HEADER_STATUS = "binlogsync.error.status";
    public static final String HEADER_TRUNCATED = "binlogsync.truncated";
    public static final String HEADER_ORIGINAL_VALUE_SIZE = "binlogsync.original.value.size";
    public static final String HEADER_ORIGINAL_KEY_SIZE = "binlogsync.original.key.size";

    /** Default {@link Builder#maxQueuedLetters}. */
    public static final int DEFAULT_MAX_QUEUED_LETTERS = 1000;

    private static final int MAX_REASON_BYTES = 8 * 1024;
    /** Room left for the record batch and record framing when a value is cut to fit (generous: about 100 bytes are used). */
    private static final int RECORD_OVERHEAD_BYTES = 512;
    /** Levels of {@link Pending#level}: the letter as is, its value cut to fit, no key and no value. */
    private static final int WHOLE = 0;
    private static final int VALUE_TRUNCATED = 1;
    private static final int HEADERS_ONLY = 2;

    private final String topic;
    private final String servers;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Duration closeTimeout;
    private final int maxQueued;
    /** The producer's limit on one record: {@code max.request.size}, or {@code buffer.memory} if smaller. */
    private final long maxRecordBytes;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Letters waiting for the sender thread; unbounded itself, bounded by {@link #queued} in {@link #send}. */
    private final LinkedBlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread sender;

    private KafkaDeadLetterSink(Builder b) {
        this.topic = b.topic;
        Map<String, Object> config = b.effectiveConfig();
        for (String warning : KafkaSecurity.warnings(config, "KafkaDeadLetterSink")) {
            LOG.warn("{}", warning);
        }
        this.servers = Secrets.redact(String.valueOf(config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)), 256);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.closeTimeout = b.closeTimeout;
        this.maxQueued = b.maxQueuedLetters;
        // both were validated by the producer's constructor above
        this.maxRecordBytes = Math.min(
                Long.parseLong(String.valueOf(config.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576)).trim()),
                Long.parseLong(String.valueOf(config.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, 33_554_432L)).trim()));
        this.description = "KafkaDeadLetterSink{topic=" + topic + ", config=" + KafkaSecurity.masked(config) + "}";
        this.sender = new Thread(this::sendQueued, "binlog-sync-dead-letters-" + topic);
        sender.setDaemon(true);
        sender.start();
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A letter on its way: what to write, and the stage to complete. */
    private static final class Pending {
        final DeadLetter letter;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** {@link #WHOLE}, or how much was cut after Kafka refused the letter as too large; sender thread only. */
        volatile int level = WHOLE;

        Pending(DeadLetter letter) {
            this.letter = letter;
        }

        SourcePosition where() {
            return letter.record().position();
        }
    }

    /**
     * Queues {@code letter} for the sink's sender thread and returns at once: the producer may
     * block up to {@code max.block.ms} for the topic's metadata (a missing topic, an unreachable
     * cluster), and that must not be the caller's (the pipeline thread's) time. The stage
     * completes when the broker acknowledged the letter, or exceptionally: with a
     * {@link RetriableSyncException} when the queue already holds {@link Builder#maxQueuedLetters}
     * letters or Kafka calls the error retriable (a missing topic and an unreachable cluster are,
     * after {@code max.block.ms}), with a {@link SyncException} otherwise, or when the sink is
     * closed. Thread-safe.
     */
    @Override
    public CompletionStage<Void> send(DeadLetter letter) {
        Objects.requireNonNull(letter, "letter");
        Pending p = new Pending(letter);
        if (closed.get()) {
            p.done.completeExceptionally(new IllegalStateException("the dead-letter sink is closed: " + this));
            return p.done;
        }
        if (!sender.isAlive()) {
            p.done.completeExceptionally(new SyncException("the dead-letter sink's sender thread ended (a JVM error); "
                    + "the letter for " + p.where() + " cannot be written: " + this));
            return p.done;
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            p.done.completeExceptionally(new RetriableSyncException("the dead letter for " + p.where() + " is not queued "
                    + "for topic " + topic + ": " + maxQueued + " letters already wait for the producer"));
            return p.done;
        }
        queue.add(p);
        if (closed.get() && queue.remove(p)) {
            // close() emptied the queue before this letter arrived in it
            p.done.completeExceptionally(new IllegalStateException("the dead-letter sink is closed: " + this));
        }
        return p.done;
    }

    /** The sender thread: hands queued letters to the producer, one at a time, in order. */
    private void sendQueued() {
        while (!closed.get()) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return; // close()
            }
            if (p.level == WHOLE) { // a letter cut to fit and queued again was counted once
                queued.decrementAndGet();
            }
            write(p);
        }
    }

    private void write(Pending p) {
        try {
            producer.send(record(p), (metadata, error) -> written(p, error));
        } catch (RuntimeException e) {
            written(p, e);
        } catch (Error e) {
            // the thread must outlive one letter: a letter whose stage never completes would hold
            // its records (and every later commit of their partitions) for good
            p.done.completeExceptionally(e);
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw e;
            }
        }
    }

    /**
     * The record for {@code p} at its level: the original key and value; or the value cut to
     * what fits in the producer's limit next to the key and the headers; or neither key nor value.
     * Cut records carry {@value #HEADER_TRUNCATED} and the original sizes.
     */
    private ProducerRecord<byte[], byte[]> record(Pending p) {
        SourceRecord source = p.letter.record();
        byte[] key = source.key();
        byte[] value = source.value();
        List<Header> h = headers(p.letter);
        if (p.level == WHOLE) {
            return new ProducerRecord<>(topic, null, null, key, value, h);
        }
        h.add(header(HEADER_TRUNCATED, "true"));
        h.add(header(HEADER_ORIGINAL_VALUE_SIZE, Integer.toString(value == null ? 0 : value.length)));
        long headerBytes = 0;
        for (Header header : h) {
            headerBytes += header.key().length() * 3L + header.value().length + 10;
        }
        long room = maxRecordBytes - RECORD_OVERHEAD_BYTES - headerBytes - (key == null ? 0 : key.length);
        byte[] kept = null;
        if (p.level == VALUE_TRUNCATED && room > 0) {
            kept = value == null ? null : Arrays.copyOf(value, (int) Math.min(value.length, room));
        } else {
            p.level = HEADERS_ONLY;
            if (key != null) {
                h.add(header(HEADER_ORIGINAL_KEY_SIZE, Integer.toString(key.length)));
            }
            key = null;
        }
        LOG.warn("The dead letter for {} is larger than the producer's limit ({} bytes): writing {} of its {} value bytes "
                + "{}(header {})", p.where(), maxRecordBytes, kept == null ? 0 : kept.length,
                value == null ? 0 : value.length, key == null && source.key() != null ? "and not its key " : "",
                HEADER_TRUNCATED);
        return new ProducerRecord<>(topic, null, null, key, kept, h);
    }

    /** Completes the letter's stage; on the producer's I/O thread, or the sender thread. */
    private void written(Pending p, @Nullable Exception error) {
        if (error == null) {
            p.done.complete(null);
            return;
        }
        if (error instanceof RecordTooLargeException && p.level < HEADERS_ONLY && !closed.get()) {
            // larger than max.request.size (or the broker's limit): cut it, and let the sender thread
            // write it next; never send from here, the producer's I/O thread
            p.level++;
            queue.addFirst(p);
            if (closed.get() && queue.remove(p)) {
                p.done.completeExceptionally(new SyncException("the dead letter for " + p.where() + " was not written "
                        + "to topic " + topic + ": the sink was closed first"));
            }
            return;
        }
        String what = "writing the dead letter for " + p.where() + " to topic " + topic + " at " + servers + " failed: "
                + Secrets.describe(error);
        p.done.completeExceptionally(error instanceof RetriableException
                ? new RetriableSyncException(what, error) : new SyncException(what, error));
    }

    static List<Header> headers(DeadLetter letter) {
        List<Header> h = new ArrayList<>(12);
        // the reason may quote a component's exception (a letter may come from any code): cleaned of
        // credentials, escaped and capped (2048 chars, at most 3 bytes each, stay under MAX_REASON_BYTES)
        byte[] reasonBytes = Secrets.redact(letter.reason(), MAX_REASON_BYTES / 4).getBytes(StandardCharsets.UTF_8);
        h.add(new RecordHeader(HEADER_REASON, reasonBytes));
        h.add(header(HEADER_KIND, letter.kind().name()));
        SourcePosition pos = letter.record().position();
        try {
            TopicPartition tp = PartitionNames.parse(pos.partition());
            h.add(header(HEADER_TOPIC, tp.topic()));
            h.add(header(HEADER_PARTITION, Integer.toString(tp.partition())));
        } catch (IllegalArgumentException notKafka) {
            // a position from another kind of source: only the raw name below
        }
        h.add(header(HEADER_OFFSET, Long.toString(pos.offset())));
        h.add(header(HEADER_SOURCE_PARTITION, pos.partition()));
        if (!letter.positions().isEmpty()) {
            StringJoiner all = new StringJoiner(",");
            letter.positions().forEach(p -> all.add(p.toString()));
            h.add(header(HEADER_POSITIONS, all.toString()));
        }
        h.add(header(HEADER_TIME, Long.toString(letter.timeMillis())));
        if (letter.action() != null) {
            h.add(header(HEADER_INDEX, letter.action().index()));
            h.add(header(HEADER_ID, letter.action().id()));
        }
        if (letter.result() != null) {
            if (letter.result().errorType() != null) {
                h.add(header(HEADER_ERROR_TYPE, Secrets.redact(letter.result().errorType(), 256)));
            }
            h.add(header(HEADER_STATUS, Integer.toString(letter.result().status())));
        }
        return h;
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Stops the sender thread (interrupting a send that waits for metadata), fails the letters it
     * had not handed to the producer yet, then flushes what the producer holds and closes it,
     * waiting up to the close timeout. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        sender.interrupt();
        try {
            sender.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued();
        try {
            producer.close(closeTimeout);
        } catch (RuntimeException e) {
            LOG.warn("Closing the dead-letter producer failed: {}", Secrets.describe(e));
        }
        if (sender.isAlive()) {
            LOG.warn("The dead-letter sender thread {} did not stop within {}", sender.getName(), closeTimeout);
        }
    }

    private void failQueued() {
        Pending p;
        while ((p = queue.poll()) != null) {
            if (p.level == WHOLE) {
                queued.decrementAndGet();
            }
            p.done.completeExceptionally(new SyncException("the dead letter for " + p.where() + " was not written to topic "
                    + topic + ": the sink was closed first"));
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Configures a {@link KafkaDeadLetterSink}. Required: {@link #bootstrapServers} and
     * {@link #topic}. The producer always uses {@code acks=all} and
     * {@code enable.idempotence=true}; other producer properties pass through. Not thread-safe.
     */
    public static final class Builder {
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private String topic = "";
        private KafkaSecurity security = KafkaSecurity.none();
        private Duration closeTimeout = Duration.ofSeconds(10);
        private int maxQueuedLetters = DEFAULT_MAX_QUEUED_LETTERS;

        private Builder() {
        }

        /** {@code bootstrap.servers} of the cluster holding the dead-letter topic. */
        public Builder bootstrapServers(String servers) {
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Arguments.nonBlank(servers, "bootstrapServers"));
            return this;
        }

        /** The dead-letter topic (it must exist or be auto-created by the broker). */
        public Builder topic(String topic) {
            this.topic = Arguments.nonBlank(topic, "topic");
            return this;
        }

        /** SASL / SSL settings; default {@link KafkaSecurity#none()}. */
        public Builder security(KafkaSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Any Kafka producer property, passed through.
         *
         * @throws IllegalArgumentException for {@code acks} other than {@code all}/{@code -1},
         *     {@code enable.idempotence=false}, or a key / value serializer
         */
        public Builder property(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value of " + name);
            String v = String.valueOf(value).trim();
            switch (name) {
                case ProducerConfig.ACKS_CONFIG:
                    if (!v.equals("all") && !v.equals("-1")) {
                        throw new IllegalArgumentException("acks=" + value + " is not allowed: a dead letter counts as "
                                + "stored only when every in-sync replica has it (acks=all)");
                    }
                    break;
                case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG:
                    if (!v.equalsIgnoreCase("true")) {
                        throw new IllegalArgumentException("enable.idempotence=" + value + " is not allowed: "
                                + "retried dead-letter writes must not be duplicated or reordered");
                    }
                    break;
                case ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG:
                case ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG:
                    throw new IllegalArgumentException(name + "=" + value + " is not allowed: dead letters are the original bytes");
                default:
            }
            properties.put(name, value);
            return this;
        }

        /** How long {@link KafkaDeadLetterSink#close()} waits for outstanding writes; default 10 s. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Arguments.positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * Most letters waiting for the sender thread; {@link KafkaDeadLetterSink#send} completes
         * the stage of one more with a {@link RetriableSyncException} (the pipeline retries it
         * later). Default {@value KafkaDeadLetterSink#DEFAULT_MAX_QUEUED_LETTERS}; must be >= 1.
         */
        public Builder maxQueuedLetters(int maxQueuedLetters) {
            if (maxQueuedLetters < 1) {
                throw new IllegalArgumentException("maxQueuedLetters must be >= 1: " + maxQueuedLetters);
            }
            this.maxQueuedLetters = maxQueuedLetters;
            return this;
        }

        /**
         * The sink, with its producer and its sender thread created.
         *
         * @throws IllegalStateException if bootstrap servers or the topic are missing
         */
        public KafkaDeadLetterSink build() {
            if (!properties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("bootstrapServers is required");
            }
            if (topic.isEmpty()) {
                throw new IllegalStateException("topic is required");
            }
            return new KafkaDeadLetterSink(this);
        }

        Map<String, Object> effectiveConfig() {
            Map<String, Object> c = new LinkedHashMap<>(security.toProperties());
            // one request in flight by default: dead letters are few, and with several a new topic's
            // first request refused NOT_LEADER_OR_FOLLOWER can be passed by the next and then fail
            // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (Kafka's KAFKA-15591)
            c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            c.putAll(properties);
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            return c;
        }

        @Override
        public String toString() {
            return "KafkaDeadLetterSink.Builder{topic=" + topic + ", config=" + KafkaSecurity.masked(effectiveConfig()) + "}";
        }
    }
}
