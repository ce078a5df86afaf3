package dev.binlogsync.core;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row change read from the MySQL binlog, decoded from whatever format carried it (Canal,
 * Debezium, Maxwell).
 *
 * <p>Row values are plain JSON-compatible Java values, so a document can be written from them
 * without conversion: {@code String}, {@code Boolean}, {@code Integer}, {@code Long},
 * {@code java.math.BigInteger} (unsigned bigint beyond {@code Long}), {@code Double},
 * {@code Float}, {@code java.math.BigDecimal}, {@code java.util.List} and {@code java.util.Map}
 * (JSON columns), or {@code null}. Dates and times arrive as strings in the decoder's configured
 * format; binary values as base64 strings.
 *
 * <p>Immutable as far as the caller keeps the maps unmodified; decoders hand over maps they no
 * longer touch, and the constructor does not copy them (the hot path avoids the copy). Thread-safe
 * for reading.
 *
 * @param database the schema name, never null
 * @param table the table name, never null
 * @param operation insert, update or delete
 * @param row the after image; for {@link Operation#DELETE} the before image; column name to value
 * @param oldValues for {@link Operation#UPDATE} the previous values of the changed columns only;
 *     empty otherwise
 * @param primaryKeys the primary-key column names in key order; empty when the table has none
 * @param eventTimeMillis the binlog event time, epoch milliseconds ({@code 0} when the format does
 *     not carry one)
 * @param position where the record carrying this event sits in its source
 * @param rowImage whether {@code row} is the whole row ({@link RowImage#FULL}), known to lack
 *     columns, or unknown; never null. The constructor without it gives {@link RowImage#UNKNOWN}, so a
 *     decoder that does not say is never taken to send full rows
 */
public record ChangeEvent(
        String database,
        String table,
        Operation operation,
        Map<String, Object> row,
        Map<String, Object> oldValues,
        List<String> primaryKeys,
        long eventTimeMillis,
        SourcePosition position,
        RowImage rowImage) {

    public ChangeEvent {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(oldValues, "oldValues");
        Objects.requireNonNull(primaryKeys, "primaryKeys");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(rowImage, "rowImage");
    }

    /**
     * An event whose row image is {@link RowImage#UNKNOWN}: for decoders that cannot tell whether a
     * row is complete. Rules in {@link dev.binlogsync.core.rules.WriteMode#AUTO} then upsert.
     */
    public ChangeEvent(String database, String table, Operation operation, Map<String, Object> row,
            Map<String, Object> oldValues, List<String> primaryKeys, long eventTimeMillis, SourcePosition position) {
        this(database, table, operation, row, oldValues, primaryKeys, eventTimeMillis, position, RowImage.UNKNOWN);
    }

    /** This event with {@code image} as its row image (the maps are shared, not copied). */
    public ChangeEvent withRowImage(RowImage image) {
        return new ChangeEvent(database, table, operation, row, oldValues, primaryKeys, eventTimeMillis, position, image);
    }

    /**
     * The row as it was before this change: for an update, {@link #row()} overlaid with
     * {@link #oldValues()}; for a delete, {@link #row()}; for an insert, an empty map.
     *
     * @return a new map for updates, otherwise a shared unmodifiable view
     */
    public Map<String, Object> beforeImage() {
        switch (operation) {
            case INSERT:
                return Collections.emptyMap();
            case DELETE:
                return Collections.unmodifiableMap(row);
            default:
                if (oldValues.isEmpty()) {
                    return Collections.unmodifiableMap(row);
                }
                Map<String, Object> before = new HashMap<>(row);
                before.putAll(oldValues);
                return before;
        }
    }

    /** {@code database.table}, the name rules and logs use. */
    public String qualifiedTable() {
        return database + "." + table;
    }
}
