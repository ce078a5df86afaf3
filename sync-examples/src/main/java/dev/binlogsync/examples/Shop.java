package dev.binlogsync.examples;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's small shop: its MySQL schema and the rules that map it to Elasticsearch.
 *
 * <ul>
 *   <li>{@code shop.orders} becomes index {@code orders}, only while {@code status <> 'CANCELLED'}
 *       (a cancelled order's document is deleted by the filter transition); the internal
 *       {@code note} column is left out.</li>
 *   <li>{@code shop.orders} also becomes the monthly indexes
 *       {@code orders_by_month-{created_at:yyyy.MM}} (every order, cancelled ones included, without
 *       {@code note}), routed by {@code customer}: an order whose {@code created_at} moves to another
 *       month or whose customer changes is deleted where it was and written where it now
 *       belongs.</li>
 *   <li>{@code shop.order_item_0} .. {@code order_item_3}, one table sharded four ways, become one
 *       index {@code order_items}, written whole ({@link WriteMode#INDEX}) with {@code updated_ms}
 *       as the external version: a primary-key change's delete of the old id travels on the new
 *       id's partition and may arrive after the old id's re-insert, which the version then
 *       rejects. {@code updated_ms} must therefore grow with every change of a row
 *       ({@link ShopWorkload} writes it from a strictly increasing clock).</li>
 *   <li>{@code shop.order_shipping}, a child table, is merged into its order's document under
 *       {@code shipping}; deleting the row sets {@code shipping} to null (the default
 *       {@code MergeDelete.CLEAR}, a partial update that never creates the order's document).</li>
 *   <li>{@code shop.heartbeat} becomes index {@code heartbeat}, read by the heartbeat check.</li>
 *   <li>{@code shop.scratch} has no rule: it is not synced, and its {@code TRUNCATE}s are skipped
 *       by a decoder given {@link #syncedTables()}.</li>
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
    /** The prefix of the monthly order indexes, {@code orders_by_month-yyyy.MM}. */
    public static final String ORDERS_BY_MONTH_PREFIX = "orders_by_month-";
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
        ddl.add("CREATE TABLE shop.scratch (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(64) NOT NULL)");
        db.execute(ddl.toArray(new String[0]));
    }

    /** The rules: see the class comment. */
    public static Rules rules() {
        return Rules.builder()
                .rule(TableRule.builder().database(DATABASE).table("orders").index(ORDERS_INDEX)
                        .where("status <> 'CANCELLED'").exclude("note").build())
                .rule(TableRule.builder().database(DATABASE).table("orders")
                        .index(ORDERS_BY_MONTH_PREFIX + "{created_at:yyyy.MM}").routing("customer").exclude("note").build())
                .rule(TableRule.builder().database(DATABASE).table("order_item_[0-9]+").index(ITEMS_INDEX)
                        .writeMode(WriteMode.INDEX).versionColumn("updated_ms").build())
                .rule(TableRule.builder().database(DATABASE).table("order_shipping").index(ORDERS_INDEX)
                        .mergeInto("order_id").nestUnder("shipping").build())
                .rule(TableRule.builder().database(DATABASE).table("heartbeat").index(HEARTBEAT_INDEX).build())
                .build();
    }

    /**
     * The shop's data tables, every table {@link #rules()} sync but the heartbeat (whose row the
     * heartbeat writer rewrites every few seconds, so the stream alone keeps it): {@code orders},
     * {@code order_item_0} .. {@code order_item_3}, {@code order_shipping}.
     */
    public static List<String> dataTables() {
        List<String> tables = new ArrayList<>();
        tables.add("orders");
        for (int shard = 0; shard < ITEM_SHARDS; shard++) {
            tables.add("order_item_" + shard);
        }
        tables.add("order_shipping");
        return List.copyOf(tables);
    }

    /**
     * The data tables the demo fills before the stream starts and backfills, in load order (the
     * merge rule's {@code order_shipping} after {@code orders}, whose documents it merges into): every
     * data table, {@code orders}, {@code order_item_0} .. {@code order_item_3} (one rule writes the
     * four shards into one index, versioned by {@code updated_ms}: the backfill's verification reads
     * each key in every shard; docs/backfill.md, "Rules over several tables") and
     * {@code order_shipping}.
     */
    public static List<String> backfilledTables() {
        return dataTables();
    }

    /**
     * The tables {@link #rules()} sync, as a decoder's {@code syncedTables} predicate
     * (database, table): a {@code TRUNCATE} of any other table (such as {@code scratch}) is
     * skipped, one of these is a decode error.
     */
    public static java.util.function.BiPredicate<String, String> syncedTables() {
        Rules rules = rules();
        return (database, table) -> !rules.rulesFor(database, table).isEmpty();
    }
}
