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

    /**
     * "The key comes after the parameters", in a form the range optimizer turns into one range of
     * the key's index: {@code `a` > ?} for one column, and for a composite key the expanded
     * comparison {@code ((`a` > ?) OR (`a` = ? AND `b` > ?))}, not the row comparison
     * {@code (`a`,`b`) > (?,?)}, which MariaDB reads as a filter over an index scan from the start of
     * the table. The parameters are {@link #afterValues}.
     */
    static String after(List<String> key) {
        if (key.size() == 1) {
            return quote(key.get(0)) + " > ?";
        }
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < key.size(); i++) {
            b.append(i > 0 ? " OR (" : "(");
            for (int j = 0; j < i; j++) {
                b.append(quote(key.get(j))).append(" = ? AND ");
            }
            b.append(quote(key.get(i))).append(" > ?)");
        }
        return b.append(')').toString();
    }

    /** The parameters of {@link #after} for the key {@code last}: {@code a} for one column, {@code a, a, b} for two. */
    static List<Object> afterValues(List<Object> last) {
        List<Object> out = new ArrayList<>(last.size() * (last.size() + 1) / 2);
        for (int i = 0; i < last.size(); i++) {
            out.addAll(last.subList(0, i + 1));
        }
        return out;
    }

    /**
     * One chunk by keyset pagination: the first {@code LIMIT ?} rows in key order, after the key
     * given as the first parameters ({@link #afterValues}) when {@code after}; never {@code OFFSET}.
     * The columns are named (a {@code SELECT *} leaves out invisible columns); none named selects
     * {@code *}.
     */
    static String chunk(String database, String table, List<String> columns, List<String> key, boolean after) {
        return "SELECT " + (columns.isEmpty() ? "*" : columns(columns)) + " FROM " + table(database, table)
                + (after ? " WHERE " + after(key) : "")
                + " ORDER BY " + columns(key) + " LIMIT ?";
    }

    /**
     * {@link #chunk(String, String, List, List, boolean)} with the select list given as SQL
     * ({@code selectList}, expressions separated by commas).
     */
    static String chunk(String database, String table, String selectList, List<String> key, boolean after) {
        return "SELECT " + selectList + " FROM " + table(database, table)
                + (after ? " WHERE " + after(key) : "")
                + " ORDER BY " + columns(key) + " LIMIT ?";
    }

    /**
     * The rows whose key is one of {@code n} keys given as the parameters (each key's values in key
     * order), with the select list given as SQL ({@code selectList}, the same expressions a
     * {@link #chunk chunk} selects). One column: {@code `a` IN (?,?)}; a composite key: a disjunction
     * of equalities, {@code (`a` = ? AND `b` = ?) OR (...)}, which the range optimizer serves from
     * the key's index (MariaDB scans the whole table for a row {@code IN} list).
     */
    static String rows(String database, String table, String selectList, List<String> key, int n) {
        StringBuilder b = new StringBuilder("SELECT ").append(selectList).append(" FROM ")
                .append(table(database, table)).append(" WHERE ");
        if (key.size() == 1) {
            b.append(quote(key.get(0))).append(" IN (");
            for (int i = 0; i < n; i++) {
                b.append(i > 0 ? ",?" : "?");
            }
            b.append(')');
        } else {
            StringBuilder one = new StringBuilder("(");
            for (int j = 0; j < key.size(); j++) {
                one.append(j > 0 ? " AND " : "").append(quote(key.get(j))).append(" = ?");
            }
            one.append(')');
            for (int i = 0; i < n; i++) {
                b.append(i > 0 ? " OR " : "").append(one);
            }
        }
        // a locking read: it waits for a transaction that holds the rows' locks and reads the latest
        // committed rows, so a change the stream may already have applied (the binlog is written and
        // sent before the commit is visible, e.g. semi-synchronous replication's AFTER_SYNC) is seen
        return b.append(" LOCK IN SHARE MODE").toString();
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
