package dev.binlogsync.examples.testbed;

import dev.binlogsync.testing.BinlogPosition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where {@link BinlogCanalRelay} keeps the binlog position it has shipped up to, so a restarted
 * relay resumes there. The relay saves only positions at transaction boundaries, after the sink
 * acknowledged every message before them.
 *
 * <p>Implementations must be thread-safe.
 */
public interface BinlogPositionStore {

    /** The last saved position, or empty when none was saved yet. */
    Optional<BinlogPosition> load();

    /** Saves {@code position} durably, replacing the previous one. */
    void save(BinlogPosition position);

    /**
     * A store in a small text file ({@code file:position}), replaced atomically on each save so a
     * crash never leaves a torn position behind. The parent directory must exist.
     */
    static BinlogPositionStore file(Path path) {
        Objects.requireNonNull(path, "path");
        return new BinlogPositionStore() {
            @Override
            public synchronized Optional<BinlogPosition> load() {
                try {
                    if (!Files.exists(path)) {
                        return Optional.empty();
                    }
                    return Optional.of(BinlogPosition.parse(Files.readString(path, StandardCharsets.UTF_8).trim()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read binlog position from " + path, e);
                }
            }

            @Override
            public synchronized void save(BinlogPosition position) {
                Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
                try {
                    Files.writeString(tmp, position.toString(), StandardCharsets.UTF_8);
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot save binlog position to " + path, e);
                }
            }

            @Override
            public String toString() {
                return "BinlogPositionStore.file(" + path + ")";
            }
        };
    }

    /** A store in memory, for tests and the demo (it survives a relay restart, not a JVM restart). */
    static BinlogPositionStore inMemory() {
        AtomicReference<BinlogPosition> saved = new AtomicReference<>();
        return new BinlogPositionStore() {
            @Override
            public Optional<BinlogPosition> load() {
                return Optional.ofNullable(saved.get());
            }

            @Override
            public void save(BinlogPosition position) {
                saved.set(Objects.requireNonNull(position, "position"));
            }

            @Override
            public String toString() {
                return "BinlogPositionStore.inMemory(" + saved.get() + ")";
            }
        };
    }
}
