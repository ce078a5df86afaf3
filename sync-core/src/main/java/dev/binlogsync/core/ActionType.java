package dev.binlogsync.core;

/** What a {@link DocumentAction} does to its document. */
public enum ActionType {
    /** Replace the whole document (Elasticsearch {@code index}). */
    INDEX,
    /** Merge the fields into the document, creating it when missing ({@code update} with {@code doc_as_upsert: true}). */
    UPSERT,
    /** Remove the document; a missing document counts as success. */
    DELETE
}
