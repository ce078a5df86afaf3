package dev.binlogsync.kafka.internal;

import dev.binlogsync.core.DecodeException;

/**
 * The errors of the decoders for changes the index cannot follow row by row, worded the same for
 * every format: what happened, to which table, and what the operator can do. {@code KafkaSource}
 * prefixes them with the topic, partition and offset.
 */
public final class Unfollowable {

    private Unfollowable() {
    }

    /**
     * A statement that removed every row of a table without a row event.
     *
     * @param statement {@code TRUNCATE TABLE} or {@code DROP TABLE}
     */
    public static DecodeException tableReset(String database, String table, String statement) {
        return tableReset(database + "." + table, statement);
    }

    /**
     * {@link #tableReset(String, String, String)} for a table named as {@code what}.
     *
     * @param what the table as {@code database.table}, or the database when the statement names several
     */
    public static DecodeException tableReset(String what, String statement) {
        return new DecodeException(what + ": " + statement + " cannot be applied to the index (it removes"
                + " every row without a row event); re-sync the table's documents, or leave the table out of syncedTables if"
                + " it is not synced");
    }

    /** A {@code tinyint(1)} value other than 0 or 1 where booleans were asked for. */
    public static DecodeException notABoolean(String column, String where, String value) {
        return new DecodeException("column " + column + " (tinyint(1)) in " + where + ": value " + value
                + " is not 0 or 1, so it cannot be a boolean (tinyint1AsBoolean)");
    }
}
