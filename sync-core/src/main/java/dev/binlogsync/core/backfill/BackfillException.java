package dev.binlogsync.core.backfill;

import dev.binlogsync.core.SyncException;
import javax.annotation.Nullable;

/**
 * A backfill stopped: a table it cannot load (no primary key, a rule it cannot serve), a query that
 * failed, a document the index rejected, or the sink or checkpoint store failing beyond the retries.
 * The message names the table (and the document, when one is to blame); the last saved checkpoint
 * stays valid, and a new run continues from it.
 */
public class BackfillException extends SyncException {
    private static final long serialVersionUID = 1L;

    public BackfillException(String message) {
        super(message);
    }

    public BackfillException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
