package dev.binlogsync.examples;

import dev.binlogsync.testing.EmbeddedMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seeded workload: single-row updates, deletes and re-inserts of deleted ids, a delete and
 * re-insert of one id in one transaction, small range updates and deletes, and inserts past the
 * table's end. Most target ids lie just behind or ahead of the backfill's front, the rest
 * anywhere. The only writer of the
 * table; used by one thread.
 */
final class ProductsWorkload implements AutoCloseable {
    enum Op {
        UPDATE, DELETE, REINSERT, DELETE_REINSERT_ONE_TX, RANGE_UPDATE, RANGE_DELETE, INSERT_PAST_END
    }

    private final Connection c;
    private final Random random;
    private final int rows;
    private final AtomicLong front;
    private final int chunk;
    private final List<Long> deleted = new ArrayList<>();
    private final Map<Op, Long> counts = new EnumMap<>(Op.class);
    private long nextNew;
    long transactions;

    ProductsWorkload(EmbeddedMariaDb db, String database, long seed, int rows, AtomicLong front, int chunk) throws SQLException {
        this.c = db.connect(database);
        c.setAutoCommit(false);
        this.random = new Random(seed);
        this.rows = rows;
        this.front = front;
        this.chunk = chunk;
        this.nextNew = rows + 1;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }

    Map<Op, Long> counts() {
        return new EnumMap<>(counts);
    }

    /** A target id: near the backfill's front two times in three, else anywhere. */
    private long target() {
        if (random.nextInt(3) < 2) {
            long f = front.get();
            return Math.max(1, Math.min(rows, f - 2 * chunk + random.nextInt(5 * chunk)));
        }
        return 1 + random.nextInt(rows);
    }

    void step() throws SQLException {
        int dice = random.nextInt(100);
        Op op = dice < 40 ? Op.UPDATE : dice < 60 ? Op.DELETE : dice < 78 ? Op.REINSERT
                : dice < 86 ? Op.DELETE_REINSERT_ONE_TX : dice < 93 ? Op.RANGE_UPDATE : dice < 96 ? Op.RANGE_DELETE
                : Op.INSERT_PAST_END;
        if (op == Op.REINSERT && deleted.isEmpty()) {
            op = Op.UPDATE;
        }
        switch (op) {
            case UPDATE: {
                try (PreparedStatement ps = c.prepareStatement("UPDATE products SET name = ?, qty = ?, price = ?, note = ? WHERE id = ?")) {
                    long id = target();
                    Object[] v = values(id, random, transactions + 2);
                    ps.setString(1, (String) v[0]);
                    ps.setInt(2, (Integer) v[1]);
                    ps.setBigDecimal(3, (BigDecimal) v[2]);
                    ps.setString(4, (String) v[3]);
                    ps.setLong(5, id);
                    ps.executeUpdate();
                }
                break;
            }
            case DELETE: {
                long id = target();
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM products WHERE id = ?")) {
                    ps.setLong(1, id);
                    if (ps.executeUpdate() == 1) {
                        deleted.add(id);
                    }
                }
                break;
            }
            case REINSERT: {
                // mostly the latest deletes (close to the front), sometimes an old one
                int i = random.nextBoolean() ? deleted.size() - 1 - random.nextInt(Math.min(deleted.size(), 20))
                        : random.nextInt(deleted.size());
                long id = deleted.get(i);
                deleted.set(i, deleted.get(deleted.size() - 1));
                deleted.remove(deleted.size() - 1);
                insert(id);
                break;
            }
            case DELETE_REINSERT_ONE_TX: {
                long id = target();
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM products WHERE id = ?")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                insert(id);
                break;
            }
            case RANGE_UPDATE: {
                long from = target();
                try (PreparedStatement ps = c.prepareStatement("UPDATE products SET qty = qty + 1, note = ? WHERE id BETWEEN ? AND ?")) {
                    ps.setString(1, "range " + transactions);
                    ps.setLong(2, from);
                    ps.setLong(3, from + random.nextInt(30));
                    ps.executeUpdate();
                }
                break;
            }
            case RANGE_DELETE: {
                long from = target();
                long to = from + random.nextInt(5);
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM products WHERE id BETWEEN ? AND ?")) {
                    ps.setLong(1, from);
                    ps.setLong(2, to);
                    ps.executeUpdate();
                }
                for (long id = from; id <= to; id++) {
                    deleted.add(id); // re-inserted with INSERT IGNORE: one that did not exist is harmless
                }
                break;
            }
            case INSERT_PAST_END:
                insert(nextNew++);
                break;
            default:
                throw new AssertionError(op);
        }
        c.commit();
        transactions++;
        counts.merge(op, 1L, Long::sum);
    }

    private void insert(long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO products (id, name, qty, price, note) VALUES (?,?,?,?,?)")) {
            bind(ps, id, random, transactions + 2);
            ps.executeUpdate();
        }
    }

    /** Binds a row's values to {@code (id, name, qty, price, note)}; {@code version} tells writes apart. */
    static void bind(PreparedStatement ps, long id, Random random, long version) throws SQLException {
        Object[] v = values(id, random, version);
        ps.setLong(1, id);
        ps.setString(2, (String) v[0]);
        ps.setInt(3, (Integer) v[1]);
        ps.setBigDecimal(4, (BigDecimal) v[2]);
        if (v[3] == null) {
            ps.setNull(5, Types.VARCHAR);
        } else {
            ps.setString(5, (String) v[3]);
        }
    }

    private static final String[] NOTES = {"fragile", "Größe \"XL\"", "back\\slash", "ß 2,5 €", ""};

    /** name, qty, price (two decimals, up to 10 digits before the point, negative too), note (null a quarter of the time). */
    static Object[] values(long id, Random random, long version) {
        String name = "product " + id + " v" + version;
        int qty = random.nextInt(2_000_001) - 1_000_000;
        long cents = (random.nextLong() % 100_000_000_000L);
        BigDecimal price = BigDecimal.valueOf(cents, 2);
        String note = random.nextInt(4) == 0 ? null : NOTES[random.nextInt(NOTES.length)] + " " + version;
        return new Object[] {name, qty, price, note};
    }
}
