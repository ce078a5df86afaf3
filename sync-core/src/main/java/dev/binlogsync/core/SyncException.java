package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * Base of the unchecked exceptions binlog-sync throws. Subclasses of {@link RetriableSyncException}
 * mark failures that may succeed when tried again.
 */
public class SyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public SyncException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure, or null
     */
    public SyncException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
