package dev.binlogsync.core;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One document as a {@link DocumentReader} found it.
 *
 * <p>A read at a routing finds the document with that id in the shard the routing selects, whatever
 * routing it was written with: in an index of one shard every routing finds it. {@link #storedRouting}
 * says which routing the found document was written with.
 *
 * @param ref the document asked for
 * @param found whether it exists (a missing index counts as not found)
 * @param seqNo its {@code _seq_no}; -1 when not found
 * @param primaryTerm its {@code _primary_term}; 0 when not found
 * @param source its {@code _source} as JSON text, or null when not found
 * @param storedRouting the routing the found document was written with ({@code _routing}), null when
 *     it has none or when not found
 * @param version its {@code _version} (the external version of a document written with one); 0 when
 *     not found or not reported
 */
public record StoredDocument(DocumentRef ref, boolean found, long seqNo, long primaryTerm, @Nullable String source,
        @Nullable String storedRouting, long version) {

    public StoredDocument {
        Objects.requireNonNull(ref, "ref");
        if (found && (seqNo < 0 || primaryTerm < 1 || source == null)) {
            throw new IllegalArgumentException("a found document needs seqNo >= 0, primaryTerm >= 1 and a source: "
                    + ref.describe());
        }
        if (!found && (storedRouting != null || version != 0)) {
            throw new IllegalArgumentException("a document not found has no stored routing or version: "
                    + ref.describe());
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0: " + version);
        }
    }

    /** A document as {@link StoredDocument the full constructor} gives it, its version not reported (0). */
    public StoredDocument(DocumentRef ref, boolean found, long seqNo, long primaryTerm, @Nullable String source,
            @Nullable String storedRouting) {
        this(ref, found, seqNo, primaryTerm, source, storedRouting, 0);
    }

    /**
     * A document found with the routing it was asked for ({@link #storedRouting} is the ref's), or
     * one not found: for readers of indices where a routing only ever finds documents written with
     * it.
     */
    public StoredDocument(DocumentRef ref, boolean found, long seqNo, long primaryTerm, @Nullable String source) {
        this(ref, found, seqNo, primaryTerm, source, found ? ref.routing() : null, 0);
    }

    /** A document that does not exist. */
    public static StoredDocument missing(DocumentRef ref) {
        return new StoredDocument(ref, false, -1, 0, null, null, 0);
    }

    /** Where the found document lives: the ref's index and id with the routing it was written with. */
    public DocumentRef storedRef() {
        return new DocumentRef(ref.index(), ref.id(), storedRouting);
    }
}
