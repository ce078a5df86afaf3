package dev.binlogsync.core.config;

import dev.binlogsync.core.SyncException;
import javax.annotation.Nullable;

/**
 * An invalid pipeline configuration. The message starts with the path of the offending value, in
 * the form {@code rules[2].index}, followed by the problem: {@code "rules[2].index: Elasticsearch
 * index names must be lower case ..."}. Not retriable.
 */
public class ConfigException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public ConfigException(String path, String problem) {
        this(path, problem, null);
    }

    public ConfigException(String path, String problem, @Nullable Throwable cause) {
        super((path.isEmpty() ? "(root)" : path) + ": " + problem, cause);
        this.path = path;
    }

    /** Where in the configuration the problem is, e.g. {@code rules[2].index}; empty for the root. */
    public String path() {
        return path;
    }
}
