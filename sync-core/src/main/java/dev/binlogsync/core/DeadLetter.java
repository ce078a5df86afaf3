package dev.binlogsync.core;

import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Something the pipeline could not write and hands to a {@link DeadLetterSink}: a record that could
 * not be decoded or mapped, or a document the search index rejected for good.
 *
 * <p>A rejected document coalesced from the changes of several source records gives one dead
 * letter per record, oldest first, each with that record (its own raw bytes and position) and all
 * with the same merged {@code action}, {@code result} and {@code positions}; the reason ends with
 * {@code "record k of n"}. Replaying the records of all the letters in order reproduces every
 * change the document was made of. A record that changed the document twice gives one letter.
 *
 * @param kind why it is a dead letter
 * @param reason a readable reason, including the server's error type and reason when there is one
 * @param record the source record it comes from; its key and value are the original bytes where
 *     the source kept them
 * @param positions every source position the failed work covered, oldest first, each once (for a
 *     coalesced document, the positions of all its letters)
 * @param action the rejected action, or null for decode and mapping failures
 * @param result the server's item result, or null for decode and mapping failures
 * @param timeMillis when the pipeline gave up on it, epoch ms
 */
public record DeadLetter(
        Kind kind,
        String reason,
        SourceRecord record,
        List<SourcePosition> positions,
        @Nullable DocumentAction action,
        @Nullable ItemResult result,
        long timeMillis) {

    /** Why something became a dead letter. */
    public enum Kind {
        /**
         * The source could not decode the record into change events (the record carries the
         * decoder's failure, e.g. a {@link DecodeException}); {@code action} and {@code result} are null.
         */
        UNDECODABLE,
        /**
         * The rule set (a rule, filter, converter or customizer) threw on one of the record's
         * events; none of the record's events is written. {@code action} and {@code result} are null.
         */
        UNMAPPABLE,
        /**
         * The sink answered the document's action {@link ItemResult.Outcome#PERMANENT} (a mapping
         * conflict, an invalid value); {@code action} and {@code result} say what and why.
         */
        REJECTED
    }

    public DeadLetter {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(positions, "positions");
    }
}
