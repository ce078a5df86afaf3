package dev.binlogsync.core.rules;

import dev.binlogsync.core.ActionCollector;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.rules.internal.CompiledRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link RuleSet} made of {@link TableRule}s:
 *
 * <pre>{@code
 * RuleSet rules = Rules.builder()
 *     .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
 *     .rule(TableRule.builder().database("shop").table("order_item").index("orders")
 *           .mergeInto("order_id").nestUnder("item").build())
 *     .build();
 * }</pre>
 *
 * <p>Every rule matching an event's table applies, in the order they were added; a table no rule
 * matches is ignored. Which rules match a table is worked out once per {@code database.table} and
 * cached, so an event of an unmatched table costs two hash lookups. The names come from message
 * data, so the cache is bounded: at most {@value #MAX_CACHED_TABLES} tables and 1 Mi characters of
 * names, a name over {@value #MAX_CACHED_NAME_CHARS} characters is matched every time and never
 * cached, and a full cache is emptied and filled again by the tables still in use (a stream of
 * random table names costs matching time, never memory).
 *
 * <p><b>Write modes.</b> The rule set decides once, when built, which rules own their documents:
 * a rule in {@link WriteMode#AUTO} owns them when no other rule writes into an index whose name can
 * coincide with its own (see {@link WriteMode#AUTO}); such a rule indexes every change that carries
 * the whole row, the others upsert. In the example, {@code orders} upserts, because the
 * {@code order_item} rule merges into its documents.
 *
 * <p>Immutable and thread-safe (the cache is a concurrent map). Failures: see {@link TableRule}.
 */
public final class Rules implements RuleSet {
    static final int MAX_CACHED_TABLES = 10_000;
    static final long MAX_CACHED_CHARS = 1 << 20;
    static final int MAX_CACHED_NAME_CHARS = 256;
    private static final int[] NONE = new int[0];

    private final List<TableRule> rules;
    private final TableRule[] all;
    /** Per position in {@link #all}: the rule compiled with what the set knows (whether it owns its documents). */
    private final CompiledRule[] compiled;
    /** database -> table -> the positions of the matching rules, in order. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, int[]>> cache = new ConcurrentHashMap<>();
    /** Guards inserting into and clearing the cache, and the two counts; lookups take no lock. */
    private final Object cacheLock = new Object();
    private int cachedTables;
    private long cachedChars;

    private Rules(List<TableRule> rules) {
        this.rules = List.copyOf(rules);
        this.all = rules.toArray(new TableRule[0]);
        this.compiled = new CompiledRule[all.length];
        for (int i = 0; i < all.length; i++) {
            compiled[i] = new CompiledRule(all[i].spec(), ownsDocuments(i));
        }
    }

    /**
     * Whether the rule at {@code position} is alone in writing its documents: it reads one exact
     * table name (a table pattern can match several tables with different columns, whose rows
     * would then replace each other's fields in one document; a database pattern is allowed: the
     * same table in several databases is taken to be one schema, sharded), builds each document from the row alone (no customizer, which may
     * leave fields out to keep what is stored), and no other rule (another rule, or the same rule
     * added again) names an index that can coincide with its own.
     */
    private boolean ownsDocuments(int position) {
        TableRule r = all[position];
        if (r.isMerge() || !r.tablePattern.isExact() || r.spec().customizer() != null) {
            return false;
        }
        for (int i = 0; i < all.length; i++) {
            if (i != position && r.spec().index().mayCoincide(all[i].spec().index())) {
                return false;
            }
        }
        return true;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void apply(ChangeEvent event, ActionCollector out) {
        int[] matching = matching(event.database(), event.table());
        for (int i : matching) {
            compiled[i].apply(event, out);
        }
    }

    /** The rules that apply to {@code database.table}, in order; empty when none. */
    public List<TableRule> rulesFor(String database, String table) {
        int[] matching = matching(database, table);
        List<TableRule> out = new ArrayList<>(matching.length);
        for (int i : matching) {
            out.add(all[i]);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Whether the rule at {@code position} (in {@link #rules()}) writes a change that carries the
     * whole row as an {@code index}: in {@link WriteMode#INDEX}, or in {@link WriteMode#AUTO} when it
     * owns its documents. False for merge rules and for rules that upsert.
     *
     * @throws IndexOutOfBoundsException if there is no rule at {@code position}
     */
    public boolean indexesFullRows(int position) {
        return compiled[position].indexesFullRows();
    }

    /**
     * Whether only the rows of {@code database.table} can produce a document where the rule at
     * {@code position} writes that table's documents: a pattern of the rule that can match other
     * databases or tables is separated by {@code {$database}} / {@code {$table}} in its index, and
     * no other rule that can match another table names an index that can coincide with its own. A
     * backfill needs this: it decides a document's fate from the rows of the one table it reads.
     *
     * @throws IndexOutOfBoundsException if there is no rule at {@code position}
     */
    public boolean documentsOnlyFrom(int position, String database, String table) {
        return documentsOnlyFrom(position, database, table, false);
    }

    /**
     * As {@link #documentsOnlyFrom(int, String, String)}; with {@code exceptMerges}, merge rules of
     * other tables naming a coinciding index do not count: they write fields into documents that
     * exist, and never create or delete one.
     *
     * @throws IndexOutOfBoundsException if there is no rule at {@code position}
     */
    public boolean documentsOnlyFrom(int position, String database, String table, boolean exceptMerges) {
        TableRule r = all[position];
        java.util.Set<String> placeholders = r.spec().index().placeholders();
        if (!r.databasePattern.isExact() && !placeholders.contains("$database")) {
            return false;
        }
        if (!r.tablePattern.isExact() && !placeholders.contains("$table")) {
            return false;
        }
        for (int i = 0; i < all.length; i++) {
            TableRule other = all[i];
            boolean onlyThisTable = other.databasePattern.isExact() && other.tablePattern.isExact()
                    && other.matches(database, table);
            if (i != position && !onlyThisTable && !(exceptMerges && other.isMerge())
                    && r.spec().index().mayCoincide(other.spec().index())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the rows of one table at most reach a given index through the rule at
     * {@code position}: its database and table are exact names, or the patterns that are not are
     * separated by {@code {$database}} / {@code {$table}} in its index. A backfill of a merge rule
     * needs this: one row alone may write a merged field.
     *
     * @throws IndexOutOfBoundsException if there is no rule at {@code position}
     */
    public boolean separatesTables(int position) {
        TableRule r = all[position];
        java.util.Set<String> placeholders = r.spec().index().placeholders();
        return (r.databasePattern.isExact() || placeholders.contains("$database"))
                && (r.tablePattern.isExact() || placeholders.contains("$table"));
    }

    /**
     * Whether the rule at {@code position} upserts only because merge rules write into its index: it
     * is not a merge rule, is in {@link WriteMode#AUTO}, reads one exact table name, has no
     * {@link DocumentCustomizer}, and every other rule naming an index that can coincide with its own
     * is a merge rule (of another table). Merges write fields into existing documents and never
     * create or delete one, so such a rule alone decides which documents exist. A backfill needs
     * this to load the rule's rows as creates of its fields.
     *
     * @throws IndexOutOfBoundsException if there is no rule at {@code position}
     */
    public boolean upsertsOnlyForMerges(int position) {
        TableRule r = all[position];
        if (r.isMerge() || r.writeMode() != WriteMode.AUTO || !r.tablePattern.isExact()
                || r.spec().customizer() != null || compiled[position].indexesFullRows()) {
            return false;
        }
        boolean merged = false;
        for (int i = 0; i < all.length; i++) {
            if (i != position && r.spec().index().mayCoincide(all[i].spec().index())) {
                if (!all[i].isMerge() || all[i].matches(r.database(), r.table())) {
                    return false;
                }
                merged = true;
            }
        }
        return merged;
    }

    /**
     * Whether the indexes of the rules at {@code a} and {@code b} can name the same index (equal
     * names, or a template that can render the other's name).
     *
     * @throws IndexOutOfBoundsException if there is no rule at either position
     */
    public boolean indicesMayCoincide(int a, int b) {
        return all[a].spec().index().mayCoincide(all[b].spec().index());
    }

    private int[] matching(String database, String table) {
        Map<String, int[]> byTable = cache.get(database);
        if (byTable != null) {
            int[] hit = byTable.get(table);
            if (hit != null) {
                return hit;
            }
        }
        int n = 0;
        int[] found = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            if (all[i].matches(database, table)) {
                found[n++] = i;
            }
        }
        int[] result = n == 0 ? NONE : Arrays.copyOf(found, n);
        if (database.length() <= MAX_CACHED_NAME_CHARS && table.length() <= MAX_CACHED_NAME_CHARS) {
            remember(database, table, result);
        }
        return result;
    }

    private void remember(String database, String table, int[] result) {
        synchronized (cacheLock) {
            ConcurrentHashMap<String, int[]> byTable = cache.get(database);
            if (byTable != null && byTable.containsKey(table)) {
                return;
            }
            long chars = table.length() + (byTable == null ? database.length() : 0);
            if (cachedTables + 1 > MAX_CACHED_TABLES || cachedChars + chars > MAX_CACHED_CHARS) {
                // full (a stream of ever new names): start over; the tables in use are cached again
                // by their next event, so a steady workload keeps hitting
                cache.clear();
                cachedTables = 0;
                cachedChars = 0;
                byTable = null;
                chars = table.length() + database.length();
            }
            if (byTable == null) {
                byTable = new ConcurrentHashMap<>();
                cache.put(database, byTable);
            }
            byTable.put(table, result);
            cachedTables++;
            cachedChars += chars;
        }
    }

    /** The number of tables cached. */
    int cachedTables() {
        synchronized (cacheLock) {
            return cachedTables;
        }
    }

    /** The characters of database and table names the cache holds. */
    long cachedChars() {
        synchronized (cacheLock) {
            return cachedChars;
        }
    }

    /** The rules, in the order they apply. */
    public List<TableRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "Rules" + rules;
    }

    /**
     * Builds {@link Rules}; from {@link Rules#builder()}. Starts empty; rules keep the order they
     * are added in and the same rule may be added twice (it then applies twice). A null rule or list
     * is rejected at once with {@link NullPointerException}; the cross-rule checks run in
     * {@link #build()}. {@link #build()} may be called again, each time giving a new {@link Rules}
     * of the rules added so far. Not thread-safe: configure and build on one thread.
     */
    public static final class Builder {
        private final List<TableRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Adds a rule; rules apply in the order added. */
        public Builder rule(TableRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Adds each rule of {@code list}, in list order, as {@link #rule} does. */
        public Builder rules(List<TableRule> list) {
            Objects.requireNonNull(list, "rules").forEach(this::rule);
            return this;
        }

        /**
         * The rules added so far, checked together. Decides here which rules in
         * {@link WriteMode#AUTO} own their documents (see the class comment).
         *
         * @return a new immutable {@link Rules}
         * @throws IllegalStateException if there are no rules, or a merge rule writes into an index
         *     that an INDEX-mode rule replaces documents in, or whose name an INDEX-mode rule's
         *     template can render (the replace would wipe merged fields)
         */
        public Rules build() {
            if (rules.isEmpty()) {
                throw new IllegalStateException("at least one rule is required");
            }
            for (TableRule m : rules) {
                if (!m.isMerge()) {
                    continue;
                }
                for (TableRule r : rules) {
                    if (!r.isMerge() && r.writeMode() == WriteMode.INDEX && r.spec().index().mayCoincide(m.spec().index())) {
                        throw new IllegalStateException("rule " + m + " merges into index '" + m.index()
                                + "', but rule " + r + " replaces whole documents there (writeMode INDEX); use UPSERT");
                    }
                }
            }
            return new Rules(rules);
        }
    }
}
