package dev.binlogsync.core;

/**
 * How much of its row a {@link ChangeEvent} carries, as far as its decoder can tell. A rule in
 * {@link dev.binlogsync.core.rules.WriteMode#AUTO} replaces a document it owns with an {@code index}
 * only for a {@link #FULL} row; any other row is written as an upsert, which keeps the columns the
 * change does not carry.
 *
 * <p>MySQL's {@code binlog_row_image} decides what a row event holds: {@code FULL} logs every column,
 * {@code NOBLOB} leaves out unchanged BLOB and TEXT columns, {@code MINIMAL} logs only the changed
 * columns (and the key in the before image).
 */
public enum RowImage {
    /** Every column of the table: the after image of an insert or update with {@code binlog_row_image=FULL}. */
    FULL,
    /** Known to lack columns: written by a {@code MINIMAL} or {@code NOBLOB} row image. */
    PARTIAL,
    /**
     * The decoder cannot tell; treated as {@link #PARTIAL} where it matters. What an event built
     * without a row image carries (a decoder written before row images existed).
     */
    UNKNOWN
}
