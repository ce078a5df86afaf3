package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * Input that cannot be turned into change events: malformed JSON, a missing table or key, an
 * unknown operation, a value that does not fit its declared type. The message names the source
 * position (topic, partition, offset) and what is wrong. Never retriable: the same bytes fail the
 * same way.
 */
public class DecodeException extends SyncException {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
