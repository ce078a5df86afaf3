package dev.binlogsync.examples;

import dev.binlogsync.examples.testbed.EmbeddedMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Random, seeded inserts, updates and deletes on the {@link Shop} schema, one transaction per
 * {@link #step()}: new orders with their items (a multi-row insert into one item shard), payments,
 * shipments (a shipping row merged into the order document), tracking updates, cancellations
 * (which the status filter turns into document deletes), item changes, multi-row price updates,
 * and deletes of orders with their items.
 *
 * <p>Orders follow a life cycle so that the only cross-table effects commute: a shipping row exists
 * only for shipped orders, and a shipped order is never cancelled or deleted. The shipping row is
 * keyed by {@code order_id}, so Canal's key hash puts it in its order's Kafka partition, behind the
 * order's insert; its merge rule's update then always finds the order's document.
 *
 * <p>The same seed gives the same sequence of operations. Not thread-safe: one thread steps it.
 */
public final class ShopWorkload implements AutoCloseable {

    /** The kinds of transaction. */
    public enum Op {
        NEW_ORDER, PAY, SHIP, TRACK, CANCEL, ITEM_QTY, ITEM_DELETE, PRICE_UPDATE, DELETE_ORDER, NOTE
    }

    private enum Status { NEW, PAID, SHIPPED, CANCELLED }

    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final String[] CUSTOMERS = {"ada", "grace", "linus", "ken", "barbara", "edsger", "margaret", "dennis"};
    private static final String[] CARRIERS = {"DHL", "UPS", "FedEx", "PostNL"};

    private final Connection connection;
    private final Random random;
    private final Map<Long, Status> orders = new HashMap<>();
    private final List<Long> orderIds = new ArrayList<>();
    private final Map<Long, List<Long>> itemsByOrder = new HashMap<>();
    private final List<Long> shipped = new ArrayList<>();
    private final EnumMap<Op, Long> counts = new EnumMap<>(Op.class);
    private long nextOrderId = 1;
    private long nextItemId = 1;
    private long rowsWritten;

    /**
     * @param db the server holding the {@link Shop} schema
     * @param seed the random seed
     */
    public ShopWorkload(EmbeddedMariaDb db, long seed) throws SQLException {
        Objects.requireNonNull(db, "db");
        this.connection = db.connect(Shop.DATABASE);
        this.connection.setAutoCommit(false);
        this.random = new Random(seed);
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
        int r = random.nextInt(100);
        if (r < 30 || orderIds.size() < 20) {
            return Op.NEW_ORDER;
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
            default:
                return note();
        }
    }

    private void newOrder() throws SQLException {
        long id = nextOrderId++;
        long now = System.currentTimeMillis();
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
            ps.setBoolean(5, random.nextInt(4) == 0);
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
            ps.setLong(2, System.currentTimeMillis());
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
        long now = System.currentTimeMillis();
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
            ps.setLong(2, System.currentTimeMillis());
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        rowsWritten++;
        return true;
    }

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
            ps.setLong(1, System.currentTimeMillis());
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
            ps.setLong(1, System.currentTimeMillis());
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
        return true;
    }

    private boolean note() throws SQLException {
        if (orderIds.isEmpty()) {
            return false;
        }
        long id = orderIds.get(random.nextInt(orderIds.size()));
        try (PreparedStatement ps = connection.prepareStatement("UPDATE orders SET note = ?, total = total + 1.00,"
                + " updated_ms = ? WHERE id = ?")) {
            ps.setString(1, "changed " + random.nextInt(1000));
            ps.setLong(2, System.currentTimeMillis());
            ps.setLong(3, id);
            rowsWritten += ps.executeUpdate();
        }
        return true;
    }

    /** Closes the connection. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
