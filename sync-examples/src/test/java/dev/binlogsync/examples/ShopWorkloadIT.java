package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.testing.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShopWorkloadIT {

    @Test
    void sameSeedRunsTheSameOperationsAndKeepsTheLifeCycleInvariants() throws Exception {
        Map<ShopWorkload.Op, Long> first;
        Map<ShopWorkload.Op, Long> second;
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            Shop.createSchema(db);
            try (ShopWorkload workload = new ShopWorkload(db, 42)) {
                for (int i = 0; i < 600; i++) {
                    workload.step();
                }
                first = workload.counts();
            }
            assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.order_shipping s LEFT JOIN shop.orders o"
                    + " ON o.id = s.order_id WHERE o.status IS NULL OR o.status <> 'SHIPPED'"),
                    "a shipping row exists only for a shipped order");
            long orphans = 0;
            for (int shard = 0; shard < Shop.ITEM_SHARDS; shard++) {
                orphans += count(db, "SELECT COUNT(*) FROM shop.order_item_" + shard + " i LEFT JOIN shop.orders o"
                        + " ON o.id = i.order_id WHERE o.id IS NULL");
                assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.order_item_" + shard + " WHERE order_id % "
                        + Shop.ITEM_SHARDS + " <> " + shard), "items live in their order's shard");
            }
            assertEquals(0, orphans, "deleting an order deletes its items");
            assertTrue(count(db, "SELECT COUNT(*) FROM shop.orders WHERE express NOT IN (0, 1)") > 0,
                    "some orders' tinyint(1) express is neither 0 nor 1");
        }
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            Shop.createSchema(db);
            try (ShopWorkload workload = new ShopWorkload(db, 42)) {
                for (int i = 0; i < 600; i++) {
                    workload.step();
                }
                second = workload.counts();
            }
        }
        assertEquals(first, second);
        for (ShopWorkload.Op op : ShopWorkload.Op.values()) {
            boolean ordinary = op.ordinal() <= ShopWorkload.Op.NOTE.ordinal();
            assertEquals(ordinary, first.getOrDefault(op, 0L) > 0, op + " ran only if ordinary: " + first);
        }
    }

    @Test
    void hardCasesRunEveryOperationTheSameWayForASeedAndLeaveTheShapesTheyPromise() throws Exception {
        Map<ShopWorkload.Op, Long> first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
                Shop.createSchema(db);
                try (ShopWorkload workload = new ShopWorkload(db, 42, EnumSet.allOf(ShopWorkload.HardCase.class))) {
                    for (int i = 0; i < 800; i++) {
                        workload.step();
                    }
                    if (first == null) {
                        first = workload.counts();
                    } else {
                        assertEquals(first, workload.counts());
                    }
                }
                for (int shard = 0; shard < Shop.ITEM_SHARDS; shard++) {
                    assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.order_item_" + shard + " WHERE order_id % "
                            + Shop.ITEM_SHARDS + " <> " + shard), "items live in their order's shard");
                }
                assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.order_shipping s JOIN shop.orders o"
                        + " ON o.id = s.order_id WHERE o.status <> 'SHIPPED'"), "a live order has a shipping row only when shipped");
                assertTrue(count(db, "SELECT COUNT(DISTINCT DATE_FORMAT(created_at, '%Y-%m')) FROM shop.orders") > 1,
                        "orders moved to other months");
            }
        }
        for (ShopWorkload.Op op : ShopWorkload.Op.values()) {
            assertTrue(first.getOrDefault(op, 0L) > 0, op + " ran: " + first);
        }
    }

    @Test
    void fillHistoryWritesOnlyTheNamedTablesOverThePastMonthsAndTheStepsChangeThoseRows() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            Shop.createSchema(db);
            try (ShopWorkload workload = new ShopWorkload(db, 42)) {
                Map<String, Long> written = workload.fillHistory(1_200, 6, List.of("orders", "order_shipping"));

                assertEquals(1_200, count(db, "SELECT COUNT(*) FROM shop.orders"));
                long shipped = count(db, "SELECT COUNT(*) FROM shop.orders WHERE status = 'SHIPPED'");
                assertTrue(shipped > 0 && count(db, "SELECT COUNT(*) FROM shop.orders WHERE status = 'CANCELLED'") > 0,
                        "some orders shipped, some cancelled");
                assertEquals(shipped, count(db, "SELECT COUNT(*) FROM shop.order_shipping s JOIN shop.orders o"
                        + " ON o.id = s.order_id AND o.status = 'SHIPPED'"), "every shipped order has its shipping row");
                assertEquals(shipped, count(db, "SELECT COUNT(*) FROM shop.order_shipping"), "and no other order has one");
                assertEquals(Map.of("orders", 1_200L, "order_shipping", shipped), written);
                for (int shard = 0; shard < Shop.ITEM_SHARDS; shard++) {
                    assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.order_item_" + shard), "items were not asked for");
                }
                assertTrue(count(db, "SELECT COUNT(DISTINCT DATE_FORMAT(created_at, '%Y-%m')) FROM shop.orders") >= 6,
                        "orders over the months");
                assertEquals(0, count(db, "SELECT COUNT(*) FROM shop.orders WHERE created_at > UTC_TIMESTAMP()"
                        + " OR created_at < UTC_TIMESTAMP() - INTERVAL 7 MONTH OR updated_ms > UNIX_TIMESTAMP() * 1000"),
                        "created and updated in the past months");

                long lastFilledUpdate = count(db, "SELECT MAX(updated_ms) FROM shop.orders");
                for (int i = 0; i < 300; i++) {
                    workload.step();
                }
                long deleted = 1_200 - count(db, "SELECT COUNT(*) FROM shop.orders WHERE id <= 1200");
                long updated = count(db, "SELECT COUNT(*) FROM shop.orders WHERE id <= 1200 AND updated_ms > " + lastFilledUpdate);
                assertTrue(updated > 0 && deleted > 0, "the steps updated (" + updated + ") and deleted (" + deleted
                        + ") filled orders");
                assertThrows(IllegalStateException.class, () -> workload.fillHistory(10, 1, List.of("orders")));
            }
        }
    }

    @Test
    void parsesHardCaseListsAndRejectsUnknownNames() {
        assertEquals(EnumSet.allOf(ShopWorkload.HardCase.class), ShopWorkload.HardCase.parse("all"));
        assertEquals(Set.of(), ShopWorkload.HardCase.parse("none"));
        assertEquals(Set.of(), ShopWorkload.HardCase.parse(""));
        assertEquals(EnumSet.of(ShopWorkload.HardCase.ITEM_KEY_CHANGE, ShopWorkload.HardCase.SAME_SECOND_UPDATES),
                ShopWorkload.HardCase.parse("item_key_change, SAME_SECOND_UPDATES"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShopWorkload.HardCase.parse("ITEM_KEY,SAME_SECOND_UPDATES"));
        assertTrue(e.getMessage().startsWith("unknown hard case: ITEM_KEY"), e.getMessage());
    }

    private static long count(EmbeddedMariaDb db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
