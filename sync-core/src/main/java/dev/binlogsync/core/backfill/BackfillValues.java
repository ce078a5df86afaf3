package dev.binlogsync.core.backfill;

import java.sql.ResultSet;
import java.sql.SQLException;
import javax.annotation.Nullable;

/**
 * How a {@link Backfill} selects and reads each column of a row, so that the document it writes
 * for a row equals, value for value and type for type, the document the stream writes for the same
 * row. The stream's values come from its decoder (Canal, Debezium, Maxwell: each types the values
 * its own way and has options), so the values a backfill needs come from the same decoder: take
 * them from it, configured like the stream's, e.g.
 * {@code Backfill.builder().values(canalDecoder.backfillValues())}.
 *
 * <p>{@link #jdbc()} is the JDBC driver's {@code ResultSet.getObject}: integers, decimals and
 * character columns match the decoders; temporal, {@code TINYINT(1)}, {@code BIT}, {@code YEAR},
 * {@code JSON}, binary, {@code ENUM}, {@code SET}, floating-point and {@code BIGINT UNSIGNED}
 * values do not in general (the driver's own conversions, its and the session's time zones). A
 * backfill without values set uses it only for tables of the matching types and refuses the
 * others; giving it explicitly is a deliberate choice of the driver's values for every column.
 *
 * <p><b>Contract.</b> {@link #select} gives the SQL expression the chunk query selects for a
 * column; {@link #read} reads the value at that position of the result. The verification's
 * re-select of a chunk's rows selects and reads them the same way (it renders them through the
 * rules again and compares the places with the creates'). Both are called on the
 * backfill's thread; an implementation must be thread-safe if one instance serves several
 * backfills. A value that cannot be read as its decoder would type it must fail (an unchecked
 * exception, such as {@code dev.binlogsync.core.DecodeException}): the backfill stops with a
 * {@link BackfillException} naming the table, the column and the row's key, never writing a
 * changed value.
 */
public interface BackfillValues {

    /**
     * The SQL expression that selects {@code column}'s value in the chunk query (MySQL / MariaDB
     * syntax, e.g. {@code CAST(`c` AS CHAR)}); default the column itself,
     * {@link BackfillColumn#quotedName()}. Called once per column and table run.
     */
    default String select(BackfillColumn column) {
        return column.quotedName();
    }

    /**
     * The value of {@code column} at {@code index} (1-based) of the current row of {@code rs}, as
     * {@link #select} selected it; null for SQL NULL (or a value the decoder gives as null).
     *
     * @throws SQLException from the driver
     */
    @Nullable
    Object read(ResultSet rs, int index, BackfillColumn column) throws SQLException;

    /**
     * The JDBC driver's values: each column selected as it is and read with
     * {@code ResultSet.getObject}. What a backfill without {@link Backfill.Builder#values} reads a
     * table of matching types with; given explicitly, a deliberate opt-in to the driver's values for
     * every column, which differ from the stream decoders' for the types the class comment lists.
     */
    static BackfillValues jdbc() {
        return JdbcValues.INSTANCE;
    }
}
