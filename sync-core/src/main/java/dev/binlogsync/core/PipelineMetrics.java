package dev.binlogsync.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A point-in-time snapshot of a {@link SyncPipeline}'s counters, from {@link SyncPipeline#metrics()}.
 * Counters are cumulative since the pipeline started; gauges ({@code inFlightRequests},
 * {@code bufferedActions}, {@code bufferedBytes}, {@code paused}) are the current value. Immutable.
 *
 * @param records source records read
 * @param events change events read (one record can carry several)
 * @param indexActions INDEX actions the rule set produced
 * @param upsertActions UPSERT actions the rule set produced
 * @param deleteActions DELETE actions the rule set produced
 * @param coalesced actions merged into an earlier buffered action for the same document
 * @param stale items the index did not apply because it holds a newer external version
 * @param retried items sent again after a retryable failure
 * @param deadLettered dead letters acknowledged by the dead-letter sink
 * @param skipped records, events or items dropped by an explicit {@link FailurePolicy#SKIP}
 * @param bulks bulk requests completed
 * @param failedBulks bulk requests that failed as a whole
 * @param commits successful commits to the source
 * @param inFlightRequests bulk requests currently in flight
 * @param bufferedActions actions held and not yet acknowledged (buffered, in flight, waiting for retry)
 * @param bufferedBytes the estimated size of those actions
 * @param paused whether the source is paused now (backpressure)
 * @param pausedTime total time the source has been paused
 */
public record PipelineMetrics(
        long records,
        long events,
        long indexActions,
        long upsertActions,
        long deleteActions,
        long coalesced,
        long stale,
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
        Duration pausedTime) {

    /** All zero: a pipeline that has not started. */
    public static final PipelineMetrics EMPTY =
            new PipelineMetrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, Duration.ZERO);

    public PipelineMetrics {
        Objects.requireNonNull(pausedTime, "pausedTime");
    }

    /** Actions the rule set produced, all operations together. */
    public long actions() {
        return indexActions + upsertActions + deleteActions;
    }
}
