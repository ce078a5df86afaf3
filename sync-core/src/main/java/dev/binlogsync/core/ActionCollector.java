package dev.binlogsync.core;

/**
 * Receives the document actions a {@link RuleSet} produces for one change event. Valid only during
 * the {@link RuleSet#apply} call it was passed to; not thread-safe.
 */
@FunctionalInterface
public interface ActionCollector {
    /** Adds one action; actions for one document keep the order they are collected in. */
    void collect(DocumentAction action);
}
