package dev.binlogsync.core.backfill;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** The SQL text the backfill sends (MySQL / MariaDB syntax), and key normalisation. Stateless. */
final class KeySql {

    private KeySql() {
    }

    /** {@code `name`}, with backticks in the name doubled. */
    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    static String table(String database, String table) {
        return quote(database) + "." + quote(table);
    }

    /** {@code `a`,`b`}. */
    static String columns(List<String> columns) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(quote(columns.get(i)));
        }
        return b.toString();
    }

    /** {@code (`a`,`b`)} or {@code `a`}. */
    static String tuple(List<String> columns) {
        return columns.size() == 1 ? quote(columns.get(0)) : "(" + columns(columns) + ")";
    }

    /** {@code (?,?)} or {@code ?}. */
    static String marks(int n) {
        if (n == 1) {
            return "?";
        }
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? ",?" : "?");
        }
        return b.append(')').toString();
    }

    /**
     * One chunk by keyset pagination: the first {@code LIMIT ?} rows in key order, after the key
     * given as the first parameters when {@code after}; never {@code OFFSET}. The columns are named
     * (a {@code SELECT *} leaves out invisible columns); none named selects {@code *}.
     */
    static String chunk(String database, String table, List<String> columns, List<String> key, boolean after) {
        return "SELECT " + (columns.isEmpty() ? "*" : columns(columns)) + " FROM " + table(database, table)
                + (after ? " WHERE " + tuple(key) + " > " + marks(key.size()) : "")
                + " ORDER BY " + columns(key) + " LIMIT ?";
    }

    /**
     * {@link #chunk(String, String, List, List, boolean)} with the select list given as SQL
     * ({@code selectList}, expressions separated by commas).
     */
    static String chunk(String database, String table, String selectList, List<String> key, boolean after) {
        return "SELECT " + selectList + " FROM " + table(database, table)
                + (after ? " WHERE " + tuple(key) + " > " + marks(key.size()) : "")
                + " ORDER BY " + columns(key) + " LIMIT ?";
    }

    /**
     * The rows whose key is one of {@code n} keys given as the parameters, with the select list
     * given as SQL ({@code selectList}, the same expressions a {@link #chunk chunk} selects).
     */
    static String rows(String database, String table, String selectList, List<String> key, int n) {
        StringBuilder b = new StringBuilder("SELECT ").append(selectList).append(" FROM ")
                .append(table(database, table)).append(" WHERE ").append(tuple(key)).append(" IN (");
        String m = marks(key.size());
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append(m);
        }
        // a locking read: it waits for a transaction that holds the rows' locks and reads the latest
        // committed rows, so a change the stream may already have applied (the binlog is written and
        // sent before the commit is visible, e.g. semi-synchronous replication's AFTER_SYNC) is seen
        return b.append(") LOCK IN SHARE MODE").toString();
    }

    /** A key as comparable text per value: numbers by their value ({@code 1}, {@code 1.0} alike), others as text. */
    static List<String> normal(List<?> key) {
        List<String> out = new ArrayList<>(key.size());
        for (Object v : key) {
            if (v instanceof Number) {
                out.add(new BigDecimal(v.toString()).stripTrailingZeros().toPlainString());
            } else {
                out.add(String.valueOf(v));
            }
        }
        return out;
    }
}
