package dev.binlogsync.core;

/** What a {@link DocumentAction} does to its document. */
public enum ActionType {
    /** Replace the whole document (Elasticsearch {@code index}). */
    INDEX,
    /**
     * Set the fields in the document, creating it when missing ({@code update} with
     * {@code doc_as_upsert: true}). Each field replaces the stored one whole, an object included (a
     * key the new object lacks goes), except a {@link PartialObject}, merged key by key; fields the
     * document has and the action does not carry stay. A missing document is created with exactly
     * the fields. The Elasticsearch sink writes a document with an object value as a painless script,
     * because Elasticsearch's {@code doc} would merge objects key by key.
     */
    UPSERT,
    /** Remove the document; a missing document counts as success. */
    DELETE,
    /**
     * Set the fields in the document only if it exists ({@code update} with {@code doc}, no
     * upsert), each replaced whole as for {@link #UPSERT}: never creates it. A missing document is done, reported as
     * {@link ItemResult.Outcome#MISSING}. What a merge rule writes into its parent's document, so a
     * child row's change cannot re-create a parent that was deleted or filtered out.
     */
    UPDATE,
    /**
     * Write the whole document only if it does not exist (Elasticsearch {@code index} with
     * {@code op_type=create}, the bulk's {@code create}). A document that exists is left as it is and
     * the action is done, reported as {@link ItemResult.Outcome#EXISTS}. What the backfill writes, so
     * a snapshot copy never overwrites a copy the stream wrote. The pipeline's rules never produce it.
     */
    CREATE
}
