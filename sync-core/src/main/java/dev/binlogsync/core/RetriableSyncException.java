package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * A failure that may succeed when retried: a connection refused, a timeout, HTTP 429 or 5xx. The
 * pipeline retries the work with backoff and never skips it.
 */
public class RetriableSyncException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public RetriableSyncException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure, or null
     */
    public RetriableSyncException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
