package dev.binlogsync.service;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A JSON document in an environment variable (as a configuration center's agent or a Kubernetes
 * secret hands it over), read once: the environment of a running process does not change, so the
 * source is not watched.
 */
public final class EnvConfigSource implements ConfigSource {
    private final String variable;
    private final Map<String, String> env;
    private boolean read;

    /** A source reading {@code variable} from {@link System#getenv()}. */
    public EnvConfigSource(String variable) {
        this(variable, System.getenv());
    }

    /** A source reading {@code variable} from {@code env} (tests). */
    public EnvConfigSource(String variable, Map<String, String> env) {
        this.variable = Objects.requireNonNull(variable, "variable");
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        if (variable.isBlank()) {
            throw new IllegalArgumentException("variable must not be blank");
        }
    }

    /**
     * The document on the first call, null afterwards.
     *
     * @throws IOException if the variable is not set or blank
     */
    @Override
    @Nullable
    public Document read() throws IOException {
        if (read) {
            return null;
        }
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            throw new IOException("environment variable " + variable + " is " + (value == null ? "not set" : "blank"));
        }
        read = true;
        return new Document(value, ServiceConfig.Format.JSON);
    }

    @Override
    public boolean isWatched() {
        return false;
    }

    @Override
    public String describe() {
        return "environment variable " + variable;
    }

    @Override
    public String toString() {
        return "EnvConfigSource[" + variable + "]";
    }
}
