package dev.binlogsync.kafka.decode;

import dev.binlogsync.core.SourcePosition;

/**
 * Told about schema changes (DDL) a decoder skips, e.g. to alert an operator or to update an index
 * mapping; also about a {@code TRUNCATE}, {@code DROP TABLE} or statement-format change of a table
 * outside the decoder's {@code syncedTables} (of a synced table those are decode errors instead). Called on the decoding (pipeline) thread, synchronously; keep it short. An exception
 * thrown here makes the record count as undecodable (the failure policy decides).
 */
@FunctionalInterface
public interface DdlListener {

    /**
     * One DDL statement was seen and skipped.
     *
     * @param database the schema name as the message states it (may be empty)
     * @param table the table name as the message states it (may be empty, e.g. for {@code CREATE DATABASE})
     * @param type the format's DDL type, e.g. Canal's {@code ALTER} or Maxwell's {@code table-alter}
     * @param sql the statement text (empty when the format does not carry it)
     * @param position the record's position
     */
    void onDdl(String database, String table, String type, String sql, SourcePosition position);
}
