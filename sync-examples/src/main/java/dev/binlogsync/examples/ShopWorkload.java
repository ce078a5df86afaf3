package dev.binlogsync.examples;

import dev.binlogsync.testing.EmbeddedMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Random, seeded inserts, updates and deletes on the {@link Shop} schema, one transaction per
 * {@link #step()}: new orders with their items (a multi-row insert into one item shard), payments,
 * shipments (a shipping row merged into the order document), tracking updates, cancellations
 * (which the status filter turns into document deletes), item changes, multi-row price updates,
 * and deletes of orders with their items. A new order's {@code express} ({@code TINYINT(1)}) is
 * 0 or 1, and sometimes 2 or -1.
 *
 * <p>Every {@code updated_ms} written comes from a strictly increasing clock (the wall clock, or
 * one more than the last value when the wall clock has not moved on): the item rule's external
 * version is {@code updated_ms}, and two changes of one key that may arrive out of order (a key
 * change's delete and the old key's re-insert) must not carry the same version.
 *
 * <p>Without hard cases, orders follow a life cycle in which the only cross-table effects commute:
 * a shipping row exists only for shipped orders, and a shipped order is never cancelled or deleted.
 * The shipping row is keyed by {@code order_id}, so Canal's key hash puts it in its order's Kafka
 * partition, behind the order's insert; its merge rule's update then always finds the order's
 * document. Each {@link HardCase} adds operations that leave that safe ground; a hard case's
 * operations take its weight out of every 100 + (sum of the enabled weights) picks, so the sequence
 * without hard cases stays the same for a seed.
 *
 * <p>The same seed and hard cases give the same sequence of operations. Not thread-safe: one
 * thread steps it.
 */
public final class ShopWorkload implements AutoCloseable {

    /** The kinds of transaction. */
    public enum Op {
        NEW_ORDER, PAY, SHIP, TRACK, CANCEL, ITEM_QTY, ITEM_DELETE, PRICE_UPDATE, DELETE_ORDER, NOTE,
        /** {@link HardCase#ORPHANED_SHIPPING}: a shipped order and its items deleted, its shipping row kept. */
        DELETE_SHIPPED_ORDER,
        /** {@link HardCase#ORPHANED_SHIPPING}: the shipping row of a deleted order updated. */
        TRACK_ORPHAN,
        /** {@link HardCase#SHIPPING_DELETED_AFTER_ORDER}: the shipping row of a deleted order deleted. */
        DELETE_ORPHAN_SHIPPING,
        /** {@link HardCase#SAME_SECOND_UPDATES}: 2-5 back-to-back transactions updating one row. */
        SAME_SECOND_UPDATES,
        /** {@link HardCase#ITEM_KEY_CHANGE}: an item's id changed, then a new item with the old id. */
        ITEM_KEY_CHANGE,
        /** {@link HardCase#LIVE_SHIPPING_DELETED}: a shipped order's shipping row deleted, the order back to PAID. */
        UNSHIP,
        /** {@link HardCase#UNSYNCED_TRUNCATE}: 1-3 rows inserted into {@code scratch}. */
        SCRATCH,
        /** {@link HardCase#UNSYNCED_TRUNCATE}: {@code TRUNCATE TABLE scratch}. */
        TRUNCATE_SCRATCH,
        /** {@link HardCase#MOVED_ORDERS}: an order's {@code created_at} moved by some months and/or its customer changed. */
        MOVE_ORDER
    }

    /**
     * The hard cases, each off unless passed to the constructor, with its weight (picks per 100
     * ordinary ones).
     */
    public enum HardCase {
        /**
         * Orders deleted while their shipping rows keep changing: a shipped order and its items are
         * deleted and its {@code order_shipping} row stays; later transactions update that row.
         * The shipping update (a merge, never creating the parent) must not bring the order's document back.
         */
        ORPHANED_SHIPPING(6),
        /**
         * Shipping rows deleted after their order: the shipping row of a deleted order is deleted
         * (one orphaned by {@link #ORPHANED_SHIPPING} when there is one, else a shipped order is
         * deleted in one transaction and its shipping row in the next).
         */
        SHIPPING_DELETED_AFTER_ORDER(3),
        /**
         * Several updates of one row within the same second: 2-5 transactions committed back to back,
         * each updating the same order, item or shipping row (binlog times have second resolution).
         */
        SAME_SECOND_UPDATES(5),
        /**
         * Primary-key changes: {@code UPDATE order_item_N SET id = <new> WHERE id = <old>}, then, in
         * the next transaction, a new item inserted with the old id (the old and the new id usually
         * hash to different partitions).
         */
        ITEM_KEY_CHANGE(4),
        /**
         * Shipping rows of live orders deleted: a shipped order's shipping row is deleted and the
         * order goes back to {@code PAID} in one transaction (it may be shipped again later, with a
         * new shipping row). The order's document must lose its {@code shipping}, as the join in
         * MySQL does.
         */
        LIVE_SHIPPING_DELETED(3),
        /**
         * {@code TRUNCATE} of a table no rule syncs: rows are inserted into {@code scratch}, or the
         * table is truncated (a DDL statement, its own transaction), half of the picks each. A
         * decoder given {@link Shop#syncedTables()} skips the {@code TRUNCATE}; one that syncs
         * every table (the decoders' default) stops on it.
         */
        UNSYNCED_TRUNCATE(2),
        /**
         * Orders moving between date-templated indexes and routings: an order's {@code created_at}
         * moves by 1-13 months back or 1-3 forward, its customer changes, or both, so its
         * {@code orders_by_month-yyyy.MM} document must be deleted where it was and written where
         * it now belongs.
         */
        MOVED_ORDERS(4);

        private final int weight;

        HardCase(int weight) {
            this.weight = weight;
        }

        /** Picks of this case's operations per 100 ordinary picks. */
        public int weight() {
            return weight;
        }

        /**
         * Parses a comma-separated list of names ({@code ORPHANED_SHIPPING,ITEM_KEY_CHANGE}), or
         * {@code all}, or {@code none} / an empty string.
         *
         * @throws IllegalArgumentException naming an unknown name
         */
        public static Set<HardCase> parse(String list) {
            Set<HardCase> cases = EnumSet.noneOf(HardCase.class);
            String trimmed = list.trim();
            if (trimmed.equalsIgnoreCase("all")) {
                return EnumSet.allOf(HardCase.class);
            }
            if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
                return cases;
            }
            for (String name : trimmed.split(",")) {
                try {
                    cases.add(HardCase.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown hard case: " + name.trim() + " (known: "
                            + java.util.Arrays.toString(values()) + ", all, none)", e);
                }
            }
            return cases;
        }
    }

    private enum Status { NEW, PAID, SHIPPED, CANCELLED }

    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final String[] CUSTOMERS = {"ada", "grace", "linus", "ken", "barbara", "edsger", "margaret", "dennis"};
    private static final String[] CARRIERS = {"DHL", "UPS", "FedEx", "PostNL"};
    /** Orders per transaction of {@link #fillHistory}. */
    private static final int FILL_BATCH = 500;

    private final Connection connection;
    private final Random random;
    private final Map<Long, Status> orders = new HashMap<>();
    private final List<Long> orderIds = new ArrayList<>();
    private final Map<Long, List<Long>> itemsByOrder = new HashMap<>();
    private final List<Long> shipped = new ArrayList<>();
    private final EnumMap<Op, Long> counts = new EnumMap<>(Op.class);
    private final EnumSet<HardCase> hardCases;
    private final int hardWeight;
    /** Orders deleted while their shipping row stays. */
    private final List<Long> orphans = new ArrayList<>();
    private long lastMs;
    private long nextOrderId = 1;
    private long nextItemId = 1;
    private long rowsWritten;

    /**
     * A workload without hard cases.
     *
     * @param db the server holding the {@link Shop} schema
     * @param seed the random seed
     */
    public ShopWorkload(EmbeddedMariaDb db, long seed) throws SQLException {
        this(db, seed, Set.of());
    }

    /**
     * @param db the server holding the {@link Shop} schema
     * @param seed the random seed
     * @param hardCases the hard cases to run besides the ordinary operations (none: the ordinary
     *     sequence)
     */
    public ShopWorkload(EmbeddedMariaDb db, long seed, Set<HardCase> hardCases) throws SQLException {
        Objects.requireNonNull(db, "db");
        this.hardCases = hardCases.isEmpty() ? EnumSet.noneOf(HardCase.class) : EnumSet.copyOf(hardCases);
        this.hardWeight = this.hardCases.stream().mapToInt(HardCase::weight).sum();
        this.connection = db.connect(Shop.DATABASE);
        this.connection.setAutoCommit(false);
        this.random = new Random(seed);
    }

    /** The hard cases this workload runs. */
    public Set<HardCase> hardCases() {
        return EnumSet.copyOf(hardCases);
    }

    /**
     * Fills the empty shop with history, before the first {@link #step()}: {@code count} orders
     * created over the last {@code months} months (oldest first, ids from 1), each with 1-4 items in
     * its {@code order_item_N} shard; about 10% of them {@code CANCELLED}, half {@code SHIPPED} with a
     * {@code order_shipping} row, the rest {@code PAID} or {@code NEW}; {@code updated_ms} in the past.
     * Only the named {@code tables} are written: without {@code order_shipping} no order is shipped;
     * without an item shard its orders' items are left out (each order keeps its item count and
     * total). Written in multi-row inserts, one transaction per 500 orders. The workload knows these
     * rows as its own: later steps pay, ship, cancel, change and delete them like the orders it
     * places.
     *
     * @param tables the tables to fill, by name in {@link Shop#DATABASE}; must hold {@code orders}
     * @return the rows written per table, for each of {@code tables} this method writes
     * @throws IllegalStateException when the workload has already written rows
     * @throws IllegalArgumentException when {@code count} or {@code months} is below 1, or
     *     {@code tables} lacks {@code orders}
     */
    public Map<String, Long> fillHistory(int count, int months, Collection<String> tables) throws SQLException {
        if (count < 1 || months < 1) {
            throw new IllegalArgumentException("count and months must be >= 1: " + count + ", " + months);
        }
        if (!tables.contains("orders")) {
            throw new IllegalArgumentException("the tables to fill must hold orders: " + tables);
        }
        if (nextOrderId != 1) {
            throw new IllegalStateException("fillHistory must come before the first step");
        }
        boolean shipping = tables.contains("order_shipping");
        long end = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        long start = Instant.ofEpochMilli(end).atZone(ZoneOffset.UTC).minusMonths(months).toInstant().toEpochMilli();
        long spacing = (end - start) / count;
        Map<String, Long> written = new LinkedHashMap<>();
        for (String table : tables) {
            written.put(table, 0L);
        }
        for (int from = 0; from < count; from += FILL_BATCH) {
            List<Object[]> orderRows = new ArrayList<>();
            List<List<Object[]>> itemRows = new ArrayList<>();
            for (int shard = 0; shard < Shop.ITEM_SHARDS; shard++) {
                itemRows.add(new ArrayList<>());
            }
            List<Object[]> shippingRows = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + FILL_BATCH); i++) {
                long id = nextOrderId++;
                long created = start + i * spacing + random.nextInt((int) Math.max(1, Math.min(spacing, Integer.MAX_VALUE)));
                int n = 1 + random.nextInt(4);
                List<Long> items = new ArrayList<>(n);
                BigDecimal total = BigDecimal.ZERO;
                boolean withItems = tables.contains("order_item_" + id % Shop.ITEM_SHARDS);
                for (int k = 0; k < n; k++) {
                    int qty = 1 + random.nextInt(5);
                    BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(9900), 2);
                    total = total.add(price.multiply(BigDecimal.valueOf(qty)));
                    if (withItems) {
                        long itemId = nextItemId++;
                        items.add(itemId);
                        itemRows.get((int) (id % Shop.ITEM_SHARDS)).add(new Object[] {itemId, id, "SKU-" + random.nextInt(500), qty, price, created});
                    }
                }
                int r = random.nextInt(100);
                Status status = r < 10 ? Status.CANCELLED : r < 60 ? (shipping ? Status.SHIPPED : Status.PAID)
                        : r < 80 ? Status.PAID : Status.NEW;
                long updated = created + 1 + random.nextInt(3_600_000); // paid, shipped or cancelled within the hour
                int express = random.nextInt(8);
                orderRows.add(new Object[] {id, CUSTOMERS[random.nextInt(CUSTOMERS.length)], status.name(), total, n,
                        express < 2 ? 1 : express == 2 ? 2 : express == 3 ? -1 : 0,
                        random.nextBoolean() ? null : "internal note " + random.nextInt(1000),
                        DATETIME.format(Instant.ofEpochMilli(created)), updated});
                if (status == Status.SHIPPED) {
                    shippingRows.add(new Object[] {id, CARRIERS[random.nextInt(CARRIERS.length)], "T" + random.nextInt(1_000_000),
                            DATETIME.format(Instant.ofEpochMilli(updated)), updated});
                    shipped.add(id);
                }
                orders.put(id, status);
                orderIds.add(id);
                itemsByOrder.put(id, items);
            }
            insert("orders", "id, customer, status, total, items, express, note, created_at, updated_ms", orderRows, written);
            for (int shard = 0; shard < Shop.ITEM_SHARDS; shard++) {
                insert("order_item_" + shard, "id, order_id, sku, qty, price, updated_ms", itemRows.get(shard), written);
            }
            insert("order_shipping", "order_id, carrier, tracking, shipped_at, updated_ms", shippingRows, written);
            connection.commit();
        }
        return written;
    }

    /** One multi-row {@code INSERT} of {@code rows} into {@code table}; counts them in {@code written}. */
    private void insert(String table, String columns, List<Object[]> rows, Map<String, Long> written) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String row = "(" + "?, ".repeat(rows.get(0).length - 1) + "?)";
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (" + columns + ") VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(row);
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int p = 1;
            for (Object[] values : rows) {
                for (Object v : values) {
                    ps.setObject(p++, v);
                }
            }
            ps.executeUpdate();
        }
        written.merge(table, (long) rows.size(), Long::sum);
    }

    /** Runs one random transaction and commits it; returns what it did. */
    public Op step() throws SQLException {
        Op op = pick();
        boolean done;
        try {
            done = run(op);
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
        if (!done) {
            op = Op.NEW_ORDER;
            newOrder();
            connection.commit();
        }
        counts.merge(op, 1L, Long::sum);
        return op;
    }

    /** Transactions run so far, by kind. */
    public Map<Op, Long> counts() {
        return new EnumMap<>(counts);
    }

    /** Row changes written so far (inserted, updated or deleted rows). */
    public long rowsWritten() {
        return rowsWritten;
    }

    private Op pick() {
        int r = random.nextInt(100 + hardWeight);
        if (r < 30 || orderIds.size() < 20) {
            return Op.NEW_ORDER;
        }
        if (r >= 100) {
            return pickHard(r - 100);
        }
        if (r < 45) {
            return Op.PAY;
        }
        if (r < 55) {
            return Op.SHIP;
        }
        if (r < 62) {
            return Op.TRACK;
        }
        if (r < 68) {
            return Op.CANCEL;
        }
        if (r < 78) {
            return Op.ITEM_QTY;
        }
        if (r < 83) {
            return Op.ITEM_DELETE;
        }
        if (r < 88) {
            return Op.PRICE_UPDATE;
        }
        if (r < 93) {
            return Op.DELETE_ORDER;
        }
        return Op.NOTE;
    }

    private Op pickHard(int r) {
        for (HardCase c : hardCases) {
            if (r < c.weight()) {
                switch (c) {
                    case ORPHANED_SHIPPING:
                        return r < 2 ? Op.DELETE_SHIPPED_ORDER : Op.TRACK_ORPHAN;
                    case SHIPPING_DELETED_AFTER_ORDER:
                        return Op.DELETE_ORPHAN_SHIPPING;
                    case SAME_SECOND_UPDATES:
                        return Op.SAME_SECOND_UPDATES;
                    case ITEM_KEY_CHANGE:
                        return Op.ITEM_KEY_CHANGE;
                    case LIVE_SHIPPING_DELETED:
                        return Op.UNSHIP;
                    case UNSYNCED_TRUNCATE:
                        return r < 1 ? Op.SCRATCH : Op.TRUNCATE_SCRATCH;
                    default:
                        return Op.MOVE_ORDER;
                }
            }
            r -= c.weight();
        }
        throw new AssertionError("hard pick out of range: " + r);
    }

    /** @return false when the operation found nothing to act on (then a new order is placed instead) */
    private boolean run(Op op) throws SQLException {
        switch (op) {
            case NEW_ORDER:
                newOrder();
                return true;
            case PAY:
                return transition(Status.NEW, Status.PAID);
            case SHIP:
                return ship();
            case TRACK:
                return track();
            case CANCEL:
                return transition(random.nextBoolean() ? Status.NEW : Status.PAID, Status.CANCELLED);
            case ITEM_QTY:
                return itemQty();
            case ITEM_DELETE:
                return itemDelete();
            case PRICE_UPDATE:
                return priceUpdate();
            case DELETE_ORDER:
                return deleteOrder();
            case NOTE:
                return note();
            case DELETE_SHIPPED_ORDER:
                return deleteShippedOrder() != null;
            case TRACK_ORPHAN:
                return trackOrphan();
            case DELETE_ORPHAN_SHIPPING:
                return deleteOrphanShipping();
            case SAME_SECOND_UPDATES:
                return sameSecondUpdates();
            case ITEM_KEY_CHANGE:
                return itemKeyChange();
            case UNSHIP:
                return unship();
            case SCRATCH:
                scratch();
                return true;
            case TRUNCATE_SCRATCH:
                try (java.sql.Statement st = connection.createStatement()) {
                    st.execute("TRUNCATE TABLE scratch"); // commits implicitly, like any DDL
                }
                return true;
            default:
                return moveOrder();
        }
    }

    private void newOrder() throws SQLException {
        long id = nextOrderId++;
        long now = now();
        int n = 1 + random.nextInt(4);
        int shard = (int) (id % Shop.ITEM_SHARDS);
        StringBuilder sql = new StringBuilder("INSERT INTO order_item_" + shard + " (id, order_id, sku, qty, price, updated_ms) VALUES ");
        List<Long> items = new ArrayList<>(n);
        BigDecimal total = BigDecimal.ZERO;
        List<Object[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long itemId = nextItemId++;
            items.add(itemId);
            int qty = 1 + random.nextInt(5);
            BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(9900), 2);
            total = total.add(price.multiply(BigDecimal.valueOf(qty)));
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
            values.add(new Object[] {itemId, id, "SKU-" + random.nextInt(500), qty, price, now});
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO orders (id, customer, status, total, items,"
                + " express, note, created_at, updated_ms) VALUES (?, ?, 'NEW', ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, CUSTOMERS[random.nextInt(CUSTOMERS.length)]);
            ps.setBigDecimal(3, total);
            ps.setInt(4, n);
            int express = random.nextInt(8);
            ps.setInt(5, express < 2 ? 1 : express == 2 ? 2 : express == 3 ? -1 : 0);
            ps.setString(6, random.nextBoolean() ? null : "internal note " + random.nextInt(1000));
            ps.setString(7, DATETIME.format(Instant.ofEpochMilli(now)));
            ps.setLong(8, now);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int p = 1;
            for (Object[] v : values) {
                ps.setLong(p++, (Long) v[0]);
                ps.setLong(p++, (Long) v[1]);
                ps.setString(p++, (String) v[2]);
                ps.setInt(p++, (Integer) v[3]);
                ps.setBigDecimal(p++, (BigDecimal) v[4]);
                ps.setLong(p++, (Long) v[5]);
            }
            ps.executeUpdate();
        }
        orders.put(id, Status.NEW);
        orderIds.add(id);
        itemsByOrder.put(id, items);
        rowsWritten += 1 + n;
    }

    @Nullable
    private Long randomOrder(Status status) {
        for (int attempt = 0; attempt < 20 && !orderIds.isEmpty(); attempt++) {
            // bias towards recent orders, as real traffic is
            int size = orderIds.size();
            int index = size - 1 - Math.min(size - 1, (int) Math.abs(random.nextGaussian() * size / 4));
            Long id = orderIds.get(index);
            if (orders.get(id) == status) {
                return id;
            }
        }
        return null;
    }

    private boolean transition(Status from, Status to) throws SQLException {
        Long id = randomOrder(from);
        if (id == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET status = ?, updated_ms = ? WHERE id = ?")) {
            ps.setString(1, to.name());
            ps.setLong(2, now());
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        orders.put(id, to);
        rowsWritten++;
        return true;
    }

    private boolean ship() throws SQLException {
        Long id = randomOrder(Status.PAID);
        if (id == null) {
            return false;
        }
        long now = now();
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET status = 'SHIPPED', updated_ms = ? WHERE id = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO order_shipping (order_id, carrier, tracking,"
                + " shipped_at, updated_ms) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, CARRIERS[random.nextInt(CARRIERS.length)]);
            ps.setString(3, "T" + random.nextInt(1_000_000));
            ps.setString(4, DATETIME.format(Instant.ofEpochMilli(now)));
            ps.setLong(5, now);
            ps.executeUpdate();
        }
        orders.put(id, Status.SHIPPED);
        shipped.add(id);
        rowsWritten += 2;
        return true;
    }

    private boolean track() throws SQLException {
        if (shipped.isEmpty()) {
            return false;
        }
        long id = shipped.get(random.nextInt(shipped.size()));
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE order_shipping SET tracking = ?, updated_ms = ? WHERE order_id = ?")) {
            ps.setString(1, "T" + random.nextInt(1_000_000) + "-" + random.nextInt(10));
            ps.setLong(2, now());
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        rowsWritten++;
        return true;
    }

    @Nullable
    private long[] randomItem() {
        for (int attempt = 0; attempt < 20 && !orderIds.isEmpty(); attempt++) {
            long order = orderIds.get(random.nextInt(orderIds.size()));
            List<Long> items = itemsByOrder.get(order);
            if (items != null && !items.isEmpty()) {
                return new long[] {order, items.get(random.nextInt(items.size()))};
            }
        }
        return null;
    }

    private boolean itemQty() throws SQLException {
        long[] item = randomItem();
        if (item == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE order_item_" + (item[0] % Shop.ITEM_SHARDS)
                + " SET qty = qty + 1, updated_ms = ? WHERE id = ?")) {
            ps.setLong(1, now());
            ps.setLong(2, item[1]);
            ps.executeUpdate();
        }
        rowsWritten++;
        return true;
    }

    private boolean itemDelete() throws SQLException {
        long[] item = randomItem();
        if (item == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM order_item_" + (item[0] % Shop.ITEM_SHARDS)
                + " WHERE id = ?")) {
            ps.setLong(1, item[1]);
            ps.executeUpdate();
        }
        itemsByOrder.get(item[0]).remove(Long.valueOf(item[1]));
        rowsWritten++;
        return true;
    }

    private boolean priceUpdate() throws SQLException {
        if (orderIds.isEmpty()) {
            return false;
        }
        int shard = random.nextInt(Shop.ITEM_SHARDS);
        long from = orderIds.get(random.nextInt(orderIds.size()));
        try (PreparedStatement ps = connection.prepareStatement("UPDATE order_item_" + shard
                + " SET price = price + 0.01, updated_ms = ? WHERE order_id BETWEEN ? AND ?")) {
            ps.setLong(1, now());
            ps.setLong(2, from);
            ps.setLong(3, from + 40);
            rowsWritten += ps.executeUpdate();
        }
        return true;
    }

    private boolean deleteOrder() throws SQLException {
        Long id = randomOrder(random.nextBoolean() ? Status.NEW : Status.CANCELLED);
        if (id == null) {
            return false;
        }
        deleteOrderAndItems(id);
        return true;
    }

    /** Deletes an order's items and the order (not its shipping row), and forgets them. */
    private void deleteOrderAndItems(long id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM order_item_" + (id % Shop.ITEM_SHARDS)
                + " WHERE order_id = ?")) {
            ps.setLong(1, id);
            rowsWritten += ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
            ps.setLong(1, id);
            rowsWritten += ps.executeUpdate();
        }
        orders.remove(id);
        orderIds.remove(id);
        itemsByOrder.remove(id);
    }

    private boolean note() throws SQLException {
        if (orderIds.isEmpty()) {
            return false;
        }
        long id = orderIds.get(random.nextInt(orderIds.size()));
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET note = ?, total = total + 1.00,"
                + " updated_ms = ? WHERE id = ?")) {
            ps.setString(1, "changed " + random.nextInt(1000));
            ps.setLong(2, now());
            ps.setLong(3, id);
            rowsWritten += ps.executeUpdate();
        }
        return true;
    }

    /** Deletes a shipped order and its items, keeping its shipping row; returns its id, or null if none. */
    @Nullable
    private Long deleteShippedOrder() throws SQLException {
        Long id = randomOrder(Status.SHIPPED);
        if (id == null) {
            return null;
        }
        deleteOrderAndItems(id);
        shipped.remove(id);
        orphans.add(id);
        return id;
    }

    private boolean trackOrphan() throws SQLException {
        if (orphans.isEmpty()) {
            return false;
        }
        updateTracking(orphans.get(random.nextInt(orphans.size())));
        return true;
    }

    private void updateTracking(long orderId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE order_shipping SET tracking = ?, updated_ms = ? WHERE order_id = ?")) {
            ps.setString(1, "T" + random.nextInt(1_000_000) + "-" + random.nextInt(10));
            ps.setLong(2, now());
            ps.setLong(3, orderId);
            rowsWritten += ps.executeUpdate();
        }
    }

    private boolean deleteOrphanShipping() throws SQLException {
        Long id;
        if (orphans.isEmpty()) {
            id = deleteShippedOrder();
            if (id == null) {
                return false;
            }
            connection.commit(); // the order's delete first, the shipping row's in the next transaction
        } else {
            id = orphans.get(random.nextInt(orphans.size()));
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM order_shipping WHERE order_id = ?")) {
            ps.setLong(1, id);
            rowsWritten += ps.executeUpdate();
        }
        orphans.remove(id);
        return true;
    }

    private boolean sameSecondUpdates() throws SQLException {
        if (orderIds.isEmpty()) {
            return false;
        }
        long order = orderIds.get(random.nextInt(orderIds.size()));
        List<Long> items = itemsByOrder.get(order);
        int target = random.nextInt(3); // 0 the order, 1 one of its items, 2 its shipping row
        if (target == 1 && items.isEmpty() || target == 2 && orders.get(order) != Status.SHIPPED) {
            target = 0;
        }
        long item = target == 1 ? items.get(random.nextInt(items.size())) : 0;
        int updates = 2 + random.nextInt(4);
        for (int i = 0; i < updates; i++) {
            if (i > 0) {
                connection.commit(); // one transaction per update, back to back
            }
            if (target == 2) {
                updateTracking(order);
                continue;
            }
            String sql = target == 0
                    ? "UPDATE orders SET total = total + 0.01, items = items + 1, updated_ms = ? WHERE id = ?"
                    : "UPDATE order_item_" + (order % Shop.ITEM_SHARDS) + " SET qty = qty + 1, price = price + 0.01,"
                            + " updated_ms = ? WHERE id = ?";
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setLong(1, now());
                ps.setLong(2, target == 0 ? order : item);
                rowsWritten += ps.executeUpdate();
            }
        }
        return true;
    }

    private boolean itemKeyChange() throws SQLException {
        long[] item = randomItem();
        if (item == null) {
            return false;
        }
        long order = item[0];
        long oldId = item[1];
        long newId = nextItemId++;
        String table = "order_item_" + (order % Shop.ITEM_SHARDS);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE " + table + " SET id = ?, updated_ms = ? WHERE id = ?")) {
            ps.setLong(1, newId);
            ps.setLong(2, now());
            ps.setLong(3, oldId);
            rowsWritten += ps.executeUpdate();
        }
        connection.commit(); // the key change first, the old key's new row in the next transaction
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + table
                + " (id, order_id, sku, qty, price, updated_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, oldId);
            ps.setLong(2, order);
            ps.setString(3, "SKU-" + random.nextInt(500));
            ps.setInt(4, 1 + random.nextInt(5));
            ps.setBigDecimal(5, BigDecimal.valueOf(100 + random.nextInt(9900), 2));
            ps.setLong(6, now());
            rowsWritten += ps.executeUpdate();
        }
        List<Long> items = itemsByOrder.get(order);
        items.add(newId);
        return true;
    }

    /** A shipped order's shipping row deleted and the order back to PAID, in one transaction. */
    private boolean unship() throws SQLException {
        Long id = randomOrder(Status.SHIPPED);
        if (id == null) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM order_shipping WHERE order_id = ?")) {
            ps.setLong(1, id);
            rowsWritten += ps.executeUpdate();
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET status = 'PAID', updated_ms = ? WHERE id = ?")) {
            ps.setLong(1, now());
            ps.setLong(2, id);
            rowsWritten += ps.executeUpdate();
        }
        orders.put(id, Status.PAID);
        shipped.remove(id);
        return true;
    }

    private void scratch() throws SQLException {
        int n = 1 + random.nextInt(3);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO scratch (payload) VALUES (?)")) {
            for (int i = 0; i < n; i++) {
                ps.setString(1, "scratch " + random.nextInt(1000));
                rowsWritten += ps.executeUpdate();
            }
        }
    }

    private boolean moveOrder() throws SQLException {
        if (orderIds.isEmpty()) {
            return false;
        }
        long id = orderIds.get(random.nextInt(orderIds.size()));
        int what = random.nextInt(3); // 0 the month, 1 the customer, 2 both
        int months = what == 1 ? 0 : random.nextBoolean() ? -1 - random.nextInt(13) : 1 + random.nextInt(3);
        String customer = CUSTOMERS[random.nextInt(CUSTOMERS.length)];
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET created_at = created_at + INTERVAL ? MONTH,"
                + (what == 0 ? "" : " customer = ?,") + " updated_ms = ? WHERE id = ?")) {
            int p = 1;
            ps.setInt(p++, months);
            if (what != 0) {
                ps.setString(p++, customer);
            }
            ps.setLong(p++, now());
            ps.setLong(p, id);
            rowsWritten += ps.executeUpdate();
        }
        return true;
    }

    /** The wall clock in epoch ms, or one more than the last value if it has not moved on since. */
    private long now() {
        lastMs = Math.max(System.currentTimeMillis(), lastMs + 1);
        return lastMs;
    }

    /** Closes the connection. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
