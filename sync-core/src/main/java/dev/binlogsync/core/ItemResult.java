package dev.binlogsync.core;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The outcome of one {@link DocumentAction} in a bulk request, as classified by the {@link BulkSink}.
 *
 * @param outcome success, stale, missing, exists, conflict, retryable or permanent
 * @param status the HTTP status of the item ({@code 200}, {@code 201}, {@code 404}, {@code 409},
 *     {@code 400}, {@code 429}, ...), or 0 when there was none
 * @param errorType the server's error type (e.g. {@code mapper_parsing_exception}), or null
 * @param reason the server's reason, or null on success
 */
public record ItemResult(Outcome outcome, int status, @Nullable String errorType, @Nullable String reason) {

    /** How the pipeline treats an item. */
    public enum Outcome {
        /** Written (or, for a delete, already gone). */
        SUCCESS,
        /** Not applied because the index holds a newer external version; counted, treated as done. */
        STALE,
        /**
         * An {@link ActionType#UPDATE} whose document does not exist (404
         * {@code document_missing_exception}): nothing to update, and an update must not create it;
         * counted ({@link PipelineMetrics#missing()}), treated as done.
         */
        MISSING,
        /**
         * A {@link ActionType#CREATE} whose document already exists (409
         * {@code version_conflict_engine_exception}): the document is left as it is; treated as done.
         */
        EXISTS,
        /**
         * A conditional delete or update ({@link DocumentAction#ifSeqNo()}) whose document changed since it was
         * read, or is gone (409): the document is left as it is; treated as done.
         */
        CONFLICT,
        /** Failed but may succeed when retried (429, rejected execution, 5xx, unavailable shards). */
        RETRYABLE,
        /** Rejected for good (a mapping conflict, an invalid argument): goes to the rejection policy. */
        PERMANENT
    }

    private static final ItemResult OK = new ItemResult(Outcome.SUCCESS, 200, null, null);

    public ItemResult {
        Objects.requireNonNull(outcome, "outcome");
    }

    /** A plain success. */
    public static ItemResult success() {
        return OK;
    }

    /** A success with its status. */
    public static ItemResult success(int status) {
        return status == 200 ? OK : new ItemResult(Outcome.SUCCESS, status, null, null);
    }

    /** A stale external-version write. */
    public static ItemResult stale(@Nullable String reason) {
        return new ItemResult(Outcome.STALE, 409, "version_conflict_engine_exception", reason);
    }

    /** An {@link ActionType#UPDATE} of a document that does not exist. */
    public static ItemResult missing(@Nullable String reason) {
        return new ItemResult(Outcome.MISSING, 404, "document_missing_exception", reason);
    }

    /** A {@link ActionType#CREATE} that found its document present. */
    public static ItemResult exists(@Nullable String reason) {
        return new ItemResult(Outcome.EXISTS, 409, "version_conflict_engine_exception", reason);
    }

    /** A conditional delete whose document no longer has the sequence number it was read with. */
    public static ItemResult conflict(@Nullable String reason) {
        return new ItemResult(Outcome.CONFLICT, 409, "version_conflict_engine_exception", reason);
    }

    /** A retryable failure. */
    public static ItemResult retryable(int status, @Nullable String errorType, @Nullable String reason) {
        return new ItemResult(Outcome.RETRYABLE, status, errorType, reason);
    }

    /** A permanent failure. */
    public static ItemResult permanent(int status, @Nullable String errorType, @Nullable String reason) {
        return new ItemResult(Outcome.PERMANENT, status, errorType, reason);
    }

    /** Whether the item is done (success, stale, missing, exists or conflict). */
    public boolean isDone() {
        return outcome == Outcome.SUCCESS || outcome == Outcome.STALE || outcome == Outcome.MISSING
                || outcome == Outcome.EXISTS || outcome == Outcome.CONFLICT;
    }
}
