package dev.binlogsync.elasticsearch;

/**
 * How {@link ElasticsearchSink} writes an UPSERT or UPDATE whose document has an object (a
 * {@code Map}, such as a decoded JSON column or a merge rule's {@code nestUnder} field) as a
 * top-level value. Elasticsearch's partial update ({@code doc}) merges an object into the stored
 * one key by key, so a key the new object lacks would stay; the rules mean each field they write
 * to be the row's current value. Documents without object values are always written as a
 * {@code doc}. Set with {@link ElasticsearchSink.Builder#objectFields}.
 */
public enum ObjectFields {
    /**
     * {@link #REPLACE}, unless the cluster reports at {@link ElasticsearchSink#start()} that it has no
     * painless language at all (a node built without the {@code lang-painless} module, as an
     * in-process test node), then {@link #MERGE} with a warning in the log. The default. A cluster
     * whose answer cannot be read is taken to have painless.
     */
    AUTO,
    /**
     * Each field replaces the stored one whole, objects included, through an inline painless script
     * (a {@link dev.binlogsync.core.PartialObject} merged key by key; {@code noop} when nothing
     * changed). A cluster that does not run inline painless scripts in the update context
     * ({@code script.allowed_types}, {@code script.allowed_contexts}) answers each such item with
     * a permanent failure whose reason says what to allow.
     */
    REPLACE,
    /**
     * Elasticsearch's own {@code doc} merge: objects key by key, so a key an object no longer has
     * stays in the document (Elasticsearch then differs from MySQL). Only for a cluster that cannot
     * run scripts.
     */
    MERGE
}
