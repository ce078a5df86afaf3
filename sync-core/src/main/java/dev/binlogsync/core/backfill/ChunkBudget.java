package dev.binlogsync.core.backfill;

/**
 * How many rows the next chunk's {@code SELECT} asks for, and when a chunk being read is full: a
 * chunk ends at {@code maxRows} rows or as soon as its rendered documents reach {@code maxBytes}
 * (estimated as the sink's bounds estimate them), whichever comes first; a row is never split, so a
 * chunk holds at most {@code maxBytes} plus one row's documents. Reading stops there: the rows after
 * it are not read from the result set, and the next chunk starts after the last row read.
 *
 * <p>The {@code LIMIT} of the next chunk follows the widths seen: the rows that fit in
 * {@code maxBytes} at the last chunk's average bytes per row (at least 1, at most {@code maxRows}),
 * so a driver that buffers a whole result (most do by default) buffers about as much as the chunk
 * keeps. The first chunk of a run asks for {@code maxRows}. Not thread-safe.
 */
final class ChunkBudget {
    private final int maxRows;
    private final long maxBytes;
    private int limit;

    ChunkBudget(int maxRows, long maxBytes) {
        if (maxRows < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxRows and maxBytes must be positive: " + maxRows + ", " + maxBytes);
        }
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.limit = maxRows;
    }

    /** The rows the next chunk's {@code SELECT} asks for. */
    int limit() {
        return limit;
    }

    /** Whether a chunk whose documents are estimated at {@code bytes} is full. */
    boolean full(long bytes) {
        return bytes >= maxBytes;
    }

    /** After a chunk of {@code rows} rows whose documents were estimated at {@code bytes}: sets {@link #limit()}. */
    void read(int rows, long bytes) {
        if (rows <= 0) {
            return;
        }
        long perRow = Math.max(1, bytes / rows);
        long fit = (maxBytes + perRow - 1) / perRow;
        limit = (int) Math.max(1, Math.min(maxRows, fit));
    }
}
