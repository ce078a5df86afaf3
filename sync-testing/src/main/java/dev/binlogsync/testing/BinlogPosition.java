package dev.binlogsync.testing;

import java.util.Objects;

/**
 * A position in a MySQL/MariaDB binlog: a file name and a byte offset in it. Ordered by file name
 * (binlog files are numbered with zero padding, so names sort in creation order), then offset.
 *
 * <p>Immutable and thread-safe.
 *
 * @param file the binlog file name, e.g. {@code mysql-bin.000001}; never empty
 * @param position the byte offset in the file, {@code >= 4} (the first event follows the 4-byte magic)
 */
public record BinlogPosition(String file, long position) implements Comparable<BinlogPosition> {

    public BinlogPosition {
        Objects.requireNonNull(file, "file");
        if (file.isEmpty()) {
            throw new IllegalArgumentException("file must not be empty");
        }
        if (position < 4) {
            throw new IllegalArgumentException("position must be >= 4: " + position);
        }
    }

    /**
     * Parses {@link #toString()}'s form {@code file:position}.
     *
     * @throws IllegalArgumentException if {@code text} is not of that form
     */
    public static BinlogPosition parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not a binlog position (file:position): " + text);
        }
        try {
            return new BinlogPosition(text.substring(0, colon).trim(), Long.parseLong(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a binlog position (file:position): " + text, e);
        }
    }

    @Override
    public int compareTo(BinlogPosition other) {
        int byFile = file.compareTo(other.file);
        return byFile != 0 ? byFile : Long.compare(position, other.position);
    }

    @Override
    public String toString() {
        return file + ":" + position;
    }
}
