package dev.binlogsync.core.config;

import dev.binlogsync.core.SyncException;
import javax.annotation.Nullable;

/**
 * An invalid pipeline configuration. The message starts with the path of the offending value, in
 * the form {@code rules[2].index}, followed by the problem: {@code "rules[2].index: Elasticsearch
 * index names must be lower case ..."}. Not retriable.
 *
 * <p>Immutable (path and message are fixed at construction) and so safe to pass between threads;
 * the cause, if any, is whatever exception the reader failed with.
 */
public class ConfigException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * A problem without an underlying exception.
     *
     * @param path where the problem is, e.g. {@code rules[2].index}; empty for the root (the
     *     message then says {@code (root)})
     * @param problem what is wrong, for the message
     */
    public ConfigException(String path, String problem) {
        this(path, problem, null);
    }

    /**
     * A problem caused by {@code cause} (e.g. a parse error or an invalid value a builder rejected).
     *
     * @param path where the problem is; empty for the root
     * @param problem what is wrong, for the message
     * @param cause the underlying exception, or null
     */
    public ConfigException(String path, String problem, @Nullable Throwable cause) {
        super((path.isEmpty() ? "(root)" : path) + ": " + problem, cause);
        this.path = path;
    }

    /** Where in the configuration the problem is, e.g. {@code rules[2].index}; empty for the root. */
    public String path() {
        return path;
    }
}
