package dev.binlogsync.core;

/** What a {@link DocumentAction} does to its document. */
public enum ActionType {
    /** Replace the whole document (Elasticsearch {@code index}). */
    INDEX,
    /** Merge the fields into the document, creating it when missing ({@code update} with {@code doc_as_upsert: true}). */
    UPSERT,
    /** Remove the document; a missing document counts as success. */
    DELETE,
    /**
     * Merge the fields into the document only if it exists ({@code update} with {@code doc}, no
     * upsert): never creates it. A missing document is done, reported as
     * {@link ItemResult.Outcome#MISSING}. What a merge rule writes into its parent's document, so a
     * child row's change cannot re-create a parent that was deleted or filtered out.
     */
    UPDATE
}
