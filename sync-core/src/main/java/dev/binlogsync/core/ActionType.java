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
    UPDATE,
    /**
     * Write the whole document only if it does not exist (Elasticsearch {@code index} with
     * {@code op_type=create}, the bulk's {@code create}). A document that exists is left as it is and
     * the action is done, reported as {@link ItemResult.Outcome#EXISTS}. What the backfill writes, so
     * a snapshot copy never overwrites a copy the stream wrote. The pipeline's rules never produce it.
     */
    CREATE
}
