package dev.binlogsync.core;

/**
 * Elasticsearch external versioning of an {@link ActionType#INDEX} or {@link ActionType#DELETE}: the
 * version comes from the source (e.g. the binlog position), and Elasticsearch refuses a write older
 * than what it stores. A refused write is answered 409, which the sink reports as
 * {@link ItemResult.Outcome#STALE}: counted and treated as done.
 */
public enum VersionType {
    /** Applied only when the given version is greater than the stored one; a replay of the same version is stale. */
    EXTERNAL,
    /** Applied when the given version is greater than or equal to the stored one; a replay of the same version is applied again. */
    EXTERNAL_GTE
}
