package dev.binlogsync.core;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A point-in-time snapshot of a {@link SyncPipeline}'s counters, from {@link SyncPipeline#metrics()}.
 * Counters and distributions are cumulative since the pipeline started; gauges
 * ({@code inFlightRequests}, {@code bufferedActions}, {@code bufferedBytes}, {@code paused},
 * {@code lag}, {@code heartbeatAge}) are the current value. Immutable.
 *
 * <p>Distributions ({@link Timing}, {@link Sizes}) come from fixed-bucket log-linear histograms:
 * a reported percentile is at most 6.25% above the true value and never above the maximum.
 *
 * @param records source records read
 * @param events change events read (one record can carry several)
 * @param indexActions INDEX actions the rule set produced
 * @param upsertActions UPSERT actions the rule set produced
 * @param deleteActions DELETE actions the rule set produced
 * @param updateActions UPDATE actions the rule set produced (merge rules writing into a parent
 *     document that must exist)
 * @param coalesced actions merged into an earlier buffered action for the same document
 * @param stale items the index did not apply because it holds a newer external version
 * @param missing UPDATE items whose document did not exist (a merged child row whose parent
 *     document is deleted, filtered out or not yet written); done, nothing written
 * @param retried items sent again after a retryable failure
 * @param deadLettered dead letters acknowledged by the dead-letter sink
 * @param skipped records, events or items dropped by an explicit {@link FailurePolicy#SKIP}
 * @param bulks bulk requests completed
 * @param failedBulks bulk requests that failed as a whole
 * @param commits successful commits to the source
 * @param inFlightRequests bulk requests currently in flight
 * @param bufferedActions actions held and not yet acknowledged (buffered, in flight, waiting for retry)
 * @param bufferedBytes what {@code maxBufferedBytes} bounds: the estimated size of those actions plus
 *     the records not yet done (a fixed overhead each, plus their raw bytes when rejected documents
 *     are dead-lettered, which keeps them until their actions are written), plus the dead letters
 *     not yet acknowledged by the dead-letter sink
 * @param paused whether the source is paused now (backpressure)
 * @param pausedTime total time the source has been paused
 * @param syncLatency per acknowledged action, the time from its binlog event
 *     ({@link ChangeEvent#eventTimeMillis()}, the oldest one for a coalesced action) to the
 *     sink's acknowledgement, millisecond resolution; events without a time are not counted
 * @param bulkDuration per completed bulk request, the time from sending it to its completion
 * @param bulkActions per completed bulk request, the number of actions in it
 * @param bulkBytes per completed bulk request, the estimated bytes of its actions
 * @param lag per partition, records not yet read, as the source last reported it (sampled at most
 *     once a second); empty when the source does not know
 * @param heartbeatAge the age of the newest heartbeat reported through
 *     {@link SyncPipeline#reportHeartbeat}, or null when none was reported
 */
public record PipelineMetrics(
        long records,
        long events,
        long indexActions,
        long upsertActions,
        long deleteActions,
        long updateActions,
        long coalesced,
        long stale,
        long missing,
        long retried,
        long deadLettered,
        long skipped,
        long bulks,
        long failedBulks,
        long commits,
        int inFlightRequests,
        long bufferedActions,
        long bufferedBytes,
        boolean paused,
        Duration pausedTime,
        Timing syncLatency,
        Timing bulkDuration,
        Sizes bulkActions,
        Sizes bulkBytes,
        Map<String, Long> lag,
        @Nullable Duration heartbeatAge) {

    /** All zero: a pipeline that has not started. */
    public static final PipelineMetrics EMPTY =
            new PipelineMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, Duration.ZERO);

    public PipelineMetrics {
        Objects.requireNonNull(pausedTime, "pausedTime");
        Objects.requireNonNull(syncLatency, "syncLatency");
        Objects.requireNonNull(bulkDuration, "bulkDuration");
        Objects.requireNonNull(bulkActions, "bulkActions");
        Objects.requireNonNull(bulkBytes, "bulkBytes");
        lag = Map.copyOf(lag);
    }

    /**
     * The snapshot of the first release (counters and gauges only): no update actions, nothing
     * missing, distributions empty, no lag, no heartbeat. Kept so code built against it still
     * compiles.
     */
    public PipelineMetrics(long records, long events, long indexActions, long upsertActions, long deleteActions,
            long coalesced, long stale, long retried, long deadLettered, long skipped, long bulks, long failedBulks,
            long commits, int inFlightRequests, long bufferedActions, long bufferedBytes, boolean paused,
            Duration pausedTime) {
        this(records, events, indexActions, upsertActions, deleteActions, 0, coalesced, stale, 0, retried,
                deadLettered, skipped, bulks, failedBulks, commits, inFlightRequests, bufferedActions, bufferedBytes, paused,
                pausedTime, Timing.EMPTY, Timing.EMPTY, Sizes.EMPTY, Sizes.EMPTY, Map.of(), null);
    }

    /** Actions the rule set produced, all operations together. */
    public long actions() {
        return indexActions + upsertActions + deleteActions + updateActions;
    }

    /** The sum of {@link #lag()} over all partitions. */
    public long totalLag() {
        long sum = 0;
        for (long l : lag.values()) {
            sum += l;
        }
        return sum;
    }

    /**
     * A distribution of durations, reported like a Micrometer timer: {@code count} and
     * {@code total} since the pipeline started (for rates), {@code p50}, {@code p99} and
     * {@code max} over the last minute (between 60 and 75 seconds: five 15-second slices), so they
     * show the pipeline's state now, not its history; zero when nothing was recorded in that
     * window. Percentiles are at most 6.25% above the true value (log-linear buckets) and never
     * above {@code max}. Immutable.
     *
     * @param count values recorded since the start
     * @param total their sum
     * @param p50 the median over the last minute
     * @param p99 the 99th percentile over the last minute
     * @param max the largest value over the last minute
     */
    public record Timing(long count, Duration total, Duration p50, Duration p99, Duration max) {
        /** Nothing recorded. */
        public static final Timing EMPTY = new Timing(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        public Timing {
            Objects.requireNonNull(total, "total");
            Objects.requireNonNull(p50, "p50");
            Objects.requireNonNull(p99, "p99");
            Objects.requireNonNull(max, "max");
        }
    }

    /**
     * A distribution of sizes (counts of actions, or bytes), reported like {@link Timing}:
     * {@code count} and {@code total} since the start, {@code p50}, {@code p99} and {@code max}
     * over the last minute (0 when nothing was recorded in it). Immutable.
     *
     * @param count values recorded since the start
     * @param total their sum
     * @param p50 the median over the last minute
     * @param p99 the 99th percentile over the last minute
     * @param max the largest value over the last minute
     */
    public record Sizes(long count, long total, long p50, long p99, long max) {
        /** Nothing recorded. */
        public static final Sizes EMPTY = new Sizes(0, 0, 0, 0, 0);
    }
}
