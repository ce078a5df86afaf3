package dev.binlogsync.service;

import java.io.IOException;
import javax.annotation.Nullable;

/**
 * Where the service's configuration comes from: a watched file ({@link FileConfigSource}), an
 * environment variable ({@link EnvConfigSource}), or a configuration center polled over HTTP
 * ({@link HttpConfigSource}).
 *
 * <p>The service calls {@link #read()} once at start (it must return a document) and then, if
 * {@link #isWatched()}, every {@code service.configPollInterval}; a document is handed to the
 * supervisor only when it differs from the last one read. Called from one thread at a time.
 */
public interface ConfigSource extends AutoCloseable {

    /**
     * The document, or null when it has not changed since the last call that returned one (the
     * first call never returns null).
     *
     * @throws IOException when it cannot be read now (the service keeps the running configuration
     *     and tries again at the next poll); the message never contains a credential
     */
    @Nullable
    Document read() throws IOException, InterruptedException;

    /**
     * Forgets the last document returned, so the next {@link #read()} returns the current document
     * even when it has not changed: the service calls it when a document was refused for a reason
     * that may pass (a pipeline that could not be built), so the next poll tries it again. The
     * default does nothing (a source read once).
     */
    default void forget() {
    }

    /** Whether the document can change while the service runs (then it is polled). */
    boolean isWatched();

    /** Where the configuration comes from, for logs: without credentials. */
    String describe();

    /** Releases what the source holds; the default does nothing. */
    @Override
    default void close() {
    }

    /** A configuration document and its format. */
    record Document(String text, ServiceConfig.Format format) {
        /** Checks for null. */
        public Document {
            java.util.Objects.requireNonNull(text, "text");
            java.util.Objects.requireNonNull(format, "format");
        }

        /** The text's length only: the text may hold secrets. */
        @Override
        public String toString() {
            return "Document[" + format + ", " + text.length() + " chars]";
        }
    }
}
