package dev.binlogsync.core.backfill;

import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.internal.NamePattern;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * The tables a backfill loads: those named ({@code table(...)}), and those of the rules it derives
 * them from ({@code allTables()}, {@code tablesOf(index)}, or by default every rule): a rule naming
 * its database and table exactly names that table; a pattern names every base table it matches in
 * {@code information_schema.TABLES} when the run starts ({@link ShardTables#matching}, the listing
 * the verification of a rule over several tables uses), a rule whose database is {@code *} (the
 * default) only those of the connection's current database. Immutable.
 */
final class TableSelection {
    private final Rules rules;
    private final List<String[]> named;
    /** The rules whose tables are derived, in rule order; empty when only named tables load. */
    private final List<TableRule> derived;
    /** The tables in load order when no pattern needs a listing; null when one does. */
    @Nullable private final List<String[]> fixed;

    private TableSelection(Rules rules, List<String[]> named, List<TableRule> derived) {
        this.rules = rules;
        this.named = List.copyOf(named);
        this.derived = List.copyOf(derived);
        boolean listing = false;
        for (TableRule r : derived) {
            listing |= !exact(r);
        }
        this.fixed = listing ? null : order(collect(null, null));
    }

    /**
     * @param named the tables of {@code table(...)}, in the order given
     * @param all whether every rule's tables load ({@code allTables()}); also when nothing else is given
     * @param indices the indices of {@code tablesOf(...)}: every rule whose index is exactly one of them
     * @throws IllegalStateException when an index of {@code indices} is no rule's, when no table is
     *     selected, or for the order problems {@link MergeBackfill#ordered} names (for tables known
     *     without a listing)
     */
    static TableSelection of(Rules rules, List<String[]> named, boolean all, Collection<String> indices) {
        List<TableRule> derived = new ArrayList<>();
        if (all || named.isEmpty() && indices.isEmpty()) {
            derived.addAll(rules.rules());
        } else {
            for (String index : indices) {
                boolean found = false;
                for (TableRule r : rules.rules()) {
                    found |= r.index().equals(index);
                }
                if (!found) {
                    throw new IllegalStateException("tablesOf(" + index + "): no rule writes the index '" + index
                            + "' (a rule's index as written, a template included)");
                }
            }
            for (TableRule r : rules.rules()) {
                if (indices.contains(r.index())) {
                    derived.add(r);
                }
            }
        }
        if (named.isEmpty() && derived.isEmpty()) {
            throw new IllegalStateException("no table to load: the rules name none");
        }
        return new TableSelection(rules, named, derived);
    }

    /** Whether the tables are known without a listing ({@link #fixed()}). */
    boolean needsListing() {
        return fixed == null;
    }

    /** The tables in load order, when {@link #needsListing()} is false. */
    List<String[]> fixed() {
        if (fixed == null) {
            throw new IllegalStateException("the tables of a pattern rule are listed when the backfill runs");
        }
        return fixed;
    }

    /**
     * The tables in load order, the patterns' from {@code information_schema} through {@code c}.
     *
     * @throws BackfillException when a rule's pattern matches no table, a rule's database is {@code *}
     *     and the connection has no current database, or the tables found cannot be loaded in an
     *     order that has every parent before the tables merged into it
     */
    List<String[]> resolve(Connection c) throws SQLException {
        List<TableRule> patterns = new ArrayList<>();
        for (TableRule r : derived) {
            if (!exact(r)) {
                patterns.add(r);
            }
        }
        List<String[]> tables = collect(ShardTables.matching(c, patterns), ShardTables.currentDatabase(c, patterns));
        try {
            return order(tables);
        } catch (IllegalStateException e) {
            throw new BackfillException("backfill: the tables its rules match cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * The named tables, then each derived rule's in rule order (a pattern's sorted by name), once each.
     *
     * @param listed the tables the patterns match, sorted; null when no derived rule has a pattern
     * @param current the connection's database, for a rule whose database is {@code *}; null when none has
     */
    private List<String[]> collect(@Nullable TreeSet<String> listed, @Nullable String current) {
        Set<String> seen = new LinkedHashSet<>();
        List<String[]> out = new ArrayList<>();
        for (String[] t : named) {
            if (seen.add(t[0] + "." + t[1])) {
                out.add(t);
            }
        }
        for (TableRule r : derived) {
            if (exact(r)) {
                if (seen.add(r.database() + "." + r.table())) {
                    out.add(new String[] {r.database(), r.table()});
                }
                continue;
            }
            boolean any = false;
            for (String name : java.util.Objects.requireNonNull(listed, "listed")) {
                String[] dt = ShardTables.split(name);
                if (ShardTables.lists(r, current, dt[0], dt[1])) {
                    any = true;
                    if (seen.add(name)) {
                        out.add(dt);
                    }
                }
            }
            if (!any) {
                throw new BackfillException("backfill: rule '" + UntrustedText.shown(r.toString(), 256) + "' names its"
                        + " tables by a pattern (" + UntrustedText.shown(r.database() + "." + r.table(), 256) + ") that"
                        + " matches no base table in information_schema.TABLES (which shows only the tables the"
                        + " backfill's user has a privilege on; a FEDERATED, CONNECT or SPIDER table is not listed, a"
                        + " rule whose database is * lists only the connection's database" + (current == null ? ""
                        : " " + UntrustedText.shown(current, 256)) + "); create the tables, grant the user access,"
                        + " or name the tables to load with table(database, table)");
            }
        }
        return out;
    }

    /** Only named tables keep the order given (refused when a child comes before its parent); otherwise parents first. */
    private List<String[]> order(List<String[]> tables) {
        if (tables.isEmpty()) {
            throw new IllegalStateException("no table to load: the rules name none");
        }
        return List.copyOf(MergeBackfill.ordered(rules, tables, derived.isEmpty()));
    }

    private static boolean exact(TableRule r) {
        return NamePattern.of(r.database(), "database").isExact() && NamePattern.of(r.table(), "table").isExact();
    }
}
