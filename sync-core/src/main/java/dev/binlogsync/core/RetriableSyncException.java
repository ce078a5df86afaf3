package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * A failure that may succeed when retried: a connection refused, a timeout, HTTP 429 or 5xx. The
 * pipeline retries the work with backoff and never skips it.
 */
public class RetriableSyncException extends SyncException {
    private static final long serialVersionUID = 1L;

    public RetriableSyncException(String message) {
        super(message);
    }

    public RetriableSyncException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
