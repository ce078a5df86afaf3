package dev.binlogsync.core;

/**
 * What the pipeline does with work it cannot complete: a record it cannot decode or map, or a
 * document the search index rejects permanently. Never applied to retryable failures, which are
 * retried until they succeed.
 */
public enum FailurePolicy {
    /**
     * The default: the pipeline fails with an error naming the document and the source position,
     * commits everything before it, and nothing after it. Restarting reads the record again.
     */
    STOP,
    /**
     * Hand it to the configured {@link DeadLetterSink}; once that acknowledges, the position may be
     * committed past it. Requires a dead-letter sink.
     */
    DEAD_LETTER,
    /** Skip it, counted in the metrics and logged at WARN. Must be chosen explicitly. */
    SKIP
}
