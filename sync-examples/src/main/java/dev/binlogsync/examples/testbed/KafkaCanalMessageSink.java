package dev.binlogsync.examples.testbed;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes Canal flat messages to a Kafka topic with a null key and an explicit partition, as a Canal
 * server does (and the keyed records of the other {@link RelayFormat}s with their key), through
 * an idempotent producer with {@code acks=all} and one request in flight per connection (so a
 * retried send neither duplicates nor reorders messages within a partition, and a new partition's
 * first requests cannot pass each other).
 *
 * <p>The producer retries for up to {@code delivery.timeout.ms} (default here 10 minutes, so a
 * broker restart is ridden out); a send that still fails makes the next {@link #flush()} throw.
 * Thread-safe.
 */
public final class KafkaCanalMessageSink implements CanalMessageSink {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private KafkaCanalMessageSink(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
        this.partitions = producer.partitionsFor(topic).size();
    }

    /**
     * A sink for {@code topic}, which must exist (its partition count is read once).
     *
     * @param bootstrapServers the Kafka bootstrap servers
     * @param topic the topic Canal would write to
     */
    public static KafkaCanalMessageSink create(String bootstrapServers, String topic) {
        return create(bootstrapServers, topic, Map.of());
    }

    /**
     * A sink for {@code topic} with extra producer properties, which override the defaults
     * ({@code acks=all}, idempotence on, {@code linger.ms=5}, {@code delivery.timeout.ms=600000}).
     */
    public static KafkaCanalMessageSink create(String bootstrapServers, String topic, Map<String, Object> overrides) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(overrides, "overrides");
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // one request in flight per connection: with several, a first request refused with
        // NOT_LEADER_OR_FOLLOWER by a broker that has not yet applied a new partition can be passed
        // by the next one, which the broker accepts; every retry of the first then fails with
        // OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout (Kafka's KAFKA-15591), which
        // stalled the relay on new topics
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 600_000);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "binlog-canal-relay");
        props.putAll(overrides);
        return new KafkaCanalMessageSink(
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()), topic);
    }

    @Override
    public int partitionCount() {
        return partitions;
    }

    @Override
    public void send(int partition, byte[] message) {
        producer.send(new ProducerRecord<>(topic, partition, null, message), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void send(int partition, byte[] key, @Nullable byte[] value) {
        producer.send(new ProducerRecord<>(topic, partition, key, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void flush() {
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("a Canal message could not be written to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    @Override
    public String toString() {
        return "KafkaCanalMessageSink{" + topic + ", " + partitions + " partitions}";
    }
}
