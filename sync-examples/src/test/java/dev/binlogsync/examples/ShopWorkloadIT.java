package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.testing.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.EnumSet;
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
