package dev.binlogsync.core.backfill;

import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.ForwardingCheckpointStore;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables a backfill derives from its rules ({@code allTables()}, the default, and
 * {@code tablesOf(index)}): a pattern's from {@code information_schema.TABLES} when the run starts,
 * each table loaded under a checkpoint of its own; the rules' refusals still apply to each table.
 */
class BackfillTableSelectionTest {
    private static final Pattern TABLE = Pattern.compile("FROM `shop`\\.`([a-z_0-9]+)`");

    private final RecordingBulkSink es = new RecordingBulkSink();
    private final FakeSchemaDataSource db = new FakeSchemaDataSource("id").column("id", "bigint", "bigint(20)")
            .column("v", "bigint", "bigint(20)");
    /** The rows of each table of {@code shop} by id (each row's {@code v} is its id), as information_schema lists them. */
    private final Map<String, List<Long>> tables = new LinkedHashMap<>();

    /** {TABLE_SCHEMA, TABLE_NAME, ENGINE} that information_schema.TABLES lists besides the tables of {@code shop}. */
    private final List<Object[]> otherListed = new ArrayList<>();

    BackfillTableSelectionTest() {
        // the backfill's connection is to shop (its JDBC URL names it)
        db.catalog = "shop";
        // the server's own schemas are listed too
        otherListed.add(new Object[] {"mysql", "item_7", "InnoDB"});
        otherListed.add(new Object[] {"performance_schema", "item_8", "PERFORMANCE_SCHEMA"});
        tables.put("item_0", List.of(10L, 11L, 12L));
        tables.put("item_1", List.of(20L, 21L));
        tables.put("item_2", List.of(30L));
        // not matched by item_[0-9]+
        tables.put("item_old", List.of(90L, 91L));
        tables.put("orders", List.of(1L));
        db.answerWithParameters = (sql, params) -> {
            List<Object[]> out = new ArrayList<>();
            if (sql.contains("information_schema.TABLES")) {
                for (String t : tables.keySet()) {
                    out.add(new Object[] {"shop", t, "InnoDB"});
                }
                out.addAll(otherListed);
                return out;
            }
            Matcher m = TABLE.matcher(sql);
            List<Long> ids = m.find() ? tables.getOrDefault(m.group(1), List.of()) : List.of();
            if (sql.contains("LIMIT ?")) {
                long after = sql.contains(" > ") ? ((Number) params.get(0)).longValue() : Long.MIN_VALUE;
                int limit = ((Number) params.get(params.size() - 1)).intValue();
                for (long id : ids) {
                    if (id > after && out.size() < limit) {
                        out.add(new Object[] {id, id, id});
                    }
                }
            } else if (sql.contains(" IN (") || sql.contains(" = ?")) {
                for (Object p : params) {
                    if (p instanceof Number n && ids.contains(n.longValue())) {
                        out.add(new Object[] {n.longValue(), n.longValue(), n.longValue()});
                    }
                }
            }
            return out;
        };
    }

    private static TableRule items(boolean versioned) {
        TableRule.Builder b = TableRule.builder().database("shop").table("item_[0-9]+").index("items")
                .writeMode(WriteMode.INDEX);
        return (versioned ? b.versionColumn("v") : b).build();
    }

