package dev.binlogsync.core;

import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What one bulk request to the {@link BulkSink} came to, reported to
 * {@link PipelineListener#onBulkCompleted}.
 *
 * @param lane the lane the request was sent from ({@code 0 <= lane < lanes})
 * @param actions the number of actions in the request
 * @param succeeded items written (or, for deletes, already gone)
 * @param stale items not applied because the index holds a newer external version (done)
 * @param missing {@link ActionType#UPDATE} items whose document did not exist (done, nothing written)
 * @param retried items that will be sent again (retryable failures, and later actions for the
 *     same document in the same request)
 * @param rejected items that failed permanently and went to the rejection policy
 * @param requestFailure the whole-request failure, or null when the sink answered per item
 * @param latency time from sending the request to handling its completion
 */
public record BulkSummary(
        int lane,
        int actions,
        int succeeded,
        int stale,
        int missing,
        int retried,
        int rejected,
        @Nullable Throwable requestFailure,
        Duration latency) {

    public BulkSummary {
        Objects.requireNonNull(latency, "latency");
    }

    /** A summary without {@code missing} items, as the first release built it. */
    public BulkSummary(int lane, int actions, int succeeded, int stale, int retried, int rejected,
            @Nullable Throwable requestFailure, Duration latency) {
        this(lane, actions, succeeded, stale, 0, retried, rejected, requestFailure, latency);
    }
}
