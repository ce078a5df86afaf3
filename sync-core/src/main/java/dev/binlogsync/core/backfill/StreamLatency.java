package dev.binlogsync.core.backfill;

import dev.binlogsync.core.SyncPipeline;
import java.time.Duration;

/**
 * How far behind the stream is now: the signal a {@link Backfill} built with
 * {@link Backfill.Builder#yieldTo(StreamLatency, Duration)} reads before each chunk, and waits on
 * while it is above the target (see {@code docs/backfill.md}, <em>Yielding to the stream</em>).
 *
 * <p>Called on the backfill's thread only, before each chunk and while the backfill waits; it must
 * return quickly, must not block, and must read what the stream measures anyway (it must not add
 * work to the stream's path). {@link Duration#ZERO} means "not behind" (also: idle, or unknown). An
 * exception it throws counts as {@link Duration#ZERO} (the backfill goes on; it is logged).
 */
@FunctionalInterface
public interface StreamLatency {

    /** The stream's latency now; never null, never negative. */
    Duration current();

    /**
     * The latency of {@code pipeline}, from its {@link SyncPipeline#metrics()} (which the pipeline
     * publishes anyway; reading them adds nothing to its thread's work): the mean
     * {@link dev.binlogsync.core.PipelineMetrics#syncLatency() sync latency} of the actions it
     * acknowledged since the previous reading (the change of the timer's count and total; the
     * first reading's interval starts when this method is called), or, when it acknowledged none
     * while it holds unacknowledged actions
     * ({@link dev.binlogsync.core.PipelineMetrics#bufferedActions()}), the larger of the last such
     * mean and the time since a reading last saw an acknowledgement; zero when it holds nothing or
     * is not running. The timer records only actions whose event has an event time; a reading that
     * sees the pipeline commit, acknowledge a dead letter, or have a bulk answered without retrying
     * an item counts as one that saw an acknowledgement (it keeps the last mean, zero for a stream
     * whose events carry no event time).
     * The sync latency is counted from the binlog event's time, which MySQL records in whole
     * seconds, so the mean is up to a second (half a second on average) above the write-to-ack time.
     *
     * <p>The returned object keeps the previous reading: give each backfill its own. Not
     * thread-safe (the backfill's thread reads it).
     */
    static StreamLatency of(SyncPipeline pipeline) {
        return new PipelineLatency(pipeline);
    }
}
