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
     * {@link #REPLACE}, unless at {@link ElasticsearchSink#start()} the sink has an ingest
     * {@linkplain ElasticsearchSink.Builder#pipeline pipeline} (which would not run on the script's
     * fields) or the cluster's {@code GET /_script_language} lists no painless language (a node
     * built without the {@code lang-painless} module, as an in-process test node), a
     * {@code types_allowed} without {@code inline} or painless contexts without {@code update}:
     * then {@link #MERGE} with a WARN in the log saying why. The default. A cluster whose answer
     * cannot be read is taken to allow the script. {@link ElasticsearchSink#objectFields()} reports
     * the mode taken.
     */
    AUTO,
    /**
     * Each field replaces the stored one whole, objects included, through an inline painless script
     * (a {@link dev.binlogsync.core.PartialObject} merged key by key; {@code noop} when nothing
     * changed). A cluster that does not run inline painless scripts in the update context
     * ({@code script.allowed_types}, {@code script.allowed_contexts}) answers each such item with
     * a permanent failure whose reason says what to allow. Refused with an ingest
     * {@linkplain ElasticsearchSink.Builder#pipeline pipeline}; an index whose
     * {@code index.default_pipeline} or {@code index.final_pipeline} is set needs {@link #MERGE}
     * too (the sink cannot see those; with the script the pipeline would see only an empty upsert).
     */
    REPLACE,
    /**
     * Elasticsearch's own {@code doc} merge: objects key by key, so a key an object no longer has
     * stays in the document (Elasticsearch then differs from MySQL). For a cluster that cannot run
     * inline painless in the update context, and for an index with an ingest pipeline
     * ({@code index.default_pipeline}, {@code index.final_pipeline}). The pipeline's coalescing then
     * merges objects at every depth too.
     */
    MERGE
}
