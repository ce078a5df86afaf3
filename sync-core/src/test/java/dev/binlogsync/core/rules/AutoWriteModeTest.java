package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.apply;
import static dev.binlogsync.core.rules.Events.delete;
import static dev.binlogsync.core.rules.Events.insert;
import static dev.binlogsync.core.rules.Events.row;
import static dev.binlogsync.core.rules.Events.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RowImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteMode#AUTO}, the default: a rule that owns its index indexes changes carrying the whole
 * row; where documents are shared, or the row may be partial, it upserts. Each test shows the
 * operation chosen.
 */
class AutoWriteModeTest {

    private static Rules rules(TableRule... rs) {
        return Rules.builder().rules(List.of(rs)).build();
    }

    private static TableRule.Builder rule(String table, String index) {
        return TableRule.builder().table(table).index(index);
    }

    private static ChangeEvent full(ChangeEvent e) {
        return e.withRowImage(RowImage.FULL);
    }

    private static List<ActionType> types(List<DocumentAction> actions) {
        List<ActionType> out = new ArrayList<>();
        actions.forEach(a -> out.add(a.type()));
        return out;
    }

    @Test
    void theDefaultModeIsAuto() {
        assertEquals(WriteMode.AUTO, rule("orders", "orders").build().writeMode());
    }

    @Test
    void aRuleAloneOnItsIndexIndexesFullRowsWithoutCopyingThem() {
        Rules r = rules(rule("orders", "orders").build());
        assertTrue(r.indexesFullRows(0));
        Map<String, Object> row = row("id", 5L, "status", "new");
        DocumentAction inserted = apply(r, full(insert("shop", "orders", row, "id"))).get(0);
        assertEquals(ActionType.INDEX, inserted.type());
        assertEquals("5", inserted.id());
        assertSame(row, inserted.document(), "the row is the whole document, handed over as is");
        assertEquals(List.of(ActionType.INDEX), types(apply(r,
                full(update("shop", "orders", row("id", 5L, "status", "paid"), row("status", "new"), "id")))));
        assertEquals(List.of(DocumentAction.delete("orders", "5")),
                apply(r, full(delete("shop", "orders", row("id", 5L, "status", "paid"), "id"))));
    }

