package dev.binlogsync.core.rules;

/** How a {@link TableRule} writes a row's document. */
public enum WriteMode {
    /**
     * The default: an {@code update} with {@code doc_as_upsert: true} carrying the whole mapped row,
     * so fields other rules merged into the document survive. Cannot carry an external version.
     */
    UPSERT,
    /**
     * A full replace ({@code index}): cheaper for Elasticsearch than an update, may carry an external
     * version, but wipes fields that other rules merged into the document.
     */
    INDEX
}
