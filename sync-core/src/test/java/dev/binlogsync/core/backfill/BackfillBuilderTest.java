package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The builder's checks, and the rules a backfill refuses before it reads a row. */
class BackfillBuilderTest {

    /** A data source that fails the test if the backfill touches it. */
    private static final DataSource UNTOUCHED = (DataSource) Proxy.newProxyInstance(
            BackfillBuilderTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
                throw new AssertionError("the data source was used: " + m.getName());
            });

    private static Backfill.Builder builder(Rules rules) {
        return Backfill.builder().dataSource(UNTOUCHED).rules(rules).sink(new RecordingBulkSink())
                .reader(refs -> CompletableFuture.completedFuture(List.of()));
    }

    @Test
    void theRestartFenceIsByDefaultTheSinksLateWriteFenceAndAtLeastTwoMinutes() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders").build()).build();
        RecordingBulkSink recording = new RecordingBulkSink();
        dev.binlogsync.core.BulkSink fenced = new dev.binlogsync.core.BulkSink() {
            @Override
            public java.util.concurrent.CompletionStage<List<dev.binlogsync.core.ItemResult>> execute(
                    List<dev.binlogsync.core.DocumentAction> actions) {
                return recording.execute(actions);
            }

            @Override
            public Duration lateWriteFence() {
                return Duration.ofMinutes(7);
            }
        };
        assertEquals(Duration.ofMinutes(2), builder(rules).build().restartFence(), "a sink that names no fence");
        assertEquals(Duration.ofMinutes(7), builder(rules).sink(fenced).build().restartFence());
        assertEquals(Duration.ofSeconds(1), builder(rules).sink(fenced).restartFence(Duration.ofSeconds(1)).build()
                .restartFence(), "a given fence is kept (logged at WARN when shorter than the sink's)");
    }

    @Test
    void loadsEveryTableTheRulesNameByExactNameInRuleOrder() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("users").index("users").build())
                .build();
        assertEquals(List.of("shop.orders", "shop.users"), builder(rules).build().tables());
    }

    @Test
    void aRuleWithATablePatternIsBuiltWithoutTouchingTheDataSourceAndNamedTablesNeedNoListing() {
        // the pattern's tables are listed when the backfill runs (BackfillTableSelectionTest), not in build()
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders_*").index("orders").build())
                .build();
        builder(rules).build();
        assertEquals(List.of("shop.orders_1"), builder(rules).table("shop", "orders_1").build().tables());
    }

    @Test
    void tablesOfAnIndexNoRuleWritesIsRefusedNamingIt() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder(rules).tablesOf("order_items").build());
        assertTrue(e.getMessage().contains("order_items"), e.getMessage());
        assertEquals(List.of("shop.orders"), builder(rules).tablesOf("orders").build().tables());
    }

    @Test
    void aRuleOverATablePatternIntoOneIndexIsRefusedThoughItIndexesWholeRows() {
        // orders_active and orders_archive write the same ids into one index: a verification that
        // reads only orders_active could delete the document orders_archive's row owns
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders_*").index("orders")
                .writeMode(WriteMode.INDEX).build()).build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders_active").build().run());
        assertTrue(e.getMessage().contains("shop.orders_active") && e.getMessage().contains("other tables"),
                e.getMessage());
    }

    @Test
    void aVersionedRuleOverATablePatternIntoOneIndexIsServed() {
        // sharded tables (order_item_N into order_items) versioned by a column: the verification
        // selects each key in every table the pattern matches, so the run goes on to read them
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("order_item_[0-9]+")
                .index("order_items").writeMode(WriteMode.INDEX).versionColumn("updated_ms").build()).build();
        AssertionError e = assertThrows(AssertionError.class,
                () -> builder(rules).table("shop", "order_item_0").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void anUnversionedRuleOverATablePatternIntoOneIndexIsRefusedSayingItNeedsAVersionColumn() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("order_item_[0-9]+")
                .index("order_items").writeMode(WriteMode.INDEX).build()).build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "order_item_0").build().run());
        assertTrue(e.getMessage().contains("shop.order_item_0") && e.getMessage().contains("without a version column"),
                e.getMessage());
    }

    @Test
    void aVersionedPatternRuleWhoseIndexAnotherRuleWritesTooIsRefused() {
        // another rule's table writes the same index: the verification does not read it
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("order_item_[0-9]+").index("order_items")
                        .writeMode(WriteMode.INDEX).versionColumn("updated_ms").build())
                .rule(TableRule.builder().database("shop").table("legacy_items").index("order_items")
                        .writeMode(WriteMode.INDEX).versionColumn("updated_ms").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "order_item_0").build().run());
        assertTrue(e.getMessage().contains("rows of other tables can write too"), e.getMessage());
        BackfillException legacy = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "legacy_items").build().run());
        assertTrue(legacy.getMessage().contains("rows of other tables can write too"), legacy.getMessage());
    }

    @Test
    void aRuleOverADatabasePatternIntoOneIndexIsRefused() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shard_*").table("orders").index("orders")
                .build()).build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shard_1", "orders").build().run());
        assertTrue(e.getMessage().contains("other tables"), e.getMessage());
    }

    @Test
    void twoTablesIndexingIntoOneIndexAreRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders_active").index("orders")
                        .writeMode(WriteMode.INDEX).build())
                .rule(TableRule.builder().database("shop").table("orders_archive").index("orders")
                        .writeMode(WriteMode.INDEX).build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders_active").build().run());
        assertTrue(e.getMessage().contains("other tables"), e.getMessage());
    }

    @Test
    void aRuleOverATablePatternSeparatedByTheTableInItsIndexIsAccepted() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders_*")
                .index("orders-{$table}").writeMode(WriteMode.INDEX).build()).build();
        AssertionError e = assertThrows(AssertionError.class,
                () -> builder(rules).table("shop", "orders_1").keyColumns("shop", "orders_1", "id").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void aSinkThatCannotReadNeedsAReader() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("d").table("t").index("i").build()).build();
        assertThrows(IllegalStateException.class,
                () -> Backfill.builder().dataSource(UNTOUCHED).rules(rules).sink(new RecordingBulkSink()).build());
    }

    @Test
    void settersRejectBadValuesNamingThem() {
        Backfill.Builder b = Backfill.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.chunkSize(0)).getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> b.maxRowsPerSecond(-1));
        assertThrows(IllegalArgumentException.class, () -> b.maxRowsPerSecond(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.keyColumns("d", "t"));
        assertThrows(IllegalArgumentException.class, () -> b.table("", "t"));
        assertThrows(NullPointerException.class, () -> b.values(null));
    }

    /** {@code shop.orders} into {@code orders}, with {@code shop.order_item} merged into its documents. */
    private static Rules ordersWithMergedItems() {
        return Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("order_item").index("orders")
                        .mergeInto("order_id").nestUnder("item").build())
                .build();
    }

    @Test
    void aMergeRuleWhoseForeignKeyIsNotTheTablesKeyIsRefusedNamingTheTableBeforeAnyRowIsRead() {
        // order_item (key id) merges by order_id: several items write one order's field in turn
        Rules rules = ordersWithMergedItems();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").table("shop", "order_item").keyColumns("shop", "order_item", "id")
                        .build().run());
        assertTrue(e.getMessage().contains("shop.order_item") && e.getMessage().contains("merges into the document of")
                && e.getMessage().contains("[order_id]"), e.getMessage());
    }

    /** {@code shop.orders} into {@code orders}, {@code shop.order_shipping} (key order_id) merged under {@code shipping}. */
    private static Rules ordersWithMergedShipping(TableRule.Builder shipping) {
        return Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(shipping.database("shop").table("order_shipping").index("orders").mergeInto("order_id").build())
                .build();
    }

    @Test
    void aMergeRuleNestedUnderAFieldWithTheChildsKeyAsParentIdIsAccepted() {
        Rules rules = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"));
        // both tables' rules (the child's against its key) are checked before the parent is read
        AssertionError e = assertThrows(AssertionError.class, () -> builder(rules).table("shop", "orders")
                .table("shop", "order_shipping").keyColumns("shop", "order_shipping", "order_id").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void theParentRuleThatUpsertsOnlyBecauseMergeRulesShareItsIndexIsAccepted() {
        Rules rules = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> builder(rules).table("shop", "orders").keyColumns("shop", "orders", "id").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void aMergeRuleWithoutNestUnderIsRefused() {
        Rules rules = ordersWithMergedShipping(TableRule.builder());
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").table("shop", "order_shipping").build().run());
        assertTrue(e.getMessage().contains("shop.order_shipping") && e.getMessage().contains("nestUnder"),
                e.getMessage());
    }

    @Test
    void aMergeRuleThatKeepsItsFieldsOnDeleteIsRefused() {
        Rules rules = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping")
                .onMergedRowDelete(dev.binlogsync.core.rules.MergeDelete.IGNORE));
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").table("shop", "order_shipping").build().run());
        assertTrue(e.getMessage().contains("shop.order_shipping") && e.getMessage().contains("IGNORE"), e.getMessage());
    }

    @Test
    void twoMergeRulesWritingOneFieldAreRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .rule(TableRule.builder().database("shop").table("order_shipping_old").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").table("shop", "order_shipping").build().run());
        assertTrue(e.getMessage().contains("one writer per merged field"), e.getMessage());
    }

    @Test
    void aRuleThatUpsertsBecauseAnotherTablesOwnRuleSharesItsIndexIsRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("orders_archive").index("orders").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").build().run());
        assertTrue(e.getMessage().contains("shop.orders") && e.getMessage().contains("upserts"), e.getMessage());
    }

    @Test
    void aParentWithACustomizerIsRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders")
                        .customizer((event, doc) -> { }).build())
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "orders").build().run());
        assertTrue(e.getMessage().contains("upserts") && e.getMessage().contains("customizer"), e.getMessage());
    }

    @Test
    void aMergeRulesFieldIsPartOfItsCheckpointName() {
        String shipping = builder(ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"))).build()
                .checkpointName("shop", "order_shipping");
        assertEquals(shipping, builder(ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"))).build()
                .checkpointName("shop", "order_shipping"));
        assertTrue(!shipping.equals(builder(ordersWithMergedShipping(TableRule.builder().nestUnder("delivery")))
                .build().checkpointName("shop", "order_shipping")), shipping);
    }

    @Test
    void theDemoShopsOrdersAndMergedShippingAreAccepted() {
        // as sync-examples' Shop: orders filtered into "orders" (upserting: shipping merges into it)
        // and into monthly indices routed by customer; order_shipping merged under "shipping"
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders")
                        .where("status <> 'CANCELLED'").exclude("note").build())
                .rule(TableRule.builder().database("shop").table("orders")
                        .index("orders_by_month-{created_at:yyyy.MM}").routing("customer").exclude("note").build())
                .rule(TableRule.builder().database("shop").table("order_item_[0-9]+").index("order_items")
                        .writeMode(WriteMode.INDEX).versionColumn("updated_ms").build())
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        // both tables: every rule check passes (all come before the first read), the next step reads orders
        AssertionError e = assertThrows(AssertionError.class, () -> builder(rules).table("shop", "orders")
                .table("shop", "order_shipping").keyColumns("shop", "orders", "id")
                .keyColumns("shop", "order_shipping", "order_id").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void byDefaultAParentTableIsLoadedBeforeTheTableMergedIntoItsDocuments() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .rule(TableRule.builder().database("shop").table("users").index("users").build())
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .build();
        assertEquals(List.of("shop.users", "shop.orders", "shop.order_shipping"), builder(rules).build().tables());
    }

    @Test
    void anExplicitOrderWithAMergedTableBeforeItsParentIsRefusedNamingBoth() {
        Rules rules = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder(rules).table("shop", "order_shipping").table("shop", "orders").build());
        assertTrue(e.getMessage().contains("name shop.orders before shop.order_shipping"), e.getMessage());
        assertEquals(List.of("shop.orders", "shop.order_shipping"),
                builder(rules).table("shop", "orders").table("shop", "order_shipping").build().tables());
    }

    @Test
    void aMergedTableNamedWithoutItsParentIsRefusedNamingTheParent() {
        // loaded alone, its fields would miss every parent document a later run of the parent creates,
        // and its checkpoint would say done
        Rules rules = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder(rules).table("shop", "order_shipping").build());
        assertTrue(e.getMessage().contains("shop.order_shipping") && e.getMessage().contains("(shop.orders)")
                && e.getMessage().contains("name it before shop.order_shipping"), e.getMessage());
    }

    @Test
    void aMergeRuleOverATablePatternIntoOneIndexIsRefused() {
        // shipping_a and shipping_b rows of one key would both write orders/<key>.shipping
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("shipping_[a-z]+").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class, () -> builder(rules).table("shop", "orders")
                .table("shop", "shipping_a").keyColumns("shop", "shipping_a", "order_id").build().run());
        assertTrue(e.getMessage().contains("shop.shipping_a") && e.getMessage().contains("pattern")
                && e.getMessage().contains("one writer per merged field"), e.getMessage());
    }

    @Test
    void aMergeRuleOverADatabasePatternIntoOneIndexIsRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shard_[0-9]+").table("shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class, () -> builder(rules).table("shop", "orders")
                .table("shard_1", "shipping").keyColumns("shard_1", "shipping", "order_id").build().run());
        assertTrue(e.getMessage().contains("shard_1.shipping") && e.getMessage().contains("pattern"), e.getMessage());
    }

    @Test
    void aChangedParentRuleGivesTheMergedTableANewCheckpointName() {
        // a parent rule whose filter now accepts more rows creates documents that need the child's
        // fields: the child's finished checkpoint must not count for them
        Rules before = ordersWithMergedShipping(TableRule.builder().nestUnder("shipping"));
        Rules after = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").where("id > 0").build())
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
        Rules unrelated = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("order_shipping").index("orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .rule(TableRule.builder().database("shop").table("users").index("users").where("id > 0").build())
                .build();
        String child = builder(before).build().checkpointName("shop", "order_shipping");
        assertTrue(!child.equals(builder(after).build().checkpointName("shop", "order_shipping")), child);
        assertEquals(child, builder(unrelated).build().checkpointName("shop", "order_shipping"));
    }

    @Test
    void anUpsertModeRuleIsRefused() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders")
                .writeMode(WriteMode.UPSERT).build()).build();
        BackfillException e = assertThrows(BackfillException.class, () -> builder(rules).build().run());
        assertTrue(e.getMessage().contains("upserts"), e.getMessage());
    }

    @Test
    void aRuleVersionedByAColumnIsAccepted() {
        acceptedUpToReadingTheTable(TableRule.builder().database("shop").table("orders").index("orders")
                .writeMode(WriteMode.INDEX).versionColumn("version").build());
    }

    @Test
    void aRuleVersionedByBinlogTimeIsRefused() {
        BackfillException e = refusedWithKey(TableRule.builder().database("shop").table("orders").index("orders")
                .writeMode(WriteMode.INDEX).versionFromBinlogTime().build(), "id");
        assertTrue(e.getMessage().contains("shop.orders") && e.getMessage().contains("binlog event time"),
                e.getMessage());
    }

    @Test
    void aTableWithAVersionedAndAnUnversionedRuleIsRefused() {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("orders").index("orders_by_version")
                        .writeMode(WriteMode.INDEX).versionColumn("version").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).keyColumns("shop", "orders", "id").build().run());
        assertTrue(e.getMessage().contains("shop.orders") && e.getMessage().contains("versions"), e.getMessage());
    }

    @Test
    void aTableNoRuleNamesIsRefused() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .build();
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(rules).table("shop", "users").build().run());
        assertTrue(e.getMessage().contains("shop.users"), e.getMessage());
    }

    private static BackfillException refusedWithKey(TableRule rule, String... key) {
        Rules rules = Rules.builder().rule(rule).build();
        return assertThrows(BackfillException.class,
                () -> builder(rules).keyColumns("shop", "orders", key).build().run());
    }

    /**
     * Runs a backfill of {@code shop.orders} keyed by {@code id} with {@code rule} and asserts that the
     * rule checks let it through: the first thing after them is a connection to the data source.
     */
    private static void acceptedUpToReadingTheTable(TableRule rule) {
        Rules rules = Rules.builder().rule(rule).build();
        AssertionError e = assertThrows(AssertionError.class,
                () -> builder(rules).keyColumns("shop", "orders", "id").build().run());
        assertTrue(e.getMessage().contains("the data source was used"), e.getMessage());
    }

    @Test
    void aRuleWithASqlFilterIsAccepted() {
        acceptedUpToReadingTheTable(TableRule.builder().database("shop").table("orders").index("orders")
                .where("type IN (1,2)").build());
    }

    @Test
    void aRuleWithACodeFilterIsAccepted() {
        acceptedUpToReadingTheTable(TableRule.builder().database("shop").table("orders").index("orders")
                .filter((row, ev) -> true).build());
    }

    @Test
    void aRoutingColumnOutsideTheKeyIsAccepted() {
        acceptedUpToReadingTheTable(TableRule.builder().database("shop").table("orders").index("orders")
                .routing("customer").build());
    }

    @Test
    void anIndexTemplateOverANonKeyColumnIsAccepted() {
        acceptedUpToReadingTheTable(TableRule.builder().database("shop").table("orders").index("orders-{region}")
                .build());
    }

    @Test
    void anIndexByBinlogTimeIsRefused() {
        BackfillException e = refusedWithKey(TableRule.builder().database("shop").table("orders")
                .index("orders-{$time:yyyy.MM}").appendOnly().build(), "id");
        assertTrue(e.getMessage().contains("shop.orders") && e.getMessage().contains("binlog event time"),
                e.getMessage());
    }

    @Test
    void anIdOverANonKeyColumnIsRefusedBeforeAnyRowIsRead() {
        BackfillException e = refusedWithKey(
                TableRule.builder().database("shop").table("orders").index("orders").id("sku").build(), "id");
        assertTrue(e.getMessage().contains("shop.orders") && e.getMessage().contains("[sku]"), e.getMessage());
    }

    @Test
    void anIdOverPartOfACompositeKeyIsRefused() {
        BackfillException e = refusedWithKey(
                TableRule.builder().database("shop").table("orders").index("orders").id("a").build(), "a", "b");
        assertTrue(e.getMessage().contains("not exactly the key columns"), e.getMessage());
    }

    @Test
    void aCompositeKeyWithoutAnExplicitIdIsRefused() {
        BackfillException e = refusedWithKey(
                TableRule.builder().database("shop").table("orders").index("orders").build(), "a", "b");
        assertTrue(e.getMessage().contains("explicit id(...)"), e.getMessage());
    }

    @Test
    void theCheckpointNameChangesWithTheRulesIndexSoAFinishedCheckpointOfOldRulesIsNotReadAsDone() {
        Rules v1 = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders_v1").build())
                .build();
        Rules v1Again = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders_v1")
                .build()).build();
        Rules v2 = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders_v2").build())
                .build();
        Rules excluding = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders_v1")
                .exclude("secret").build()).build();
        String name = builder(v1).build().checkpointName("shop", "orders");
        assertTrue(name.startsWith("shop.orders#"), name);
        assertEquals(name, builder(v1Again).build().checkpointName("shop", "orders"));
        assertTrue(!name.equals(builder(v2).build().checkpointName("shop", "orders")), name);
        assertTrue(!name.equals(builder(excluding).build().checkpointName("shop", "orders")), name);
    }

    @Test
    void theCheckpointNameChangesWithTheFilterSoRowsANewFilterAcceptsAreLoaded() {
        Rules some = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders")
                .where("type IN (1,2)").build()).build();
        Rules more = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders")
                .where("type IN (1,2,3)").build()).build();
        Rules none = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .build();
        String name = builder(some).build().checkpointName("shop", "orders");
        assertTrue(!name.equals(builder(more).build().checkpointName("shop", "orders")), name);
        assertTrue(!name.equals(builder(none).build().checkpointName("shop", "orders")), name);
    }
}
