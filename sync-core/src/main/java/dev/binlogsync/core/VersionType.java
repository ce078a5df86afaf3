package dev.binlogsync.core;

/** Elasticsearch external versioning of an {@link ActionType#INDEX} or {@link ActionType#DELETE}. */
public enum VersionType {
    /** Applied only when the given version is greater than the stored one. */
    EXTERNAL,
    /** Applied when the given version is greater than or equal to the stored one. */
    EXTERNAL_GTE
}
