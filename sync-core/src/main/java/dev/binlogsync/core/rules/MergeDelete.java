package dev.binlogsync.core.rules;

/**
 * What a merge rule ({@link TableRule.Builder#mergeInto}) does when its row is deleted (or stops
 * matching its filter, or moves to another parent document).
 */
public enum MergeDelete {
    /**
     * The default: an update (never creating the document) setting the rule's fields to null in the
     * parent document.
     */
    CLEAR,
    /** Leave the parent document as it is. */
    IGNORE
}
