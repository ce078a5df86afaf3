package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.apply;
import static dev.binlogsync.core.rules.Events.delete;
import static dev.binlogsync.core.rules.Events.insert;
import static dev.binlogsync.core.rules.Events.row;
import static dev.binlogsync.core.rules.Events.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.VersionType;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {

    private static Rules rules(TableRule... rs) {
        return Rules.builder().rules(List.of(rs)).build();
    }

    @Test
    void wildcardAndRegexTablesFeedOneIndexAndOthersAreIgnored() {
        Rules r = rules(
                TableRule.builder().database("shop").table("order_*").index("orders").build(),
                TableRule.builder().database("shop_[0-9]+").table("user_[0-9]{2}").index("users").build());
        assertEquals("orders", apply(r, insert("shop", "order_0", row("id", "1"), "id")).get(0).index());
        assertEquals("orders", apply(r, insert("shop", "order_63", row("id", "1"), "id")).get(0).index());
        assertEquals(List.of(), apply(r, insert("shop", "orders", row("id", "1"), "id")));
        assertEquals(List.of(), apply(r, insert("other", "order_1", row("id", "1"), "id")));
        assertEquals("users", apply(r, insert("shop_3", "user_07", row("id", "1"), "id")).get(0).index());
        assertEquals(List.of(), apply(r, insert("shop_3", "user_7", row("id", "1"), "id")));
        assertEquals(List.of(), apply(r, insert("shop_x", "user_07", row("id", "1"), "id")));
        assertEquals(2, r.rulesFor("shop", "order_5").size() + r.rulesFor("shop_1", "user_11").size());
    }

    @Test
    void exactNameIsNotAPrefixMatch() {
        Rules r = rules(TableRule.builder().table("orders").index("orders").build());
        assertEquals(1, apply(r, insert("any", "orders", row("id", 1), "id")).size());
        assertEquals(0, apply(r, insert("any", "orders_archive", row("id", 1), "id")).size());
    }

    @Test
    void oneTableFeedsSeveralIndexesInRuleOrder() {
        Rules r = rules(
                TableRule.builder().table("orders").index("orders").build(),
                TableRule.builder().table("orders").index("orders-slim").include("id", "status").build());
        List<DocumentAction> out = apply(r, insert("shop", "orders", row("id", 7, "status", "new", "note", "x"), "id"));
        assertEquals(List.of("orders", "orders-slim"), out.stream().map(DocumentAction::index).toList());
        assertEquals(Map.of("id", 7, "status", "new"), out.get(1).document());
    }

    @Test
    void defaultRuleUpsertsTheRowByPrimaryKeyWithoutCopyingIt() {
        Rules r = rules(TableRule.builder().table("orders").index("orders").build());
        Map<String, Object> row = row("id", 5L, "status", "new");
        DocumentAction a = apply(r, insert("shop", "orders", row, "id")).get(0);
        assertEquals(ActionType.UPSERT, a.type());
        assertEquals("5", a.id());
        assertNull(a.routing());
        assertSame(row, a.document(), "no field options: the row map is handed over as is");
        DocumentAction d = apply(r, delete("shop", "orders", row, "id")).get(0);
        assertEquals(DocumentAction.delete("orders", "5"), d);
    }

    @Test
    void compositePrimaryKeyJoinsWithColonAndConfiguredIdColumnsWithTheirDelimiter() {
        Rules byPk = rules(TableRule.builder().table("t").index("i").build());
        assertEquals("3:x", apply(byPk, insert("d", "t", row("a", 3, "b", "x"), "a", "b")).get(0).id());
        Rules byCols = rules(TableRule.builder().table("t").index("i").id("b", "a").idDelimiter("_").build());
        assertEquals("x_3", apply(byCols, insert("d", "t", row("a", 3, "b", "x"), "a", "b")).get(0).id());
        Rules noPkWithId = rules(TableRule.builder().table("t").index("i").id("code").build());
        assertEquals("c-1", apply(noPkWithId, insert("d", "t", row("code", "c-1"))).get(0).id());
    }

    @Test
    void rowWithoutPrimaryKeyOrConfiguredIdFailsNamingTheTable() {
        Rules r = rules(TableRule.builder().table("logs").index("logs").build());
        SyncException e = assertThrows(SyncException.class, () -> apply(r, insert("shop", "logs", row("msg", "hi"))));
        assertTrue(e.getMessage().contains("shop.logs has no primary key"), e.getMessage());
        assertTrue(e.getMessage().contains("id(...)"), e.getMessage());
        SyncException nullId = assertThrows(SyncException.class, () -> apply(r, insert("shop", "logs", row("id", null), "id")));
        assertTrue(nullId.getMessage().contains("id column 'id' is null"), nullId.getMessage());
    }

    @Test
    void routingComesFromAColumnAndAChangedRoutingMovesTheDocument() {
        Rules r = rules(TableRule.builder().table("t").index("i").routing("tenant").build());
        assertEquals("acme", apply(r, insert("d", "t", row("id", 1, "tenant", "acme"), "id")).get(0).routing());
        List<DocumentAction> moved = apply(r, update("d", "t", row("id", 1, "tenant", "zeta"), row("tenant", "acme"), "id"));
        assertEquals(2, moved.size());
        assertEquals(ActionType.DELETE, moved.get(0).type());
        assertEquals("acme", moved.get(0).routing());
        assertEquals("zeta", moved.get(1).routing());
        SyncException e = assertThrows(SyncException.class, () -> apply(r, insert("d", "t", row("id", 1), "id")));
        assertTrue(e.getMessage().contains("routing column 'tenant'"), e.getMessage());
    }

    @Test
    void dateTemplatedIndexFollowsTheDocumentOnDeleteAndMonthChange() {
        Rules r = rules(TableRule.builder().table("orders").index("orders-{created_at:yyyy.MM}").build());
        assertEquals("orders-2024.03",
                apply(r, insert("s", "orders", row("id", 1, "created_at", "2024-03-05 10:11:12"), "id")).get(0).index());
        assertEquals("orders-2024.03",
                apply(r, delete("s", "orders", row("id", 1, "created_at", "2024-03-31 23:59:59.123"), "id")).get(0).index());
        // an update that does not touch created_at: one write, no delete
        List<DocumentAction> same = apply(r, update("s", "orders",
                row("id", 1, "created_at", "2024-03-05 10:11:12", "status", "paid"), row("status", "new"), "id"));
        assertEquals(1, same.size());
        // created_at moved to April: delete from the March index, write the full row into April's
        List<DocumentAction> moved = apply(r, update("s", "orders",
                row("id", 1, "created_at", "2024-04-01 00:00:00", "status", "paid"), row("created_at", "2024-03-05 10:11:12"), "id"));
        assertEquals(DocumentAction.delete("orders-2024.03", "1"), moved.get(0));
        assertEquals("orders-2024.04", moved.get(1).index());
        assertEquals("paid", moved.get(1).document().get("status"));
    }

    @Test
    void appendOnlyRuleFailsAnUpdateOrDeleteNamingThePositionAndIgnoresRowsItsFilterRejects() {
        Rules r = rules(TableRule.builder().table("logs").index("logs-{$time:yyyy.MM}").appendOnly()
                .where("level <> 'debug'").build());
        assertEquals("logs-2023.11",
                apply(r, insert("s", "logs", row("id", 1, "level", "info"), "id")).get(0).index());
        SyncException up = assertThrows(SyncException.class, () -> apply(r, update("s", "logs",
                row("id", 1, "level", "warn"), row("level", "info"), "id")));
        assertTrue(up.getMessage().contains("s.logs") && up.getMessage().contains("append-only")
                && up.getMessage().contains("UPDATE") && up.getMessage().contains("canal-0@42"), up.getMessage());
        SyncException del = assertThrows(SyncException.class,
                () -> apply(r, delete("s", "logs", row("id", 1, "level", "info"), "id")));
        assertTrue(del.getMessage().contains("DELETE") && del.getMessage().contains("canal-0@42"), del.getMessage());
        // rows the filter rejects before and after produce nothing, so nothing can go to a wrong index
        assertEquals(List.of(), apply(r, update("s", "logs", row("id", 2, "level", "debug"), row("msg", "x"), "id")));
        assertEquals(List.of(), apply(r, delete("s", "logs", row("id", 2, "level", "debug"), "id")));
        // an update of a row leaving the filter would delete from the wrong index: refused too
        assertThrows(SyncException.class, () -> apply(r, update("s", "logs",
                row("id", 1, "level", "debug"), row("level", "info"), "id")));
    }

    @Test
    void templatedIndexRendersEachDayCorrectlyAcrossConsecutiveEvents() {
        Rules daily = rules(TableRule.builder().table("t").index("t-{d:yyyy.MM.dd}").timeZone(ZoneId.of("+08:00")).build());
        Rules hourly = rules(TableRule.builder().table("t").index("t-{d:yyyy.MM.dd.HH}").build());
        String[][] cases = {
            {"2024-03-05 10:00:00", "t-2024.03.05", "t-2024.03.05.10"},
            {"2024-03-05 23:59:59.999999", "t-2024.03.05", "t-2024.03.05.23"},
            {"2024-03-06", "t-2024.03.06", "t-2024.03.06.00"},
            {"2024-02-29T01:02:03", "t-2024.02.29", "t-2024.02.29.01"},
            {"2024-03-05T20:00:00Z", "t-2024.03.06", "t-2024.03.05.20"}, // an offset converts into the rule zone
            {"2024-03-05 10:00:00", "t-2024.03.05", "t-2024.03.05.10"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], apply(daily, insert("d", "t", row("id", 1, "d", c[0]), "id")).get(0).index(), c[0]);
            assertEquals(c[2], apply(hourly, insert("d", "t", row("id", 1, "d", c[0]), "id")).get(0).index(), c[0]);
        }
        assertThrows(SyncException.class, () -> apply(daily, insert("d", "t", row("id", 1, "d", "2023-02-29"), "id")));
        assertThrows(SyncException.class, () -> apply(daily, insert("d", "t", row("id", 1, "d", "0000-00-00 00:00:00"), "id")));
    }

    @Test
    void templateRendersEpochNumbersInTheRuleZoneAndEventPlaceholders() {
        Rules r = rules(TableRule.builder().database("*").table("*").timeZone(ZoneId.of("Asia/Shanghai"))
                .index("{$database}-{$table}-{ts:yyyyMMdd}-{$time:yyyy}").appendOnly().build());
        // 2023-12-31T20:00:00Z is 2024-01-01 04:00 in Shanghai
        DocumentAction a = apply(r, insert("Shop", "Orders", row("id", 1, "ts", 1_704_052_800_000L), "id")).get(0);
        assertEquals("shop-orders-20240101-2023", a.index());
    }

    @Test
    void templateColumnValuesAreLowerCasedAndForbiddenCharactersFail() {
        Rules r = rules(TableRule.builder().table("t").index("t-{region}").build());
        assertEquals("t-eu", apply(r, insert("d", "t", row("id", 1, "region", "EU"), "id")).get(0).index());
        SyncException e = assertThrows(SyncException.class, () -> apply(r, insert("d", "t", row("id", 1, "region", "eu/west"), "id")));
        assertTrue(e.getMessage().contains("d.t") && e.getMessage().contains("'/'"), e.getMessage());
    }

    @Test
    void templateColumnNullOrNotADateFailsNamingTableAndColumn() {
        Rules r = rules(TableRule.builder().table("orders").index("orders-{created_at:yyyy}").build());
        SyncException missing = assertThrows(SyncException.class, () -> apply(r, insert("s", "orders", row("id", 1), "id")));
        assertTrue(missing.getMessage().contains("s.orders") && missing.getMessage().contains("'created_at'"), missing.getMessage());
        SyncException bad = assertThrows(SyncException.class,
                () -> apply(r, insert("s", "orders", row("id", 1, "created_at", "soon"), "id")));
        assertTrue(bad.getMessage().contains("not a date"), bad.getMessage());
    }

    @Test
    void primaryKeyChangeDeletesTheOldDocumentAndWritesTheFullNewRow() {
        Rules r = rules(TableRule.builder().table("t").index("i").writeMode(WriteMode.INDEX).build());
        List<DocumentAction> out = apply(r, update("d", "t", row("id", 2, "name", "x"), row("id", 1), "id"));
        assertEquals(2, out.size());
        assertEquals(DocumentAction.delete("i", "1"), out.get(0));
        assertEquals(DocumentAction.index("i", "2", row("id", 2, "name", "x")), out.get(1));
    }

    @Test
    void indexModeCarriesExternalVersionsFromAColumnOrTheBinlogTime() {
        Rules byColumn = rules(TableRule.builder().table("t").index("i").writeMode(WriteMode.INDEX)
                .versionColumn("ver").versionType(VersionType.EXTERNAL).build());
        DocumentAction a = apply(byColumn, insert("d", "t", row("id", 1, "ver", "17"), "id")).get(0);
        assertEquals(ActionType.INDEX, a.type());
        assertEquals(17L, a.version());
        assertEquals(VersionType.EXTERNAL, a.versionType());
        DocumentAction del = apply(byColumn, delete("d", "t", row("id", 1, "ver", 18), "id")).get(0);
        assertEquals(18L, del.version());
        Rules byTime = rules(TableRule.builder().table("t").index("i").writeMode(WriteMode.INDEX)
                .versionFromBinlogTime().build());
        DocumentAction b = apply(byTime, insert("d", "t", row("id", 1), "id")).get(0);
        assertEquals(1_700_000_000_000L, b.version());
        assertEquals(VersionType.EXTERNAL_GTE, b.versionType());
        Rules byDate = rules(TableRule.builder().table("t").index("i").writeMode(WriteMode.INDEX)
                .versionColumn("updated_at").build());
        assertEquals(1_704_067_200_000L,
                apply(byDate, insert("d", "t", row("id", 1, "updated_at", "2024-01-01 00:00:00"), "id")).get(0).version());
        SyncException e = assertThrows(SyncException.class,
                () -> apply(byColumn, insert("d", "t", row("id", 1, "ver", "v1"), "id")));
        assertTrue(e.getMessage().contains("version column 'ver'"), e.getMessage());
    }

    @Test
    void fieldOptionsApplyInOrderIncludeConvertRenameConstantCustomize() {
        Rules r = rules(TableRule.builder().table("t").index("i")
                .exclude("secret")
                .rename("uid", "user_id")
                .convert("tags", Converters.split(","))
                .convert("created", Converters.date(null, ZoneId.of("+08:00")))
                .convert("paid_at", Converters.date(null, ZoneId.of("UTC")))
                .convert("born", Converters.date("dd/MM/yyyy", ZoneId.of("UTC")))
                .convert("attrs", Converters.json())
                .constant("source", "mysql")
                .customizer((doc, ev) -> doc.put("table", ev.table()))
                .build());
        Map<String, Object> doc = apply(r, insert("d", "t", row("id", 1, "uid", 9, "secret", "x", "tags", "a, b,,c",
                "created", "2024-03-05 10:00:00", "paid_at", 0L, "born", "02/01/1990",
                "attrs", "{\"k\":[1,2]}"), "id")).get(0).document();
        assertEquals(Map.of("id", 1, "user_id", 9, "tags", List.of("a", "b", "c"),
                "created", "2024-03-05T10:00:00+08:00", "paid_at", "1970-01-01T00:00:00Z", "born", "1990-01-02T00:00:00Z",
                "attrs", Map.of("k", List.of(1, 2)), "source", "mysql", "table", "t"), doc);
    }

    @Test
    void includeKeepsOnlyListedColumnsAndZeroDatesBecomeNull() {
        Rules r = rules(TableRule.builder().table("t").index("i").include("id", "d")
                .convert("d", Converters.date(null, ZoneId.of("UTC"))).build());
        Map<String, Object> doc = apply(r, insert("x", "t", row("id", 1, "d", "0000-00-00 00:00:00", "other", 2), "id"))
                .get(0).document();
        assertEquals(2, doc.size());
        assertTrue(doc.containsKey("d") && doc.get("d") == null);
    }

    @Test
    void failingConverterNamesTableAndColumn() {
        Rules r = rules(TableRule.builder().table("t").index("i").convert("attrs", Converters.json()).build());
        SyncException e = assertThrows(SyncException.class,
                () -> apply(r, insert("d", "t", row("id", 1, "attrs", "{oops"), "id")));
        assertTrue(e.getMessage().contains("d.t") && e.getMessage().contains("column 'attrs'"), e.getMessage());
        assertTrue(e.getMessage().contains("canal-0@42"), e.getMessage());
    }

    @Test
    void severalTablesMergeIntoOneExistingDocumentByUpdatesThatNeverCreateItAndDeletesClearTheirFields() {
        Rules r = rules(
                TableRule.builder().table("orders").index("orders").build(),
                TableRule.builder().table("order_shipping").index("orders").mergeInto("order_id")
                        .include("carrier", "tracking").rename("tracking", "tracking_no").build(),
                TableRule.builder().table("order_customer").index("orders").mergeInto("order_id")
                        .nestUnder("customer").exclude("order_id").build(),
                TableRule.builder().table("order_note").index("orders").mergeInto("order_id")
                        .include("note").onMergedRowDelete(MergeDelete.IGNORE).build());
        DocumentAction ship = apply(r, insert("s", "order_shipping",
                row("id", 50, "order_id", 7, "carrier", "ups", "tracking", "1Z"), "id")).get(0);
        assertEquals(DocumentAction.update("orders", "7", Map.of("carrier", "ups", "tracking_no", "1Z")), ship);
        DocumentAction cust = apply(r, insert("s", "order_customer",
                row("id", 3, "order_id", 7, "name", "Ann"), "id")).get(0);
        assertEquals(DocumentAction.update("orders", "7", Map.of("customer", Map.of("id", 3, "name", "Ann"))), cust);

        DocumentAction clear = apply(r, delete("s", "order_shipping",
                row("id", 50, "order_id", 7, "carrier", "ups", "tracking", "1Z"), "id")).get(0);
        assertEquals(ActionType.UPDATE, clear.type());
        assertEquals("7", clear.id());
        assertEquals(row("carrier", null, "tracking_no", null), clear.document());
        assertEquals(row("customer", null),
                apply(r, delete("s", "order_customer", row("id", 3, "order_id", 7, "name", "Ann"), "id")).get(0).document());
        assertEquals(List.of(), apply(r, delete("s", "order_note", row("id", 1, "order_id", 7, "note", "n"), "id")));

        // the shipping row moves to another order: clear it in the old one, write it into the new one
        List<DocumentAction> moved = apply(r, update("s", "order_shipping",
                row("id", 50, "order_id", 8, "carrier", "ups", "tracking", "1Z"), row("order_id", 7), "id"));
        assertEquals(2, moved.size());
        assertEquals(ActionType.UPDATE, moved.get(0).type());
        assertEquals(ActionType.UPDATE, moved.get(1).type());
        assertEquals("7", moved.get(0).id());
        assertEquals(row("carrier", null, "tracking_no", null), moved.get(0).document());
        assertEquals("8", moved.get(1).id());
        assertEquals(Map.of("carrier", "ups", "tracking_no", "1Z"), moved.get(1).document());
    }

    @Test
    void filterTransitionsDeleteAndRecreateDocuments() {
        Rules r = rules(TableRule.builder().table("orders").index("orders").writeMode(WriteMode.INDEX)
                .where("status <> 'deleted'").build());
        // insert not matching: nothing
        assertEquals(List.of(), apply(r, insert("s", "orders", row("id", 1, "status", "deleted"), "id")));
        // matched, now does not: delete
        assertEquals(List.of(DocumentAction.delete("orders", "1")), apply(r, update("s", "orders",
                row("id", 1, "status", "deleted"), row("status", "new"), "id")));
        // did not match, now does: the full row
        Map<String, Object> restored = row("id", 1, "status", "new", "amount", "9.5");
        assertEquals(List.of(DocumentAction.index("orders", "1", restored)), apply(r, update("s", "orders",
                restored, row("status", "deleted"), "id")));
        // neither: nothing
        assertEquals(List.of(), apply(r, update("s", "orders",
                row("id", 1, "status", "deleted", "amount", "1"), row("amount", "2"), "id")));
        // delete of a row that never matched: nothing; of one that matched: delete
        assertEquals(List.of(), apply(r, delete("s", "orders", row("id", 1, "status", "deleted"), "id")));
        assertEquals(1, apply(r, delete("s", "orders", row("id", 1, "status", "new"), "id")).size());
        // NULL status never matches (three-valued logic)
        assertEquals(List.of(), apply(r, insert("s", "orders", row("id", 2, "status", null), "id")));
    }

    @Test
    void filterTransitionWithPrimaryKeyChangeDeletesTheOldId() {
        Rules r = rules(TableRule.builder().table("t").index("i").where("type IN (1,2)").build());
        List<DocumentAction> out = apply(r, update("d", "t", row("id", 2, "type", "3"), row("id", 1, "type", "1"), "id"));
        assertEquals(List.of(DocumentAction.delete("i", "1")), out);
    }

    @Test
    void sqlAndCodeFiltersCombine() {
        Rules r = rules(TableRule.builder().table("t").index("i").where("type IN (1,2)")
                .filter((row, ev) -> !"test".equals(row.get("env"))).build());
        assertEquals(1, apply(r, insert("d", "t", row("id", 1, "type", "1", "env", "prod"), "id")).size());
        assertEquals(0, apply(r, insert("d", "t", row("id", 1, "type", "1", "env", "test"), "id")).size());
        assertEquals(0, apply(r, insert("d", "t", row("id", 1, "type", "3", "env", "prod"), "id")).size());
    }

    @Test
    void oldRowIsTheNewRowOverlaidWithPreviousValues() {
        Rules r = rules(TableRule.builder().table("t").index("i").where("a = 1 AND b = 1").build());
        // old row: a=1 (from old), b=1 (unchanged, from new) → matched; new: a=2 → not: delete
        ChangeEvent e = update("d", "t", row("id", 1, "a", 2, "b", 1), row("a", 1), "id");
        assertEquals(List.of(DocumentAction.delete("i", "1")), apply(r, e));
    }
}
