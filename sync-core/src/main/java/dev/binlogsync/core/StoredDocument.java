package dev.binlogsync.core;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One document as a {@link DocumentReader} found it.
 *
 * @param ref the document asked for
 * @param found whether it exists (a missing index counts as not found)
 * @param seqNo its {@code _seq_no}; -1 when not found
 * @param primaryTerm its {@code _primary_term}; 0 when not found
 * @param source its {@code _source} as JSON text, or null when not found
 */
public record StoredDocument(DocumentRef ref, boolean found, long seqNo, long primaryTerm, @Nullable String source) {

    public StoredDocument {
        Objects.requireNonNull(ref, "ref");
        if (found && (seqNo < 0 || primaryTerm < 1 || source == null)) {
            throw new IllegalArgumentException("a found document needs seqNo >= 0, primaryTerm >= 1 and a source: "
                    + ref.describe());
        }
    }

    /** A document that does not exist. */
    public static StoredDocument missing(DocumentRef ref) {
        return new StoredDocument(ref, false, -1, 0, null);
    }
}
