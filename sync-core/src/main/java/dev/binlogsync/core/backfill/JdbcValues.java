package dev.binlogsync.core.backfill;

import dev.binlogsync.core.UntrustedText;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * {@link BackfillValues#jdbc()}: the driver's {@code getObject}. Stateless. Also the check a
 * backfill without {@link Backfill.Builder#values} makes: it reads with these values only when
 * every column is of a type whose driver value equals every decoder's.
 */
final class JdbcValues implements BackfillValues {

    static final JdbcValues INSTANCE = new JdbcValues();

    private JdbcValues() {
    }

    /**
     * Whether the driver's {@code getObject} value of {@code column} equals, as a document value,
     * what each decoder (Canal, Debezium, Maxwell, with any of their options) gives for it: signed
     * and unsigned integers except {@code TINYINT(1)} (a driver's boolean, a decoder option's) and
     * {@code BIGINT UNSIGNED} (Debezium's wrapped {@code long}), {@code DECIMAL}, and the
     * {@code CHAR} / {@code VARCHAR} / {@code TEXT} family. Everything else (temporal, {@code BIT},
     * {@code YEAR}, floating-point, {@code ENUM}, {@code SET}, {@code JSON}, binary, spatial, types
     * this list does not know) may differ.
     */
    static boolean sameAsEveryDecoder(BackfillColumn column) {
        switch (column.dataType()) {
            case "tinyint":
                return !column.columnType().startsWith("tinyint(1)");
            case "bigint":
                return !column.columnType().contains("unsigned");
            case "smallint":
            case "mediumint":
            case "int":
            case "integer":
            case "decimal":
            case "numeric":
            case "char":
            case "varchar":
            case "tinytext":
            case "text":
            case "mediumtext":
            case "longtext":
                return true;
            default:
                return false;
        }
    }

    /**
     * Refuses a table read without {@link Backfill.Builder#values} when any of its columns may
     * read differently from the stream's decoder.
     *
     * @param table the table, as shown in errors
     * @throws BackfillException naming the table, those columns and their types
     */
    static void requireSameAsEveryDecoder(String table, List<BackfillColumn> columns) {
        List<String> differing = new ArrayList<>();
        for (BackfillColumn c : columns) {
            if (!sameAsEveryDecoder(c)) {
                differing.add(UntrustedText.shown(c.name(), 128) + " (" + UntrustedText.shown(c.columnType(), 64) + ")");
            }
        }
        if (!differing.isEmpty()) {
            throw new BackfillException("backfill of " + table + ": no values(...) are set, and the JDBC driver's values of"
                    + " column" + (differing.size() == 1 ? " " : "s ") + String.join(", ", differing)
                    + " may differ from the stream decoder's; set Backfill.Builder.values(decoder.backfillValues()) with"
                    + " the stream's decoder, configured as the stream's");
        }
    }

    @Nullable
    @Override
    public Object read(ResultSet rs, int index, BackfillColumn column) throws SQLException {
        return rs.getObject(index);
    }

    @Override
    public String toString() {
        return "BackfillValues.jdbc()";
    }
}
