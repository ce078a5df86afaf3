package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.examples.testbed.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShopWorkloadTest {

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
            assertTrue(first.getOrDefault(op, 0L) > 0, op + " ran: " + first);
        }
    }

    private static long count(EmbeddedMariaDb db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