    private Backfill.Builder builder(Rules rules, CheckpointStore store) {
        return Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es).checkpointStore(store)
                .reader(refs -> {
                    List<StoredDocument> out = new ArrayList<>();
                    for (DocumentRef r : refs) {
                        out.add(StoredDocument.missing(r));
                    }
                    return CompletableFuture.completedFuture(out);
                });
    }

    /** A store that remembers the name of every checkpoint saved. */
    private static final class NamingStore extends ForwardingCheckpointStore {
        final Set<String> names = new LinkedHashSet<>();

        NamingStore() {
            super(new InMemoryCheckpointStore());
        }

        @Override
        public void save(String table, Checkpoint checkpoint) {
            names.add(table);
            super.save(table, checkpoint);
        }
    }

    private long listings() {
        return db.queries.stream().filter(q -> q.contains("information_schema.TABLES")).count();
    }

    @Test
    void byDefaultAPatternRuleLoadsEveryTableItMatchesEachUnderACheckpointOfItsOwn() {
        Rules rules = Rules.builder().rule(items(true)).build();
        NamingStore store = new NamingStore();
        Backfill backfill = builder(rules, store).build();
        assertEquals(0, listings(), "build() lists nothing");

        assertTrue(backfill.run());

        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2"), backfill.tables());
        Set<String> expectedIds = new TreeSet<>();
        for (String t : List.of("item_0", "item_1", "item_2")) {
            tables.get(t).forEach(id -> expectedIds.add(Long.toString(id)));
        }
        assertEquals(expectedIds, new TreeSet<>(es.documents().keySet().stream()
                .map(k -> k.substring(k.indexOf('/') + 1)).toList()), "item_old is not matched: " + es.documents().keySet());
        // one checkpoint per real table, named by the table, the same name a new backfill computes
        Backfill again = builder(rules, new InMemoryCheckpointStore()).build();
        assertEquals(new LinkedHashSet<>(List.of(again.checkpointName("shop", "item_0"),
                again.checkpointName("shop", "item_1"), again.checkpointName("shop", "item_2"))), store.names);
        for (String name : store.names) {
            assertTrue(name.matches("shop\\.item_[0-2]#[0-9a-f]{16}"), name);
        }
    }

    @Test
    void eachRunListsThePatternsTablesOnceAndTellsItsListenerTheTablesItLoads() {
        Rules rules = Rules.builder().rule(items(true)).build();
        List<List<String>> resolved = new ArrayList<>();
        List<Long> listingsWhenResolved = new ArrayList<>();
        Backfill backfill = builder(rules, new InMemoryCheckpointStore()).listener(new BackfillListener() {
            @Override
            public void tablesResolved(List<String> loaded) {
                resolved.add(loaded);
                listingsWhenResolved.add(listings());
            }
        }).build();
        List<String> before = backfill.tables(); // a listing of its own, before the run
        assertEquals(1, listings());
        tables.put("item_3", List.of(40L)); // created between that listing and the run

        assertTrue(backfill.run());

        List<String> loaded = List.of("shop.item_0", "shop.item_1", "shop.item_2", "shop.item_3");
        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2"), before);
        assertEquals(List.of(loaded), resolved, "the listener hears the tables the run loads");
        assertEquals(List.of(2L), listingsWhenResolved, "the run listed the tables once before loading them");
        assertEquals(loaded, backfill.tables());
        assertEquals(Map.of("id", 40L, "v", 40L), es.document("items", "40"));

        long afterFirst = listings();
        assertTrue(backfill.run());
        assertEquals(List.of(loaded, loaded), resolved);
        assertEquals(afterFirst + 1, listingsWhenResolved.get(1), "the second run listed them once again");
    }

    @Test
    void aDatabasePatternDoesNotReachTheServersOwnSchemasWhichARuleMustNameExactly() {
        TableRule anyDatabase = TableRule.builder().database("[a-z_]+").table("item_[0-9]+").index("items")
                .writeMode(WriteMode.INDEX).versionColumn("v").build();
        Backfill backfill = builder(Rules.builder().rule(anyDatabase).build(), new InMemoryCheckpointStore()).build();

        assertTrue(backfill.run());

        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2"), backfill.tables());
        TableRule named = TableRule.builder().database("mysql").table("item_[0-9]+").index("items")
                .writeMode(WriteMode.INDEX).versionColumn("v").build();
        Backfill naming = builder(Rules.builder().rule(named).build(), new InMemoryCheckpointStore()).build();
        assertTrue(naming.run());
        assertEquals(List.of("mysql.item_7"), naming.tables());
    }

    @Test
    void allTablesAddsThePatternsTablesAfterTheNamedOnesOnce() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(items(true)).build();
        assertEquals(List.of("shop.item_1", "shop.orders", "shop.item_0", "shop.item_2"),
                builder(rules, new InMemoryCheckpointStore()).table("shop", "item_1").allTables().build().tables());
    }

    @Test
    void tablesOfAnIndexLoadsTheTablesOfTheRulesWritingItOnly() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(items(true)).build();
        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2"),
                builder(rules, new InMemoryCheckpointStore()).tablesOf("items").build().tables());
        assertEquals(List.of("shop.orders"), builder(rules, new InMemoryCheckpointStore()).tablesOf("orders").build()
                .tables());
    }

    @Test
    void aPatternThatMatchesNoTableFailsTheRunNamingTheRuleBeforeAnyWrite() {
        Rules rules = Rules.builder().rule(items(true))
                .rule(TableRule.builder().database("shop").table("invoice_[0-9]+").index("invoices")
                        .writeMode(WriteMode.INDEX).versionColumn("v").build()).build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules, new InMemoryCheckpointStore()).build().run());
        assertTrue(e.getMessage().contains("shop.invoice_[0-9]+") && e.getMessage().contains("matches no"),
                e.getMessage());
        assertEquals(Map.of(), es.documents());
    }

    @Test
    void anUnversionedPatternRuleIntoOneIndexIsStillRefusedForTheTablesItMatches() {
        Rules rules = Rules.builder().rule(items(false)).build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules, new InMemoryCheckpointStore()).build().run());
        assertTrue(e.getMessage().contains("shop.item_0") && e.getMessage().contains("without a version column"),
                e.getMessage());
        assertEquals(Map.of(), es.documents());
    }

    @Test
    void aParentTableLoadsBeforeTheTableMergedIntoItWhenTheTablesAreDerived() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .rule(items(true))
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .build();
        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2", "shop.orders", "shop.order_shipping"),
                builder(rules, new InMemoryCheckpointStore()).build().tables());
        assertEquals(List.of("shop.orders", "shop.order_shipping"),
                builder(rules, new InMemoryCheckpointStore()).tablesOf("orders").build().tables());
    }

    private TableRule perDatabase(String database) {
        TableRule.Builder b = TableRule.builder().table("t").index("{$database}_t").writeMode(WriteMode.INDEX);
        return (database == null ? b : b.database(database)).build();
    }

    private void tInSchemas(String... schemas) {
        for (String schema : schemas) {
            otherListed.add(new Object[] {schema, "t", "InnoDB"});
        }
    }

    @Test
    void aRuleWithTheDefaultDatabaseListsTheTablesOfTheConnectionsDatabaseOnly() {
        tInSchemas("shop", "shop_staging", "other");

        assertEquals(List.of("shop.t"), builder(Rules.builder().rule(perDatabase(null)).build(),
                new InMemoryCheckpointStore()).build().tables());
        assertEquals(List.of("shop.t"), builder(Rules.builder().rule(perDatabase(null)).build(),
                new InMemoryCheckpointStore()).tablesOf("{$database}_t").build().tables());
    }

    @Test
    void aDatabasePatternWrittenInTheRuleListsEveryDatabaseItMatches() {
        tInSchemas("shop", "shop_staging", "other");

        assertEquals(List.of("shop.t", "shop_staging.t"), builder(Rules.builder().rule(perDatabase("sh.*")).build(),
                new InMemoryCheckpointStore()).build().tables());
        assertEquals(List.of("other.t", "shop.t", "shop_staging.t"), builder(
                Rules.builder().rule(perDatabase(".+")).build(), new InMemoryCheckpointStore()).build().tables());
    }

    @Test
    void aRuleWithTheDefaultDatabaseFailsTheRunWhenTheConnectionHasNoDatabase() {
        db.catalog = null;
        tInSchemas("shop", "other");
        Backfill backfill = builder(Rules.builder().rule(perDatabase(null)).build(), new InMemoryCheckpointStore())
                .build();

        BackfillException e = assertThrows(BackfillException.class, backfill::run);

        assertTrue(e.getMessage().contains("names no database") && e.getMessage().contains("table(database, table)"),
                e.getMessage());
        assertEquals(Map.of(), es.documents());
        assertEquals(0, listings(), "nothing is listed without a database to list");
    }

    @Test
    void theVerificationOfARuleWithTheDefaultDatabaseSelectsInTheConnectionsDatabaseOnly() {
        // one index for every item_N table, versioned: the verification selects each key in every table it matches
        otherListed.add(new Object[] {"shop_staging", "item_5", "InnoDB"});
        TableRule anyDatabase = TableRule.builder().table("item_[0-9]+").index("items").writeMode(WriteMode.INDEX)
                .versionColumn("v").build();
        Backfill backfill = builder(Rules.builder().rule(anyDatabase).build(), new InMemoryCheckpointStore())
                .table("shop", "item_0").build();

        assertTrue(backfill.run());

        assertEquals(List.of("shop.item_0"), backfill.tables());
        assertTrue(db.queries.stream().anyMatch(q -> q.contains("`shop`.`item_1`")),
                "the verification selects in the other tables of shop: " + db.queries);
        assertTrue(db.queries.stream().noneMatch(q -> q.contains("shop_staging")), String.valueOf(db.queries));
    }

    @Test
    void aPatternDoesNotListTablesWhoseChangesAreMadeOnAnotherServer() {
        otherListed.add(new Object[] {"shop", "item_3", "FEDERATED"});
        otherListed.add(new Object[] {"shop", "item_4", "CONNECT"});
        otherListed.add(new Object[] {"shop", "item_5", "SPIDER"});

        assertEquals(List.of("shop.item_0", "shop.item_1", "shop.item_2"),
                builder(Rules.builder().rule(items(true)).build(), new InMemoryCheckpointStore()).build().tables());
    }
}
