package dev.binlogsync.core.alert;

/**
 * The conditions an {@link AlertEvaluator} watches, each set (at most once) on
 * {@link AlertRules.Builder}. Each is judged at every evaluation from one
 * {@link dev.binlogsync.core.SyncPipeline#metrics()} snapshot or
 * {@link dev.binlogsync.core.SyncPipeline#health()} reading; an episode starts at the first
 * evaluation where it holds and fires once it has held at every evaluation for its duration.
 */
public enum AlertCondition {
    /**
     * {@link dev.binlogsync.core.PipelineMetrics#syncLatency()}'s p99 (over the last minute) is
     * strictly above the bound. A minute with nothing acknowledged has a p99 of zero, so the
     * condition does not hold while nothing is written.
     */
    LATENCY_P99_ABOVE,
    /**
     * {@link dev.binlogsync.core.PipelineMetrics#heartbeatAge()} is strictly above the bound. Never
     * holds while no heartbeat was reported ({@code heartbeatAge()} is null): the hook judges the
     * heartbeats your check reports, it does not report them.
     */
    HEARTBEAT_AGE_ABOVE,
    /**
     * The total lag ({@link dev.binlogsync.core.PipelineMetrics#totalLag()}, the sum over partitions)
     * grew: it holds at an evaluation whose total lag is strictly greater than the previous
     * evaluation's. The episode starts at that previous evaluation (the value the lag grew from), so
     * it fires when the lag rose at every evaluation across at least the duration. An equal or
     * smaller lag, or an unknown one (empty {@code lag()}), ends the run: a lag that is high but
     * steady or shrinking is not growing.
     */
    LAG_GROWING,
    /**
     * {@link dev.binlogsync.core.SyncPipeline#health()} is not
     * {@link dev.binlogsync.core.PipelineHealth.Status#HEALTHY}: stalled, sink unreachable, failed,
     * and also starting (not started yet) or stopped (closed).
     */
    HEALTH_NOT_HEALTHY
}
