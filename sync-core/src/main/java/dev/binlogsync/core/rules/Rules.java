package dev.binlogsync.core.rules;

import dev.binlogsync.core.ActionCollector;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.RuleSet;
import java.util.ArrayList;
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
 * cached (at most {@value #MAX_CACHED_TABLES} tables; beyond that, matching is recomputed), so an
 * event of an unmatched table costs two hash lookups.
 *
 * <p>Immutable and thread-safe (the cache is a concurrent map). Failures: see {@link TableRule}.
 */
public final class Rules implements RuleSet {
    static final int MAX_CACHED_TABLES = 100_000;
    static final long MAX_CACHED_CHARS = Long.MAX_VALUE;
    private static final TableRule[] NONE = new TableRule[0];

    private final List<TableRule> rules;
    private final TableRule[] all;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, TableRule[]>> cache = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger cached = new java.util.concurrent.atomic.AtomicInteger();

    private Rules(List<TableRule> rules) {
        this.rules = List.copyOf(rules);
        this.all = rules.toArray(NONE);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void apply(ChangeEvent event, ActionCollector out) {
        TableRule[] matching = matching(event.database(), event.table());
        for (TableRule r : matching) {
            r.compiled.apply(event, out);
        }
    }

    /** The rules that apply to {@code database.table}, in order; empty when none. */
    public List<TableRule> rulesFor(String database, String table) {
        return List.of(matching(database, table));
    }

    private TableRule[] matching(String database, String table) {
        Map<String, TableRule[]> byTable = cache.get(database);
        if (byTable != null) {
            TableRule[] hit = byTable.get(table);
            if (hit != null) {
                return hit;
            }
        }
        List<TableRule> found = new ArrayList<>(2);
        for (TableRule r : all) {
            if (r.matches(database, table)) {
                found.add(r);
            }
        }
        TableRule[] result = found.isEmpty() ? NONE : found.toArray(NONE);
        if (cached.get() < MAX_CACHED_TABLES) {
            cache.computeIfAbsent(database, d -> new ConcurrentHashMap<>()).put(table, result);
            cached.incrementAndGet();
        }
        return result;
    }

    /** The number of tables cached. */
    int cachedTables() {
        return cached.get();
    }

    /** The characters of database and table names the cache holds. */
    long cachedChars() {
        long n = 0;
        for (Map.Entry<String, ConcurrentHashMap<String, TableRule[]>> e : cache.entrySet()) {
            n += e.getKey().length();
            for (String t : e.getValue().keySet()) {
                n += t.length();
            }
        }
        return n;
    }

    /** The rules, in the order they apply. */
    public List<TableRule> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "Rules" + rules;
    }

    /** Builds {@link Rules}. Not thread-safe. */
    public static final class Builder {
        private final List<TableRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Adds a rule; rules apply in the order added. */
        public Builder rule(TableRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Adds rules. */
        public Builder rules(List<TableRule> list) {
            Objects.requireNonNull(list, "rules").forEach(this::rule);
            return this;
        }

        /**
         * @throws IllegalStateException if there are no rules, or a merge rule writes into an index
         *     that an INDEX-mode rule replaces documents in (the replace would wipe merged fields)
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
                    if (!r.isMerge() && r.writeMode() == WriteMode.INDEX && r.index().equals(m.index())) {
                        throw new IllegalStateException("rule " + m + " merges into index '" + m.index()
                                + "', but rule " + r + " replaces whole documents there (writeMode INDEX); use UPSERT");
                    }
                }
            }
            return new Rules(rules);
        }
    }
}
