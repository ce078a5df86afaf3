package dev.binlogsync.examples;

import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.examples.testbed.EmbeddedMariaDb;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's small shop: its MySQL schema and the rules that map it to Elasticsearch.
 *
 * <ul>
 *   <li>{@code shop.orders} becomes index {@code orders}, only while {@code status <> 'CANCELLED'}
 *       (a cancelled order's document is deleted by the filter transition); the internal
 *       {@code note} column is left out.</li>
 *   <li>{@code shop.order_item_0} .. {@code order_item_3}, one table sharded four ways, become one
 *       index {@code order_items}.</li>
 *   <li>{@code shop.order_shipping}, a child table, is merged into its order's document under
 *       {@code shipping}.</li>
 *   <li>{@code shop.heartbeat} becomes index {@code heartbeat}, read by the heartbeat check.</li>
 * </ul>
 *
 * <p>Every business table has {@code updated_ms}, the write time in epoch ms, from which the demo
 * measures end-to-end latency. Stateless.
 */
public final class Shop {

    /** The database. */
    public static final String DATABASE = "shop";
    /** How many physical tables {@code order_item} is sharded into. */
    public static final int ITEM_SHARDS = 4;
    /** The index of orders (with their shipping). */
    public static final String ORDERS_INDEX = "orders";
    /** The index of all order items. */
    public static final String ITEMS_INDEX = "order_items";
    /** The index of heartbeats. */
    public static final String HEARTBEAT_INDEX = "heartbeat";
    /** The heartbeat table, {@code database.table}. */
    public static final String HEARTBEAT_TABLE = DATABASE + ".heartbeat";

    private Shop() {
    }

    /** Creates the database and its tables (not the heartbeat table: {@code HeartbeatWriter} does). */
    public static void createSchema(EmbeddedMariaDb db) {
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE DATABASE " + DATABASE);
        ddl.add("CREATE TABLE shop.orders (id BIGINT NOT NULL PRIMARY KEY, customer VARCHAR(64) NOT NULL,"
                + " status VARCHAR(16) NOT NULL, total DECIMAL(12,2) NOT NULL, items INT NOT NULL,"
                + " express TINYINT(1) NOT NULL, note VARCHAR(255) NULL, created_at DATETIME(3) NOT NULL,"
                + " updated_ms BIGINT NOT NULL)");
        for (int shard = 0; shard < ITEM_SHARDS; shard++) {
            ddl.add("CREATE TABLE shop.order_item_" + shard + " (id BIGINT NOT NULL PRIMARY KEY, order_id BIGINT NOT NULL,"
                    + " sku VARCHAR(32) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, updated_ms BIGINT NOT NULL,"
                    + " KEY (order_id))");
        }
        ddl.add("CREATE TABLE shop.order_shipping (order_id BIGINT NOT NULL PRIMARY KEY, carrier VARCHAR(32) NOT NULL,"
                + " tracking VARCHAR(64) NOT NULL, shipped_at DATETIME(3) NOT NULL, updated_ms BIGINT NOT NULL)");
        db.execute(ddl.toArray(new String[0]));
    }

    /** The rules: see the class comment. */
    public static Rules rules() {
        return Rules.builder()
                .rule(TableRule.builder().database(DATABASE).table("orders").index(ORDERS_INDEX)
                        .where("status <> 'CANCELLED'").exclude("note").build())
                .rule(TableRule.builder().database(DATABASE).table("order_item_[0-9]+").index(ITEMS_INDEX).build())
                .rule(TableRule.builder().database(DATABASE).table("order_shipping").index(ORDERS_INDEX)
                        .mergeInto("order_id").nestUnder("shipping").onMergedRowDelete(MergeDelete.IGNORE).build())
                .rule(TableRule.builder().database(DATABASE).table("heartbeat").index(HEARTBEAT_INDEX).build())
                .build();
    }
}
