package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import javax.annotation.Nullable;

/**
 * A 2xx answer to a bulk that cannot be read item by item: not JSON, cut short, items missing or
 * extra, an item without a numeric HTTP status, without the action key or answering another
 * action. Such an answer proves nothing about any document, neither a write nor a rejection; the
 * sink reports the whole request as in doubt. The message is escaped and capped
 * ({@link UntrustedText}).
 */
public final class MalformedBulkResponseException extends SyncException {
    private static final long serialVersionUID = 1L;

    public MalformedBulkResponseException(String message) {
        this(message, null);
    }

    public MalformedBulkResponseException(String message, @Nullable Throwable cause) {
        super(UntrustedText.shown(message, 1024), cause);
    }
}
