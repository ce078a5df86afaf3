package dev.binlogsync.examples.testbed;

import javax.annotation.Nullable;

/**
 * Where {@link BinlogCanalRelay} puts the messages it builds (Canal flat messages, or the keyed
 * records of the other {@link RelayFormat}s): a Kafka topic ({@link KafkaCanalMessageSink}), or
 * a list in a test.
 *
 * <p><b>Contract.</b> {@link #send} hands over one message for one partition and may return before
 * it is stored; messages sent to one partition are stored in the order they were sent. {@link
 * #flush()} returns once everything sent before it is durably stored, and throws if any of it
 * failed; the relay saves its binlog position only after a successful flush.
 *
 * <p><b>Threading.</b> {@link #send} is called by the relay's binlog thread; {@link #flush()} by
 * its checkpoint thread, concurrently with {@code send}. Implementations must allow that.
 */
public interface CanalMessageSink extends AutoCloseable {

    /** How many partitions the relay hashes rows into; {@code >= 1}, fixed for the sink's life. */
    int partitionCount();

    /**
     * Stores {@code message} (a UTF-8 JSON Canal flat message) in {@code partition}, with a null key
     * as Canal does.
     *
     * @param partition {@code 0 <= partition < partitionCount()}
     * @param message the message bytes; not modified afterwards
     */
    void send(int partition, byte[] message);

    /**
     * Stores a keyed record in {@code partition}, for the formats that key their records (Debezium,
     * Maxwell); the same ordering contract as {@link #send(int, byte[])}. Default: unsupported.
     *
     * @param partition {@code 0 <= partition < partitionCount()}
     * @param key the record key
     * @param value the record value, or null for a tombstone
     * @throws UnsupportedOperationException if the sink stores only unkeyed Canal messages
     */
    default void send(int partition, byte[] key, @Nullable byte[] value) {
        throw new UnsupportedOperationException(this + " stores only unkeyed Canal messages");
    }

    /**
     * Waits until every message sent before this call is durably stored.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if any message sent so far could not be stored
     */
    void flush() throws InterruptedException;

    /** Releases what the sink owns. Default: nothing. */
    @Override
    default void close() {
    }
}
