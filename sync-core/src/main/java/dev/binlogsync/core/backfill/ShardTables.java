package dev.binlogsync.core.backfill;

import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * Rules that write the rows of several tables into one index (sharded tables, {@code order_item_N}
 * into {@code order_items}): which of them the backfill serves, and the tables each one matches.
 * The verification of a chunk of one of those tables selects each key in every table the rule
 * matches (see {@code docs/backfill.md}, "Rules over several tables"). Stateless.
 */
final class ShardTables {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_$]+");

    private ShardTables() {
    }

    /**
     * Whether the rule at {@code position} writes the rows of several tables into its index and no
     * other rule (merge rules included) names an index that can coincide with it: its database or
     * table is a pattern its index does not separate by {@code {$database}} / {@code {$table}}.
     * Such a rule alone creates and deletes the index's documents, so a verification that reads a
     * key in every table it matches sees every row that can produce a document of it.
     */
    static boolean isSharded(Rules rules, int position) {
        if (rules.separatesTables(position)) {
            return false;
        }
        for (int i = 0; i < rules.rules().size(); i++) {
            if (i != position && rules.indicesMayCoincide(position, i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why the backfill refuses the sharded rule {@code r} ({@link #isSharded}), or null when it serves
     * it: only versioned by a column. Across tables the stream's order of one id's changes is not
     * the binlog's (a move's delete and insert travel on other partitions, and the tables' changes
     * may too), so only external versions order them, in the stream as in the verification.
     */
    @Nullable
    static String refusal(TableRule r) {
        if (!r.isVersioned() || r.versionFromBinlogTime()) {
            return "writes the rows of other tables (" + r.database() + "." + r.table() + ") into its index too,"
                    + " without a version column; backfill serves such a rule only when it is versioned by a column"
                    + " (versionColumn) that grows with every change of an id, whichever table holds it: across"
                    + " tables only versions order the changes of one document";
        }
        return null;
    }

    /** MySQL's and MariaDB's own schemas: a database pattern does not reach them, a rule must name one. */
    private static final Set<String> SYSTEM_DATABASES = Set.of("mysql", "information_schema", "performance_schema", "sys");

    /**
     * Engines whose tables' changes are made on another server (or in files) and never reach this
     * server's binlog: a pattern does not list their tables, the stream never carries their changes.
     */
    static final Set<String> REMOTE_ENGINES = Set.of("FEDERATED", "CONNECT", "SPIDER");

    /** A rule's database that stands for the connection's current database in a listing: the default. */
    static final String ANY_DATABASE = "*";

    /**
     * The base tables the rules match now, as {@code database.table}, sorted, from
     * {@code information_schema.TABLES}. A rule whose database is {@code *} (the default) lists the
     * tables of the connection's current database only ({@link #currentDatabase}); another database
     * pattern lists every database it matches, except a system database ({@code mysql}, {@code sys},
     * {@code information_schema}, {@code performance_schema}), which only a rule naming it exactly
     * lists. A table of a {@link #REMOTE_ENGINES remote engine} ({@code FEDERATED}, {@code CONNECT},
     * {@code SPIDER}) is not listed.
     *
     * @throws BackfillException when a rule's database is {@code *} and the connection has no current
     *     database
     */
    static TreeSet<String> matching(Connection c, List<TableRule> rules) throws SQLException {
        String current = currentDatabase(c, rules);
        TreeSet<String> out = new TreeSet<>();
        String exactDatabase = null;
        boolean oneDatabase = true;
        for (TableRule r : rules) {
            String database = r.database().equals(ANY_DATABASE) ? current : r.database();
            if (!PLAIN_NAME.matcher(database).matches()
                    || exactDatabase != null && !exactDatabase.equals(database)) {
                oneDatabase = false;
            }
            exactDatabase = database;
        }
        String sql = "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
                + (oneDatabase ? " AND TABLE_SCHEMA = ?" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (oneDatabase) {
                ps.setString(1, exactDatabase);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String database = rs.getString(1);
                    String table = rs.getString(2);
                    String engine = rs.getString(3);
                    if (engine != null && REMOTE_ENGINES.contains(engine.toUpperCase(Locale.ROOT))) {
                        continue;
                    }
                    for (TableRule r : rules) {
                        if (lists(r, current, database, table)) {
                            out.add(database + "." + table);
                            break;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether a listing for rule {@code r} includes {@code database.table}: the rule matches it, in
     * the connection's database {@code current} for a rule whose database is {@code *}, and not in a
     * system database unless the rule names it exactly.
     */
    static boolean lists(TableRule r, @Nullable String current, String database, String table) {
        if (!r.matches(database, table)) {
            return false;
        }
        if (r.database().equals(ANY_DATABASE)) {
            return database.equals(current);
        }
        return !SYSTEM_DATABASES.contains(database.toLowerCase(Locale.ROOT)) || r.database().equals(database);
    }

    /**
     * The connection's current database ({@link #currentDatabase(Connection, TableRule)}) when a rule's
     * database is {@code *}, else null.
     */
    @Nullable
    static String currentDatabase(Connection c, List<TableRule> rules) throws SQLException {
        for (TableRule r : rules) {
            if (r.database().equals(ANY_DATABASE)) {
                return currentDatabase(c, r);
            }
        }
        return null;
    }

    /**
     * The connection's current database: {@link Connection#getCatalog()} (MariaDB's and MySQL's
     * database of the JDBC URL), else {@link Connection#getSchema()} (MySQL Connector/J with
     * {@code databaseTerm=SCHEMA}).
     *
     * @param r the rule that needs it, for the message
     * @throws BackfillException when the connection has none
     */
    static String currentDatabase(Connection c, TableRule r) throws SQLException {
        String database = c.getCatalog();
        if (database == null || database.isEmpty()) {
            database = c.getSchema();
        }
        if (database == null || database.isEmpty()) {
            throw new BackfillException("backfill: rule '" + UntrustedText.shown(r.toString(), 256) + "' names no"
                    + " database (its database is the default *), so its tables are listed in the current database of"
                    + " the backfill's connection, and the connection has none (its JDBC URL names no database); name"
                    + " the database in the rule (database), name it in the JDBC URL, or name the tables to load with"
                    + " table(database, table)");
        }
        return database;
    }

    /** {@code database.table} split at its first dot (a database name has none in MySQL). */
    static String[] split(String name) {
        int dot = name.indexOf('.');
        return new String[] {name.substring(0, dot), name.substring(dot + 1)};
    }

    /** The names of {@code after} not in {@code before}, and of {@code before} not in {@code after}, for a message. */
    static List<String> changed(TreeSet<String> before, TreeSet<String> after) {
        List<String> out = new ArrayList<>();
        for (String n : after) {
            if (!before.contains(n)) {
                out.add("created " + n);
            }
        }
        for (String n : before) {
            if (!after.contains(n)) {
                out.add("dropped " + n);
            }
        }
        return out;
    }
}
