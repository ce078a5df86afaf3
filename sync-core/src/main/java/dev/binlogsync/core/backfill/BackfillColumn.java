package dev.binlogsync.core.backfill;

import java.util.Locale;
import java.util.Objects;

/**
 * One column of a backfilled table, as {@code information_schema.COLUMNS} describes it: what a
 * {@link BackfillValues} needs to select and read the column's value the way the stream's decoder
 * types it.
 *
 * @param database the table's database
 * @param table the table
 * @param name the column name, as the table spells it
 * @param dataType {@code DATA_TYPE}, lower-cased ({@code "int"}, {@code "timestamp"}, {@code "json"})
 * @param columnType {@code COLUMN_TYPE}, lower-cased ({@code "bigint(20) unsigned"},
 *     {@code "tinyint(1)"}, {@code "datetime(3)"}, {@code "enum('a','b')"}); the text Canal sends
 *     as {@code mysqlType}
 * @param nullable whether the column allows NULL ({@code IS_NULLABLE})
 */
public record BackfillColumn(String database, String table, String name, String dataType, String columnType,
        boolean nullable) {

    public BackfillColumn {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(name, "name");
        dataType = Objects.requireNonNull(dataType, "dataType").toLowerCase(Locale.ROOT);
        columnType = Objects.requireNonNull(columnType, "columnType").toLowerCase(Locale.ROOT);
    }

    /** The column's name quoted for MySQL ({@code `name`}, backticks doubled), to use in {@link BackfillValues#select}. */
    public String quotedName() {
        return KeySql.quote(name);
    }

    /** {@code database.table.column}, for error messages. */
    public String qualifiedName() {
        return database + "." + table + "." + name;
    }
}
