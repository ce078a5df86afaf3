package dev.binlogsync.kafka;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.PartitionNotOwnedException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.kafka.decode.MessageDecoder;
import dev.binlogsync.kafka.internal.Arguments;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedMemberEpochException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer group as a {@link Source}: subscribes to topics (a list or a pattern), decodes
 * each record with a {@link MessageDecoder}, and commits offsets only when the pipeline calls
 * {@link #commit}.
 *
 * <p><b>Offsets.</b> {@code enable.auto.commit} is forced to {@code false} (setting it to
 * {@code true} is rejected). {@link #commit} commits {@code lastDone.offset + 1} per partition
 * with {@code commitSync}; nothing else ever commits, and {@link #close()} does not commit either.
 * A position of a partition this member no longer owns is never committed (a classic group would
 * accept it and move the new owner's offset): the owned ones are committed, then a
 * {@link PartitionNotOwnedException} names the others. A commit refused because the group is
 * rebalancing, or failing with a retriable Kafka error, is a {@link RetriableSyncException}; a
 * commit after the member lost its generation ({@code CommitFailedException}, an unknown member,
 * an old generation or a stale member epoch) a {@link PartitionNotOwnedException}. Any other
 * failure (authorization, authentication, a static member fenced by another instance with its
 * {@code group.instance.id}) is a plain {@link SyncException} naming the positions not committed:
 * committing again will not cure it, and the pipeline fails with it.
 *
 * <p><b>Consumer settings.</b> Kafka's own defaults, except {@code enable.auto.commit} (always
 * {@code false}, above), {@code auto.offset.reset} (set from the {@link StartPosition}) and
 * {@code receive.buffer.bytes}, which is
 * {@value #DEFAULT_RECEIVE_BUFFER_BYTES} (the operating system's TCP receive buffer, which Linux
 * grows with the traffic) instead of Kafka's fixed 64 KiB: reading a backlog then takes fewer,
 * larger socket reads. Any setting given with {@link Builder#property} wins, this one included.
 *
 * <p><b>Records.</b> Each Kafka record becomes exactly one {@link SourceRecord}: position
 * {@code "topic-partition"} / Kafka offset, the raw key and value bytes, the Kafka record timestamp,
 * and the decoded events. A record the decoder cannot handle becomes a failed record whose
 * {@link DecodeException} names topic, partition and offset and what is wrong; {@link #poll} never
 * throws for bad input and never drops a record. A decoder throwing counts as such a failure, and so
 * does an {@link Error} it throws (a {@link StackOverflowError} on deeply nested input, an
 * {@link AssertionError}), except {@link OutOfMemoryError}, {@link InternalError} and other
 * {@link VirtualMachineError}s, and {@link LinkageError}s: those say the JVM or the class path is
 * broken, not the record, and {@link #poll} rethrows them.
 *
 * <p><b>Rebalances</b> (classic and {@code group.protocol=consumer} alike): Kafka's
 * {@code onPartitionsRevoked} calls {@link PartitionListener#onRevoked} (the pipeline flushes and
 * commits them inside the callback, while they are still owned), {@code onPartitionsLost} calls
 * {@link PartitionListener#onLost}, {@code onPartitionsAssigned} applies the {@link StartPosition}
 * to partitions this instance has not seen before (a {@link #wakeup()} meanwhile only makes the
 * next poll return early; it does not disturb the positioning), re-pauses them while paused, then
 * calls {@link PartitionListener#onAssigned}. All from inside {@link #poll}, on the pipeline
 * thread. If the listener throws, {@link #poll} rethrows it after rewinding the partitions to the
 * first record it would have returned, so nothing is skipped.
 *
 * <p><b>Backpressure.</b> {@link #pause()} pauses every assigned partition (and ones assigned
 * later) while {@link #poll} keeps being called, so the member stays in its group however long the
 * sink is down.
 *
 * <p><b>Threading.</b> Like {@code KafkaConsumer}: one thread calls everything except
 * {@link #wakeup()}, which is thread-safe. Use after {@link #close()} throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * KafkaSource source = KafkaSource.builder()
 *         .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *         .groupId("orders-to-es")
 *         .topics("canal.shop.orders")
 *         .decoder(CanalFlatMessageDecoder.create())
 *         .security(KafkaSecurity.scramSha512("sync", password))
 *         .property("max.poll.records", 2000)
 *         .build();
 * }</pre>
 */
public final class KafkaSource implements Source {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);

    /**
     * {@code receive.buffer.bytes} unless set: -1, the operating system's TCP receive buffer, which
     * Linux grows with the traffic; on a backlog the consumer then spends less CPU per record than
     * with Kafka's fixed 64 KiB (BENCHMARKS.md, "Where the pipeline thread's CPU goes").
     */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = -1;
    /** Kafka's default {@code max.poll.interval.ms}: 5 minutes. */
    public static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000L;
    private static final int NEW = 0;
    private static final int OPEN = 1;
    private static final int CLOSED = 2;

    private final Map<String, Object> config;
    private final List<String> topics;
    @Nullable
    private final Pattern pattern;
    private final MessageDecoder decoder;
    private final StartPosition startPosition;
    private final Duration commitTimeout;
    /** How many wakeups one positioning or commit call absorbs before it gives up (retriably). */
    private static final int MAX_WAKEUPS_PER_CALL = 100;
    private final Duration closeTimeout;
    private final String description;
    private final Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory;
    private final Duration maxPollInterval;

    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    @Nullable
    private volatile Consumer<byte[], byte[]> consumer;
    @Nullable
    private PartitionListener listener;
    private final Map<TopicPartition, String> names = new HashMap<>();
    private final Map<String, TopicPartition> partitions = new HashMap<>();
    private final Set<TopicPartition> positioned = new HashSet<>();
    private boolean paused;
    private boolean closing;
    /** The consumer's member id at its last assignment; null before. */
    @Nullable private volatile String memberId;
    @Nullable
    private RuntimeException callbackFailure;
    @Nullable
    private SyncException positioningFailure;

    private KafkaSource(Builder b) {
        this.config = b.effectiveConfig();
        this.topics = List.copyOf(b.topics);
        this.pattern = b.pattern;
        this.decoder = b.decoder;
        this.startPosition = b.startPosition;
        this.commitTimeout = b.commitTimeout;
        this.closeTimeout = b.closeTimeout;
        this.consumerFactory = b.consumerFactory;
        Object maxPoll = config.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        this.maxPollInterval = Duration.ofMillis(
                maxPoll == null ? DEFAULT_MAX_POLL_INTERVAL_MS : Builder.maxPollIntervalMs(maxPoll));
        this.description = "KafkaSource{" + (pattern != null ? "pattern=" + pattern : "topics=" + topics)
                + ", decoder=" + decoder + ", startPosition=" + startPosition
                + ", config=" + KafkaSecurity.masked(config) + "}";
        for (String warning : KafkaSecurity.warnings(config, "KafkaSource")) {
            LOG.warn("{}", warning);
        }
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open(PartitionListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!state.compareAndSet(NEW, OPEN)) {
            throw new IllegalStateException("open() may be called once, on a new source: " + this);
        }
        this.listener = listener;
        Consumer<byte[], byte[]> c;
        try {
            c = consumerFactory.apply(config);
        } catch (KafkaException e) {
            state.set(CLOSED);
            throw new SyncException("cannot create the Kafka consumer of " + this + ": "
                    + Secrets.redact(String.valueOf(e.getMessage())), e);
        }
        this.consumer = c;
        Rebalance rebalance = new Rebalance();
        if (pattern != null) {
            c.subscribe(pattern, rebalance);
        } else {
            c.subscribe(topics, rebalance);
        }
        LOG.info("Opened {}", this);
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        Consumer<byte[], byte[]> c = ensureOpen();
        if (positioningFailure != null) {
            throw positioningFailure;
        }
        if (wakeupPending.getAndSet(false)) {
            return List.of();
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = c.poll(timeout);
        } catch (WakeupException e) {
            throwCallbackFailure(null);
            return List.of();
        } catch (InterruptException e) {
            Thread.interrupted();
            InterruptedException ie = new InterruptedException("interrupted while polling Kafka");
            ie.initCause(e);
            throw ie;
        } catch (RetriableException e) {
            throwCallbackFailure(null);
            throw new RetriableSyncException("polling Kafka failed: " + Secrets.describe(e), e);
        } catch (KafkaException e) {
            throwCallbackFailure(null);
            throw new SyncException("polling Kafka failed: " + Secrets.describe(e), e);
        }
        throwCallbackFailure(records);
        if (records.isEmpty()) {
            return List.of();
        }
        List<SourceRecord> out = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            String name = nameOf(tp);
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                out.add(decode(name, r));
            }
        }
        return out;
    }

    private SourceRecord decode(String name, ConsumerRecord<byte[], byte[]> r) {
        SourcePosition position = new SourcePosition(name, r.offset());
        long timestamp = Math.max(0L, r.timestamp());
        DecodeException failure;
        try {
            List<ChangeEvent> events = decoder.decode(r.key(), r.value(), position);
            if (events != null) {
                return new SourceRecord(position, events, r.key(), r.value(), timestamp, null);
            }
            failure = failure(r, "the decoder returned null", null);
        } catch (DecodeException e) {
            failure = failure(r, e.getMessage(), e);
        } catch (RuntimeException e) {
            failure = failure(r, "the decoder failed: " + e, e);
        } catch (StackOverflowError e) {
            // thread-local, and over once the decoder's frames are unwound: deeply nested input
            failure = failure(r, "the decoder failed: " + e + " (nested too deeply?)", e);
        } catch (VirtualMachineError | LinkageError e) {
            // OutOfMemoryError, InternalError: the JVM itself is in trouble; LinkageError: the class
            // path is broken, which every record would hit. Neither is about this record: the
            // pipeline fails instead of dead-lettering or skipping every record from here on.
            throw e;
        } catch (Error e) {
            // e.g. an AssertionError in a decoder: a bug met on this input, handled like an exception
            failure = failure(r, "the decoder failed: " + e, e);
        }
        return new SourceRecord(position, List.of(), r.key(), r.value(), timestamp, failure);
    }

    private DecodeException failure(ConsumerRecord<byte[], byte[]> r, String what, @Nullable Throwable cause) {
        return new DecodeException("cannot decode the record at topic " + r.topic() + ", partition " + r.partition()
                + ", offset " + r.offset() + " (" + decoder + "): " + what, cause);
    }

    @Override
    public void commit(Map<String, SourcePosition> lastDone) {
        Objects.requireNonNull(lastDone, "lastDone");
        Consumer<byte[], byte[]> c = ensureOpen();
        if (lastDone.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(lastDone.size() * 2);
        List<SourcePosition> notOwned = null;
        Set<TopicPartition> assignment = c.assignment();
        for (Map.Entry<String, SourcePosition> e : lastDone.entrySet()) {
            SourcePosition pos = Objects.requireNonNull(e.getValue(), "position of " + e.getKey());
            if (!pos.partition().equals(e.getKey())) {
                throw new IllegalArgumentException("position " + pos + " filed under partition " + e.getKey());
            }
            TopicPartition tp = partitionOf(e.getKey());
            if (assignment.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(pos.offset() + 1));
            } else {
                // the broker would accept it (classic groups check the member, not the partition) and
                // could move the new owner's offset: never commit for a partition this member lost
                if (notOwned == null) {
                    notOwned = new ArrayList<>();
                }
                notOwned.add(pos);
            }
        }
        if (!offsets.isEmpty()) {
            commitOwned(c, offsets, lastDone);
        }
        if (notOwned != null) {
            throw new PartitionNotOwnedException("not committed " + notOwned + ": the partitions are no longer assigned to this member; "
                    + "their new owner reads the uncommitted records again");
        }
    }

    private void commitOwned(Consumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets,
            Map<String, SourcePosition> lastDone) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    c.commitSync(offsets, commitTimeout);
                    break;
                } catch (WakeupException e) {
                    // wakeup() was meant for a poll: let the next poll return at once and commit anyway.
                    // Completions and close() each call wakeup(), so several can arrive in a row.
                    wakeupPending.set(true);
                    if (attempt >= MAX_WAKEUPS_PER_CALL) {
                        throw new RetriableSyncException("commit of " + lastDone.values() + " interrupted by "
                                + attempt + " wakeups in a row; a later commit covers it", e);
                    }
                }
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("Committed {}", offsets);
            }
        } catch (RebalanceInProgressException e) {
            throw new RetriableSyncException("commit of " + lastDone.values() + " refused while the group rebalances; "
                    + "the partitions are committed on revocation or by the next commit", e);
        } catch (CommitFailedException | UnknownMemberIdException | IllegalGenerationException
                | StaleMemberEpochException | FencedMemberEpochException e) {
            // the member left its generation (a rebalance went on without it): the next poll rejoins,
            // reports the partitions revoked or lost, and their new owner reads them again
            throw new PartitionNotOwnedException("commit of " + lastDone.values() + " failed: the partitions are no "
                    + "longer owned by this member (" + Secrets.describe(e) + "); their new owner reads the uncommitted records again", e);
        } catch (InterruptException e) {
            throw new SyncException("interrupted while committing " + lastDone.values(), e);
        } catch (RetriableException e) {
            throw new RetriableSyncException("commit of " + lastDone.values() + " failed: " + Secrets.describe(e), e);
        } catch (KafkaException e) {
            // authorization, authentication, a static member fenced by another instance with its
            // group.instance.id, an invalid group: committing will not work until someone acts
            throw new SyncException("commit of " + lastDone.values() + " failed for good: " + Secrets.describe(e)
                    + "; nothing from these positions on is committed", e);
        }
    }

    @Override
    public void pause() {
        Consumer<byte[], byte[]> c = ensureOpen();
        if (!paused) {
            paused = true;
            c.pause(c.assignment());
        }
    }

    @Override
    public void resume() {
        Consumer<byte[], byte[]> c = ensureOpen();
        if (paused) {
            paused = false;
            c.resume(c.paused());
        }
    }

    /** Whether {@link #pause()} is in effect. */
    public boolean isPaused() {
        return paused;
    }

    @Override
    public void wakeup() {
        Consumer<byte[], byte[]> c = consumer;
        if (c != null && state.get() == OPEN) {
            c.wakeup();
        }
    }

    /**
     * Per assigned partition, the records between the current position and the end of the
     * partition as of the last fetch ({@code KafkaConsumer.currentLag}); partitions the consumer
     * has no figure for yet are left out.
     */
    @Override
    public Map<String, Long> lag() {
        Consumer<byte[], byte[]> c = ensureOpen();
        Map<String, Long> lag = new LinkedHashMap<>();
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            if (l.isPresent()) {
                lag.put(nameOf(tp), l.getAsLong());
            }
        }
        return lag;
    }

    /**
     * {@code max.poll.interval.ms} ({@value #DEFAULT_MAX_POLL_INTERVAL_MS} ms unless set): a member
     * that does not poll for that long leaves its group. The pipeline's {@code drainTimeout} must
     * be below it, since the pipeline does not poll while it drains a revoke or a close.
     */
    @Override
    public Optional<Duration> maxPollInterval() {
        return Optional.of(maxPollInterval);
    }

    /**
     * The member id the group coordinator gave this consumer at its last join (as
     * {@code Admin.describeConsumerGroups} lists it), or empty before the first assignment. Recorded
     * on the pipeline thread at every assignment (also an empty one); readable from any thread. A
     * re-sync compares it with the group's members ({@code KafkaGroupMembers}).
     */
    public Optional<String> memberId() {
        String id = memberId;
        return id == null || id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /**
     * A new {@link KafkaGroupMembers} of this source's consumer group, connecting as the consumer
     * does (its bootstrap servers and its {@code security.protocol}, {@code sasl.*} and
     * {@code ssl.*} settings). The caller closes it. Any thread.
     */
    public KafkaGroupMembers groupMembers() {
        Map<String, Object> admin = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : config.entrySet()) {
            String k = e.getKey();
            if (k.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || k.equals("security.protocol")
                    || k.startsWith("sasl.") || k.startsWith("ssl.") || k.equals("client.dns.lookup")) {
                admin.put(k, e.getValue());
            }
        }
        return KafkaGroupMembers.create(admin, String.valueOf(config.get(ConsumerConfig.GROUP_ID_CONFIG)),
                Duration.ofSeconds(30));
    }

    /** The partitions currently assigned, as {@code topic-partition} names. */
    public Set<String> assignment() {
        Consumer<byte[], byte[]> c = ensureOpen();
        Set<String> out = new HashSet<>();
        c.assignment().forEach(tp -> out.add(nameOf(tp)));
        return out;
    }

    /**
     * Closes the consumer (leaving the group) without committing and without calling the
     * {@link PartitionListener}. Idempotent.
     */
    @Override
    public void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            closing = true;
            try {
                c.close(CloseOptions.timeout(closeTimeout));
            } catch (RuntimeException e) {
                LOG.warn("Closing the Kafka consumer failed (nothing was committed): {}", Secrets.describe(e));
            }
        }
        LOG.info("Closed {}", this);
    }

    private Consumer<byte[], byte[]> ensureOpen() {
        int s = state.get();
        Consumer<byte[], byte[]> c = consumer;
        if (s == CLOSED) {
            throw new IllegalStateException("the source is closed: " + this);
        }
        if (s == NEW || c == null) {
            throw new IllegalStateException("open() was not called: " + this);
        }
        return c;
    }

    private String nameOf(TopicPartition tp) {
        String name = names.get(tp);
        if (name == null) {
            name = PartitionNames.name(tp);
            names.put(tp, name);
            partitions.put(name, tp);
        }
        return name;
    }

    private TopicPartition partitionOf(String name) {
        TopicPartition tp = partitions.get(name);
        return tp != null ? tp : PartitionNames.parse(name);
    }

    private List<String> namesOf(Collection<TopicPartition> tps) {
        List<String> out = new ArrayList<>(tps.size());
        for (TopicPartition tp : tps) {
            out.add(nameOf(tp));
        }
        return out;
    }

    /** Rethrows a failure of the listener, rewinding {@code records} first so none is skipped. */
    private void throwCallbackFailure(@Nullable ConsumerRecords<byte[], byte[]> records) {
        RuntimeException failure = callbackFailure;
        if (failure == null) {
            return;
        }
        callbackFailure = null;
        if (records != null) {
            Consumer<byte[], byte[]> c = consumer;
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
                if (!list.isEmpty() && c != null && c.assignment().contains(tp)) {
                    c.seek(tp, list.get(0).offset());
                }
            }
        }
        throw failure;
    }

    private void positionNew(Consumer<byte[], byte[]> c, Collection<TopicPartition> assigned) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            if (!positioned.contains(tp)) {
                fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        try {
            seekToStart(c, fresh);
        } catch (RuntimeException e) {
            // Kafka does not call onPartitionsAssigned again for these partitions: reading on would
            // silently start them from the committed offsets instead. Fail every later poll.
            positioningFailure = new SyncException("could not apply the start position " + startPosition + " to "
                    + namesOf(fresh) + ": " + Secrets.describe(e) + "; close this source and create a new one", e);
            throw positioningFailure;
        }
        positioned.addAll(fresh);
    }

    private void seekToStart(Consumer<byte[], byte[]> c, List<TopicPartition> fresh) {
        switch (startPosition.kind()) {
            case TIMESTAMP: {
                Instant time = Objects.requireNonNull(startPosition.timestampOrNull());
                // the end offsets first: a record written after this look-up is at or after the end
                // taken here, so where the search below finds nothing, starting at this end skips
                // nothing (taking the end after the search would skip a record written in between)
                Map<TopicPartition, Long> ends = wakeupSafe(() -> c.endOffsets(fresh));
                Map<TopicPartition, Long> query = new HashMap<>();
                fresh.forEach(tp -> query.put(tp, time.toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found = wakeupSafe(() -> c.offsetsForTimes(query));
                for (TopicPartition tp : fresh) {
                    OffsetAndTimestamp at = found.get(tp);
                    if (at != null) {
                        LOG.info("Starting {} at offset {}, the first record at or after {}", nameOf(tp), at.offset(), time);
                        c.seek(tp, at.offset());
                    } else {
                        long end = ends.getOrDefault(tp, 0L);
                        LOG.info("Starting {} at its end offset {}: no record at or after {}", nameOf(tp), end, time);
                        c.seek(tp, end);
                    }
                }
                break;
            }
            case OFFSETS:
                for (TopicPartition tp : fresh) {
                    Long offset = startPosition.offsetsMap().get(nameOf(tp));
                    if (offset != null) {
                        LOG.info("Starting {} at the configured offset {}", nameOf(tp), offset);
                        c.seek(tp, offset);
                    }
                }
                break;
            default:
                // committed offsets, auto.offset.reset for partitions without one
        }
    }

    /**
     * Runs a blocking consumer call made while positioning, inside a rebalance callback. A
     * {@link #wakeup()} meant to end a poll early (the pipeline wakes the source whenever a bulk
     * completes, also during a rebalance) makes such a call throw {@link WakeupException}; the
     * call is made again, and the next {@link #poll} returns at once as the wakeup asked.
     */
    private <T> T wakeupSafe(Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                wakeupPending.set(true);
            }
        }
    }

    /** Forwards the consumer's rebalance callbacks to the pipeline's listener. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (closing || revoked.isEmpty()) {
                return;
            }
            List<String> list = namesOf(revoked);
            LOG.info("Partitions revoked: {}", list);
            call(() -> listener.onRevoked(list));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            if (closing || lost.isEmpty()) {
                return;
            }
            List<String> list = namesOf(lost);
            LOG.warn("Partitions lost (their uncommitted records will be read again by the new owner): {}", list);
            call(() -> listener.onLost(list));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (closing) {
                return;
            }
            Consumer<byte[], byte[]> c = consumer;
            try {
                memberId = c.groupMetadata().memberId();
            } catch (RuntimeException e) {
                LOG.debug("no group metadata at the assignment: {}", Secrets.describe(e));
            }
            if (assigned.isEmpty()) {
                return;
            }
            List<String> list = namesOf(assigned);
            LOG.info("Partitions assigned: {}", list);
            call(() -> {
                positionNew(c, assigned);
                if (paused) {
                    c.pause(assigned);
                }
                listener.onAssigned(list);
            });
        }

        private void call(Runnable r) {
            if (callbackFailure != null) {
                return;
            }
            try {
                r.run();
            } catch (RuntimeException e) {
                callbackFailure = e;
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Configures a {@link KafkaSource}. Each setter validates at once
     * ({@link IllegalArgumentException} naming the bad value); {@link #build()} checks that the
     * required settings are there ({@link IllegalStateException}). Not thread-safe.
     *
     * <p>Required: {@link #bootstrapServers}, {@link #groupId}, {@link #topics} or
     * {@link #topicPattern}, {@link #decoder}. Defaults: {@link StartPosition#committedOrEarliest()},
     * {@link KafkaSecurity#none()}, commit timeout 30 s, close timeout 10 s, and Kafka's own
     * defaults for every other client property.
     */
    public static final class Builder {
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private final List<String> topics = new ArrayList<>();
        @Nullable
        private Pattern pattern;
        @Nullable
        private MessageDecoder decoder;
        private StartPosition startPosition = StartPosition.committedOrEarliest();
        private KafkaSecurity security = KafkaSecurity.none();
        private Duration commitTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Function<Map<String, Object>, Consumer<byte[], byte[]>> consumerFactory =
                config -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());

        private Builder() {
        }

        /** {@code bootstrap.servers}, e.g. {@code "kafka-1:9092,kafka-2:9092"}. */
        public Builder bootstrapServers(String servers) {
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Arguments.nonBlank(servers, "bootstrapServers"));
            return this;
        }

        /** The consumer group ({@code group.id}). */
        public Builder groupId(String groupId) {
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, Arguments.nonBlank(groupId, "groupId"));
            return this;
        }

        /** Subscribes to these topics (replacing earlier ones). */
        public Builder topics(String... topics) {
            Objects.requireNonNull(topics, "topics");
            return topics(List.of(topics));
        }

        /** Subscribes to these topics (replacing earlier ones). */
        public Builder topics(Collection<String> topics) {
            Objects.requireNonNull(topics, "topics");
            if (topics.isEmpty()) {
                throw new IllegalArgumentException("topics must not be empty");
            }
            for (String t : topics) {
                if (t == null || t.isBlank()) {
                    throw new IllegalArgumentException("topic names must not be blank: " + topics);
                }
            }
            this.topics.clear();
            this.topics.addAll(topics);
            return this;
        }

        /** Subscribes to every topic matching {@code pattern}, now and later created. */
        public Builder topicPattern(Pattern pattern) {
            this.pattern = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /** How record bytes become change events. */
        public Builder decoder(MessageDecoder decoder) {
            this.decoder = Objects.requireNonNull(decoder, "decoder");
            return this;
        }

        /** Where reading starts; default {@link StartPosition#committedOrEarliest()}. */
        public Builder startPosition(StartPosition startPosition) {
            this.startPosition = Objects.requireNonNull(startPosition, "startPosition");
            return this;
        }

        /** SASL / SSL settings; default {@link KafkaSecurity#none()}. */
        public Builder security(KafkaSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Any Kafka consumer property, passed through as is (e.g. {@code max.poll.records},
         * {@code group.protocol=consumer}, {@code client.rack}). Properties set here win over the
         * {@link #security} conveniences.
         *
         * @throws IllegalArgumentException for {@code enable.auto.commit=true} (offsets are
         *     committed only after the sink acknowledged), for the key / value deserializers
         *     (decoding is the {@link #decoder}'s job) for {@code auto.offset.reset} (use
         *     {@link #startPosition}) and for a {@code max.poll.interval.ms} that is not a positive
         *     number of milliseconds
         */
        public Builder property(String name, Object value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value of " + name);
            switch (name) {
                case ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG:
                    if (!"false".equalsIgnoreCase(String.valueOf(value).trim())) {
                        throw new IllegalArgumentException("enable.auto.commit=" + value + " is not allowed: "
                                + "binlog-sync commits an offset only after every document it produced was written; "
                                + "auto-commit would commit records before they reach the index and lose them on a crash");
                    }
                    break;
                case ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG:
                case ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG:
                    throw new IllegalArgumentException(name + "=" + value + " is not allowed: records are read as bytes "
                            + "and decoded by the decoder(...)");
                case ConsumerConfig.AUTO_OFFSET_RESET_CONFIG:
                    throw new IllegalArgumentException("auto.offset.reset=" + value + " is not allowed: use "
                            + "startPosition(StartPosition.committedOrEarliest() / committedOrLatest() / timestamp(..) / offsets(..))");
                case ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG:
                    maxPollIntervalMs(value);
                    break;
                default:
            }
            properties.put(name, value);
            return this;
        }

        private static long maxPollIntervalMs(Object value) {
            try {
                long ms = Long.parseLong(String.valueOf(value).trim());
                if (ms > 0 && ms <= Integer.MAX_VALUE) {
                    return ms;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("max.poll.interval.ms must be a positive number of milliseconds: " + value);
        }

        /** {@link #property} for each entry. */
        public Builder properties(Map<String, ?> properties) {
            Objects.requireNonNull(properties, "properties");
            properties.forEach(this::property);
            return this;
        }

        /** How long {@link KafkaSource#commit} waits for the broker; default 30 s. */
        public Builder commitTimeout(Duration timeout) {
            this.commitTimeout = Arguments.positive(timeout, "commitTimeout");
            return this;
        }

        /** How long {@link KafkaSource#close()} waits to leave the group; default 10 s. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Arguments.positive(timeout, "closeTimeout");
            return this;
        }

        /** Test seam: how the consumer is created from the effective configuration (a fake in unit tests). */
        Builder consumerFactory(Function<Map<String, Object>, Consumer<byte[], byte[]>> factory) {
            this.consumerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * The source, not yet open.
         *
         * @throws IllegalStateException if bootstrap servers, group id, topics or decoder are
         *     missing, both topics and a pattern were given, or a classic-protocol-only setting
         *     ({@code heartbeat.interval.ms}, {@code session.timeout.ms},
         *     {@code partition.assignment.strategy}) is combined with {@code group.protocol=consumer}
         */
        public KafkaSource build() {
            if (!properties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("bootstrapServers is required");
            }
            if (!properties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
                throw new IllegalStateException("groupId is required (offsets are committed for a consumer group)");
            }
            if (topics.isEmpty() && pattern == null) {
                throw new IllegalStateException("topics(...) or topicPattern(...) is required");
            }
            if (!topics.isEmpty() && pattern != null) {
                throw new IllegalStateException("give either topics " + topics + " or topicPattern " + pattern + ", not both");
            }
            if (decoder == null) {
                throw new IllegalStateException("decoder is required, e.g. CanalFlatMessageDecoder.create()");
            }
            if ("consumer".equalsIgnoreCase(String.valueOf(properties.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)).trim())) {
                for (String classicOnly : List.of(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
                    if (properties.containsKey(classicOnly)) {
                        throw new IllegalStateException(classicOnly + " cannot be set with group.protocol=consumer: "
                                + "the new group protocol takes it from the broker (group.consumer.*)");
                    }
                }
            }
            return new KafkaSource(this);
        }

        Map<String, Object> effectiveConfig() {
            Map<String, Object> c = new LinkedHashMap<>(security.toProperties());
            c.putAll(properties);
            c.putIfAbsent(ConsumerConfig.RECEIVE_BUFFER_CONFIG, DEFAULT_RECEIVE_BUFFER_BYTES);
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startPosition.autoOffsetReset());
            return c;
        }

        @Override
        public String toString() {
            return "KafkaSource.Builder{" + KafkaSecurity.masked(effectiveConfig()) + ", topics=" + topics
                    + ", pattern=" + pattern + ", decoder=" + decoder + ", startPosition=" + startPosition + "}";
        }
    }
}