    @Test
    void aRowOfUnknownOrPartialImageIsUpsertedSoColumnsItLacksSurvive() {
        Rules r = rules(rule("orders", "orders").build());
        ChangeEvent unknown = update("shop", "orders", row("id", 5, "status", "paid"), row("status", "new"), "id");
        assertEquals(RowImage.UNKNOWN, unknown.rowImage(), "an event built without a row image");
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, unknown)));
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, unknown.withRowImage(RowImage.PARTIAL))));
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, insert("shop", "orders", row("id", 6), "id"))));
    }

    @Test
    void aMergeRuleIntoTheIndexMakesTheParentUpsertAndTheChildUpdate() {
        Rules r = rules(
                rule("orders", "orders").build(),
                rule("order_shipping", "orders").mergeInto("order_id").nestUnder("shipping").build());
        assertFalse(r.indexesFullRows(0), "the merge rule shares the parent's documents");
        assertFalse(r.indexesFullRows(1));
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, full(insert("shop", "orders", row("id", 1), "id")))));
        assertEquals(List.of(ActionType.UPDATE), types(apply(r,
                full(insert("shop", "order_shipping", row("id", 9, "order_id", 1, "carrier", "ups"), "id")))));
    }

    @Test
    void twoRulesWritingOneIndexBothUpsert() {
        Rules r = rules(rule("products", "catalog").build(), rule("bundles", "catalog").build(),
                rule("users", "users").build());
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, full(insert("shop", "products", row("id", 1), "id")))));
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, full(insert("shop", "bundles", row("id", 2), "id")))));
        assertEquals(List.of(ActionType.INDEX), types(apply(r, full(insert("shop", "users", row("id", 3), "id")))),
                "a rule on another index still owns its documents");
    }

    @Test
    void theSameRuleAddedTwiceCountsAsTwoWriters() {
        TableRule orders = rule("orders", "orders").build();
        Rules r = rules(orders, orders);
        assertEquals(List.of(ActionType.UPSERT, ActionType.UPSERT),
                types(apply(r, full(insert("shop", "orders", row("id", 1), "id")))));
    }

    @Test
    void templatesThatCanRenderTheSameNameShareTheirDocuments() {
        Rules monthlyAndArchive = rules(rule("orders", "orders-{created_at:yyyy.MM}").build(),
                rule("archived_orders", "orders-archive").build());
        assertFalse(monthlyAndArchive.indexesFullRows(0), "orders-{..} can render orders-archive");
        assertFalse(monthlyAndArchive.indexesFullRows(1));
        Rules byTable = rules(rule("orders", "{$table}").build(), rule("orders_v2", "orders").build());
        assertFalse(byTable.indexesFullRows(0));
        assertFalse(byTable.indexesFullRows(1));
        Rules apart = rules(rule("orders", "orders-{created_at:yyyy.MM}").build(),
                rule("users", "users-{created_at:yyyy}").build(), rule("logs", "logs-{$table}").build());
        assertTrue(apart.indexesFullRows(0), "no name of one can be a name of another");
        assertTrue(apart.indexesFullRows(1));
        assertTrue(apart.indexesFullRows(2));
    }

    @Test
    void explicitModesStayWhateverTheRowImageAndTheOtherRules() {
        Rules r = rules(rule("orders", "orders").writeMode(WriteMode.INDEX).build(),
                rule("users", "users").writeMode(WriteMode.UPSERT).build());
        assertTrue(r.indexesFullRows(0));
        assertFalse(r.indexesFullRows(1));
        assertEquals(List.of(ActionType.INDEX), types(apply(r, insert("shop", "orders", row("id", 1), "id"))),
                "INDEX indexes a row of unknown image too, as it always did");
        assertEquals(List.of(ActionType.UPSERT), types(apply(r, full(insert("shop", "users", row("id", 1), "id")))));
    }

    @Test
    void filterTransitionsDeleteTheDocumentAndIndexTheWholeRowWhenItMatchesAgain() {
        Rules r = rules(rule("orders", "orders").where("status <> 'deleted'").build());
        assertEquals(List.of(DocumentAction.delete("orders", "1")), apply(r, full(update("shop", "orders",
                row("id", 1, "status", "deleted", "amount", 5), row("status", "paid"), "id"))));
        List<DocumentAction> back = apply(r, full(update("shop", "orders",
                row("id", 1, "status", "refunded", "amount", 5), row("status", "deleted"), "id")));
        assertEquals(List.of(DocumentAction.index("orders", "1", row("id", 1, "status", "refunded", "amount", 5))), back);
        assertEquals(List.of(), apply(r, full(insert("shop", "orders", row("id", 2, "status", "deleted"), "id"))));
    }

    @Test
    void aRowMovingToAnotherIndexOfItsTemplateIsDeletedThereAndIndexedHere() {
        Rules r = rules(rule("orders", "orders-{created_at:yyyy.MM}").build());
        List<DocumentAction> out = apply(r, full(update("shop", "orders",
                row("id", 3, "created_at", "2024-04-02 00:00:00"), row("created_at", "2024-03-31 23:59:59"), "id")));
        assertEquals(List.of(DocumentAction.delete("orders-2024.03", "3"),
                DocumentAction.index("orders-2024.04", "3", row("id", 3, "created_at", "2024-04-02 00:00:00"))), out);
    }

    @Test
    void fieldOptionsStillIndexTheRulesWholeDocument() {
        Rules r = rules(rule("orders", "orders").exclude("secret").rename("amt", "amount").constant("src", "mysql").build(),
                rule("users", "users").include("id", "name").build());
        assertTrue(r.indexesFullRows(0));
        assertEquals(List.of(DocumentAction.index("orders", "1", row("id", 1, "amount", 7, "src", "mysql"))),
                apply(r, full(insert("shop", "orders", row("id", 1, "amt", 7, "secret", "x"), "id"))));
        assertEquals(List.of(DocumentAction.index("users", "2", row("id", 2, "name", "ann"))),
                apply(r, full(insert("shop", "users", row("id", 2, "name", "ann", "pw", "x"), "id"))));
    }

    @Test
    void aRuleWithACustomizerUpsertsBecauseTheCustomizerMayLeaveStoredFieldsOut() {
        Rules r = rules(rule("orders", "orders").customizer((doc, ev) -> doc.remove("note")).build());
        assertFalse(r.indexesFullRows(0));
        assertEquals(List.of(ActionType.UPSERT),
                types(apply(r, full(insert("shop", "orders", row("id", 1, "note", "x"), "id")))));
    }

    @Test
    void aRuleReadingSeveralTableNamesUpsertsBecauseTheirRowsShareDocuments() {
        Rules r = rules(rule("user(_profile)?", "users").id("user_id").build(),
                rule("orders_*", "orders").build(),
                TableRule.builder().database("shop_*").table("items").index("items").build(),
                rule("refunds", "refunds").build());
        assertFalse(r.indexesFullRows(0), "a regular expression over table names");
        assertFalse(r.indexesFullRows(1), "a wildcard over table names");
        assertTrue(r.indexesFullRows(2), "one table in several databases: one schema, sharded");
        assertTrue(r.indexesFullRows(3), "one exact table");
        assertEquals(List.of(ActionType.UPSERT),
                types(apply(r, full(insert("shop", "user_profile", row("user_id", 1, "bio", "x"), "user_id")))));
    }

    @Test
    void anAppendOnlyRuleIndexesItsInserts() {
        Rules r = rules(rule("events", "events-{$time:yyyy.MM}").appendOnly().build());
        assertEquals(List.of(ActionType.INDEX), types(apply(r, full(insert("shop", "events", row("id", 1), "id")))));
    }

    @Test
    void aRuleAppliedAloneDoesNotKnowTheOtherRulesAndUpserts() {
        TableRule orders = rule("orders", "orders").build();
        List<DocumentAction> out = new ArrayList<>();
        orders.apply(full(insert("shop", "orders", row("id", 1), "id")), out::add);
        assertEquals(List.of(ActionType.UPSERT), types(out));
    }

    @Test
    void anExternalVersionNeedsTheIndexModeSetExplicitly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> rule("users", "users").versionColumn("v").build());
        assertTrue(e.getMessage().contains("writeMode INDEX") && e.getMessage().contains("AUTO"), e.getMessage());
        Rules r = rules(rule("users", "users").writeMode(WriteMode.INDEX).versionColumn("v").build());
        DocumentAction a = apply(r, full(insert("shop", "users", row("id", 1, "v", 3L), "id"))).get(0);
        assertEquals(ActionType.INDEX, a.type());
        assertEquals(3L, a.version());
        assertEquals(dev.binlogsync.core.VersionType.EXTERNAL_GTE, a.versionType());
    }
}
