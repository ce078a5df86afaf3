package dev.binlogsync.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A configuration file ({@code .json} or {@code .toml}, by its name), watched: each
 * {@link #read()} reads the whole file and compares its SHA-256 with the last one returned, so an
 * edit is seen whatever the file system's timestamps do (coarse modification times, editors that
 * write a new file and rename it over the old, a Kubernetes ConfigMap's symbolic-link swap). A file
 * that is missing or unreadable for a moment is an {@link IOException}: the service keeps the
 * running configuration.
 *
 * <p>A changed content is returned only once it is <em>stable</em>: when two consecutive reads (one
 * poll apart) agree. An in-place edit read in the middle of its write can be a valid prefix of the
 * new document (fewer pipelines or rules); it is never applied unless the writer stalls for a
 * whole poll interval. Replacing the file by an atomic rename is the recommended way to change it.
 * The first read returns the content as it is. Not thread-safe (the service reads from one
 * thread).
 */
public final class FileConfigSource implements ConfigSource {
    private final Path file;
    private final ServiceConfig.Format format;
    @Nullable private byte[] lastHash;
    @Nullable private byte[] pendingHash;

    /**
     * A source reading {@code file}.
     *
     * @throws IllegalArgumentException if the name ends neither in {@code .json} nor {@code .toml}
     */
    public FileConfigSource(Path file) {
        this.file = Objects.requireNonNull(file, "file");
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".toml")) {
            format = ServiceConfig.Format.TOML;
        } else if (name.endsWith(".json")) {
            format = ServiceConfig.Format.JSON;
        } else {
            throw new IllegalArgumentException("cannot tell the format of " + file + ": use a .json or .toml file name");
        }
    }

    @Override
    @Nullable
    public Document read() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] hash = sha256(bytes);
        if (lastHash != null && Arrays.equals(lastHash, hash)) {
            pendingHash = null;
            return null;
        }
        if (lastHash != null && !Arrays.equals(pendingHash, hash)) {
            // changed, but maybe read in the middle of an in-place write: wait until a read agrees
            pendingHash = hash;
            return null;
        }
        pendingHash = null;
        lastHash = hash;
        return new Document(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), format);
    }

    @Override
    public void forget() {
        lastHash = null;
        pendingHash = null;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public boolean isWatched() {
        return true;
    }

    @Override
    public String describe() {
        return "file " + file;
    }

    @Override
    public String toString() {
        return "FileConfigSource[" + file + "]";
    }
}
