package dev.binlogsync.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where change events come from: a Kafka consumer group in {@code sync-kafka}, an in-memory list
 * in tests ({@code dev.binlogsync.core.testing.InMemorySource}).
 *
 * <p><b>Threading.</b> Every method is called by the one pipeline thread, except {@link #wakeup()},
 * which any thread may call to make a blocked {@link #poll} return early. Implementations need not
 * be thread-safe otherwise.
 *
 * <p><b>Lifecycle.</b> {@link #open(PartitionListener)} once, then {@link #poll}, {@link #commit},
 * {@link #pause()} and {@link #resume()} in any order, then {@link #close()}. The source never
 * commits on its own: positions are committed only through {@link #commit}, which the pipeline
 * calls after every record up to that position was written (offset-after-flush).
 *
 * <p><b>Rebalance.</b> The source calls the listener from inside {@link #poll}, on the pipeline
 * thread: {@code onRevoked} before partitions go (the pipeline flushes and commits them before it
 * returns), {@code onLost} when they are already gone (the pipeline drops their state without
 * committing), {@code onAssigned} when new ones arrive.
 */
public interface Source extends AutoCloseable {

    /**
     * Starts reading (subscribes). Called once, before the first {@link #poll}.
     *
     * @param listener told about partition assignment changes, from inside {@link #poll}
     */
    void open(PartitionListener listener);

    /**
     * Returns the next records, waiting up to {@code timeout} when none are ready. While paused it
     * still must be called (a Kafka consumer must keep polling to stay in its group) and returns
     * no records of paused partitions.
     *
     * <p>Records of one partition are returned in position order, never twice unless the
     * partition was revoked or lost and assigned again (then reading resumes after the last
     * committed position).
     *
     * @return the records, possibly empty, never null
     * @throws InterruptedException if the thread was interrupted while waiting
     * @throws RetriableSyncException on a transient failure; the pipeline polls again
     */
    List<SourceRecord> poll(Duration timeout) throws InterruptedException;

    /**
     * Commits positions: for each partition, the position of the last record that is completely
     * done; reading resumes after it when the partition is assigned anew. Blocks until the commit
     * is acknowledged or fails.
     *
     * @param lastDone per partition name, the last position whose record and all before it are done
     * @throws RetriableSyncException if the commit failed but may succeed later (the pipeline
     *     retries with a later commit)
     * @throws PartitionNotOwnedException if the partitions are no longer owned (the commit is
     *     lost; the records will be read again by the new owner; the pipeline carries on)
     * @throws SyncException for any other failure, one that committing again will not cure
     *     (authorization, a fenced member): the pipeline fails with it, so say which positions
     *     were not committed
     */
    void commit(Map<String, SourcePosition> lastDone);

    /** Stops returning records from {@link #poll} (backpressure) while polling continues. Idempotent. */
    void pause();

    /** Undoes {@link #pause()}. Idempotent. */
    void resume();

    /** Makes a {@link #poll} blocked in another thread return early. Thread-safe. Default: nothing. */
    default void wakeup() {
    }

    /**
     * Per-partition lag (records not yet read), when the source knows it. Default: empty.
     *
     * @return partition name to lag; never null
     */
    default Map<String, Long> lag() {
        return Map.of();
    }

    /**
     * The longest time this source may go without {@link #poll} before it loses its partitions,
     * or empty when it has no such limit. For a Kafka consumer it is {@code max.poll.interval.ms}:
     * a member that does not poll for that long leaves its group, and its commits are refused.
     * The pipeline does not poll while it drains a revoke or a close, so
     * {@link SyncPipeline.Builder#build()} rejects a {@code drainTimeout}, and
     * {@link SyncPipeline#close(Duration)} a timeout, that is not below it. Called once, when the
     * pipeline is built. Default: empty. A source that wraps another must forward it
     * ({@link dev.binlogsync.core.testing.ForwardingSource} forwards every call).
     */
    default Optional<Duration> maxPollInterval() {
        return Optional.empty();
    }

    /** Releases the source without committing anything. Idempotent. */
    @Override
    void close();
}
