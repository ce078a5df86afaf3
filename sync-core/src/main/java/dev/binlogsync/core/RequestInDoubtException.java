package dev.binlogsync.core;

import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A whole-request failure of a {@link BulkSink} after which the server may still apply the request,
 * late: the request was (or may have been) sent, and no answer says what became of it — a timeout
 * after sending, a connection reset after sending, a 502/503/504 from a proxy, an unreadable
 * response. Elasticsearch does not cancel a bulk when the client gives up, so such a bulk can be
 * applied seconds later, after a newer write of the same document.
 *
 * <p>The pipeline retries the same request (the same writes in the same order: applying it twice,
 * or the late original after the retry, ends in the same state) and sends no newer write of any of
 * its documents until {@link #fence()} has passed since this failure was reported. A sink that
 * knows a failed request was never sent (connection refused) reports a plain
 * {@link RetriableSyncException} instead, and the pipeline retries it without that wait.
 */
public class RequestInDoubtException extends RetriableSyncException {
    private static final long serialVersionUID = 1L;

    private final Duration fence;

    /**
     * @param fence how long newer writes of the request's documents wait, counted from when the
     *     pipeline learns of this failure; zero for no wait; not negative
     * @throws IllegalArgumentException if {@code fence} is negative
     */
    public RequestInDoubtException(String message, @Nullable Throwable cause, Duration fence) {
        super(message, cause);
        Objects.requireNonNull(fence, "fence");
        if (fence.isNegative()) {
            throw new IllegalArgumentException("fence must be >= 0: " + fence);
        }
        this.fence = fence;
    }

    /** How long newer writes of the request's documents wait after this failure; zero for no wait. */
    public Duration fence() {
        return fence;
    }
}
