package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.backfill.InMemoryCheckpointStore;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.ForwardingCheckpointStore;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backfill of a parent table ({@code orders}, filtered, upserting because a merge rule shares its
 * index) and of a child table merged into its documents ({@code shipping}, by its key
 * {@code order_id}, under {@code shipping}, cleared on delete), against a real MariaDB and the
 * in-process Elasticsearch. A stand-in for the stream applies each change through the same rules.
 * The races are made deterministic by hooks right after the child chunk's {@code SELECT}, right
 * after its locking re-select, and right after the parent verification's read; a crash leaves the
 * child's conditional updates in flight, delivered late; a randomized run changes parents and
 * children while the backfill runs, with a lagging stand-in. The end state is compared with MySQL
 * read by the test's own SQL: every order passing the filter has its document with its fields; its
 * {@code shipping} is its shipping row's values, or absent or null when it has none. Where the test
 * re-created the order's document after its shipping row's last change (the stream's merge never
 * writes into a document created after it, so the stream itself leaves the field absent) absent
 * and null are accepted as well.
 */
class BackfillMergeIT extends BackfillTestServers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ABSENT = "(absent)";
    private static final String NULL = "(null)";


    private static Rules rules(String database) {
        return Rules.builder()
                .rule(TableRule.builder().database(database).table("orders").index(database + "-orders")
                        .where("status <> 'CANCELLED'").build())
                .rule(TableRule.builder().database(database).table("shipping").index(database + "-orders")
                        .mergeInto("order_id").nestUnder("shipping").build())
                .build();
    }

    /** {@code orders} 1..n (every 7th cancelled), {@code shipping} for the ids not divisible by 3. */
    private void createTables(String database, int n) throws SQLException {
        db.execute("CREATE DATABASE " + database,
                "CREATE TABLE " + database + ".orders (id BIGINT PRIMARY KEY, status VARCHAR(16) NOT NULL,"
                        + " total INT NOT NULL, name VARCHAR(64) NOT NULL)",
                "CREATE TABLE " + database + ".shipping (order_id BIGINT PRIMARY KEY, carrier VARCHAR(32) NOT NULL,"
                        + " tracking VARCHAR(64) NOT NULL)");
        try (Connection c = db.connect(database)) {
            c.setAutoCommit(false);
            try (PreparedStatement o = c.prepareStatement("INSERT INTO orders VALUES (?,?,?,?)");
                    PreparedStatement s = c.prepareStatement("INSERT INTO shipping VALUES (?,?,?)")) {
                for (int id = 1; id <= n; id++) {
                    o.setLong(1, id);
                    o.setString(2, id % 7 == 0 ? "CANCELLED" : "NEW");
                    o.setInt(3, id % 100);
                    o.setString(4, "order " + id);
                    o.addBatch();
                    if (id % 3 != 0) {
                        s.setLong(1, id);
                        s.setString(2, "carrier " + id % 4);
                        s.setString(3, "T" + id);
                        s.addBatch();
                    }
                }
                o.executeBatch();
                s.executeBatch();
            }
            c.commit();
        }
    }

    // ------------------------------------------------------------ MySQL changes, as the binlog carries them

    @Nullable
    private static Map<String, Object> order(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, status, total, name FROM orders WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getLong(1));
                row.put("status", rs.getString(2));
                row.put("total", rs.getInt(3));
                row.put("name", rs.getString(4));
                return row;
            }
        }
    }

    @Nullable
    private static Map<String, Object> shipping(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT order_id, carrier, tracking FROM shipping WHERE order_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("order_id", rs.getLong(1));
                row.put("carrier", rs.getString(2));
                row.put("tracking", rs.getString(3));
                return row;
            }
        }
    }

    private static ChangeEvent event(String database, String table, Operation op, Map<String, Object> row,
            Map<String, Object> old) {
        return new ChangeEvent(database, table, op, row, old, List.of(table.equals("orders") ? "id" : "order_id"),
                System.currentTimeMillis(), new SourcePosition("stand-in", 0), RowImage.FULL);
    }

    /** Runs a statement that must change one row. */
    private static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            assertEquals(1, ps.executeUpdate(), sql);
        }
    }

    /** Deletes an order; its event, or null when there is none. */
    @Nullable
    private static ChangeEvent deleteOrder(String database, Connection c, long id) throws SQLException {
        Map<String, Object> before = order(c, id);
        if (before == null) {
            return null;
        }
        exec(c, "DELETE FROM orders WHERE id = ?", id);
        return event(database, "orders", Operation.DELETE, before, Map.of());
    }

    /** Inserts an order (status NEW); null when it exists. */
    @Nullable
    private static ChangeEvent insertOrder(String database, Connection c, long id, String name) throws SQLException {
        if (order(c, id) != null) {
            return null;
        }
        exec(c, "INSERT INTO orders VALUES (?,?,?,?)", id, "NEW", 7, name);
        return event(database, "orders", Operation.INSERT, order(c, id), Map.of());
    }

    @Nullable
    private static ChangeEvent updateOrder(String database, Connection c, long id, String column, Object value)
            throws SQLException {
        Map<String, Object> before = order(c, id);
        if (before == null || before.get(column).equals(value)) {
            return null;
        }
        exec(c, "UPDATE orders SET `" + column + "` = ? WHERE id = ?", value, id);
        return event(database, "orders", Operation.UPDATE, order(c, id), Map.of(column, before.get(column)));
    }

    @Nullable
    private static ChangeEvent deleteShipping(String database, Connection c, long id) throws SQLException {
        Map<String, Object> before = shipping(c, id);
        if (before == null) {
            return null;
        }
        exec(c, "DELETE FROM shipping WHERE order_id = ?", id);
        return event(database, "shipping", Operation.DELETE, before, Map.of());
    }

    /** Inserts or updates an order's shipping row to {@code tracking}. */
    private static ChangeEvent setShipping(String database, Connection c, long id, String tracking) throws SQLException {
        Map<String, Object> before = shipping(c, id);
        if (before == null) {
            exec(c, "INSERT INTO shipping VALUES (?,?,?)", id, "carrier new", tracking);
            return event(database, "shipping", Operation.INSERT, shipping(c, id), Map.of());
        }
        exec(c, "UPDATE shipping SET tracking = ? WHERE order_id = ?", tracking, id);
        return event(database, "shipping", Operation.UPDATE, shipping(c, id), Map.of("tracking", before.get("tracking")));
    }

    /** The stream's stand-in: applies the changes through the rules, in order, in one request. */
    private void stream(String database, List<ChangeEvent> events) {
        List<DocumentAction> actions = new ArrayList<>();
        Rules rules = rules(database);
        for (ChangeEvent e : events) {
            if (e != null) {
                rules.apply(e, actions::add);
            }
        }
        if (actions.isEmpty()) {
            return;
        }
        StandInWrites.apply(sink, actions);
    }

    private void stream(String database, @Nullable ChangeEvent... events) {
        List<ChangeEvent> list = new ArrayList<>();
        for (ChangeEvent e : events) {
            if (e != null) {
                list.add(e);
            }
        }
        stream(database, list);
    }

    // ------------------------------------------------------------ hooks

    /**
     * A data source whose statements on {@code shipping} run a hook right after they executed: the
     * {@code n}-th chunk {@code SELECT} ({@code onChunk}) and the {@code n}-th locking re-select
     * ({@code onLocking}); each hook runs once.
     */
    private DataSource hooked(int n, @Nullable Runnable onChunk, @Nullable Runnable onLocking) {
        AtomicInteger chunks = new AtomicInteger();
        AtomicInteger locking = new AtomicInteger();
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, a) -> {
                    Object r = invoke(dataSource, m, a);
                    if (!(r instanceof Connection)) {
                        return r;
                    }
                    Connection c = (Connection) r;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p2, m2, a2) -> {
                                Object r2 = invoke(c, m2, a2);
                                if (!m2.getName().equals("prepareStatement") || !(a2[0] instanceof String)
                                        || !((String) a2[0]).contains("`shipping`")) {
                                    return r2;
                                }
                                String sql = (String) a2[0];
                                PreparedStatement ps = (PreparedStatement) r2;
                                return Proxy.newProxyInstance(getClass().getClassLoader(),
                                        new Class<?>[] {PreparedStatement.class}, (p3, m3, a3) -> {
                                            Object r3 = invoke(ps, m3, a3);
                                            if (m3.getName().equals("executeQuery")) {
                                                if (sql.contains("LOCK IN SHARE MODE")) {
                                                    if (onLocking != null && locking.incrementAndGet() == n) {
                                                        onLocking.run();
                                                    }
                                                } else if (sql.contains("LIMIT") && onChunk != null
                                                        && chunks.incrementAndGet() == n) {
                                                    onChunk.run();
                                                }
                                            }
                                            return r3;
                                        });
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, @Nullable Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The keys of the {@code n}-th chunk of shipping rows (chunk size {@code chunk}), by the test's own SQL. */
    private List<Long> shippingChunk(String database, int n, int chunk) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT order_id FROM shipping ORDER BY order_id LIMIT " + chunk
                        + " OFFSET " + (n - 1) * chunk)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    // ------------------------------------------------------------ the comparison

    /** What the index must hold, per order id: the order's fields and its shipping, by the test's own SQL. */
    private Map<String, Map<String, String>> expected(String database) throws SQLException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT o.id, o.status, o.total, o.name, s.order_id, s.carrier, s.tracking"
                        + " FROM orders o LEFT JOIN shipping s ON s.order_id = o.id WHERE o.status <> 'CANCELLED'")) {
            while (rs.next()) {
                Map<String, String> doc = new TreeMap<>();
                doc.put("id", Long.toString(rs.getLong(1)));
                doc.put("status", rs.getString(2));
                doc.put("total", Integer.toString(rs.getInt(3)));
                doc.put("name", rs.getString(4));
                doc.put("shipping", rs.getObject(5) == null ? ABSENT
                        : "{carrier=" + rs.getString(6) + ", order_id=" + rs.getLong(5) + ", tracking=" + rs.getString(7) + "}");
                out.put(doc.get("id"), doc);
            }
        }
        return out;
    }

    /** Every document of the index, its fields as text, {@code shipping} as a sorted map's text, ABSENT or NULL. */
    private Map<String, Map<String, String>> indexed(String database) throws IOException {
        String index = database + "-orders";
        client.performRequest(new Request("POST", "/" + index + "/_refresh"));
        Request search = new Request("POST", "/" + index + "/_search");
        search.addParameter("size", "10000");
        search.setJsonEntity("{\"query\":{\"match_all\":{}}}");
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (JsonNode h : JSON.readTree(client.performRequest(search).getEntity().getContent()).path("hits").path("hits")) {
            Map<String, String> doc = new TreeMap<>();
            doc.put("shipping", ABSENT);
            h.get("_source").fields().forEachRemaining(e -> {
                if (e.getKey().equals("shipping")) {
                    if (e.getValue().isNull()) {
                        doc.put("shipping", NULL);
                    } else {
                        Map<String, String> s = new TreeMap<>();
                        e.getValue().fields().forEachRemaining(f -> s.put(f.getKey(), f.getValue().asText()));
                        doc.put("shipping", s.toString());
                    }
                } else {
                    doc.put(e.getKey(), e.getValue().asText());
                }
            });
            out.put(h.get("_id").asText(), doc);
        }
        return out;
    }

    /**
     * The index equals MySQL: see the class comment. {@code mayLackShipping}: orders whose document
     * the test re-created after their shipping row's last change.
     */
    private void assertIndexEqualsMysql(String database, Set<Long> mayLackShipping) throws Exception {
        Map<String, Map<String, String>> expected = expected(database);
        Map<String, Map<String, String>> actual = indexed(database);
        List<String> differences = new ArrayList<>();
        for (String id : expected.keySet()) {
            Map<String, String> want = new TreeMap<>(expected.get(id));
            Map<String, String> got = actual.get(id);
            if (got == null) {
                differences.add(id + ": missing, expected " + want);
                continue;
            }
            got = new TreeMap<>(got);
            String wantShipping = want.remove("shipping");
            String gotShipping = got.remove("shipping");
            boolean noneAllowed = wantShipping.equals(ABSENT) || mayLackShipping.contains(Long.parseLong(id));
            boolean shippingOk = gotShipping.equals(wantShipping)
                    || (noneAllowed && (gotShipping.equals(ABSENT) || gotShipping.equals(NULL)));
            if (!want.equals(got) || !shippingOk) {
                differences.add(id + ": expected " + want + " shipping " + wantShipping + ", indexed " + got
                        + " shipping " + gotShipping);
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                differences.add(id + ": indexed " + actual.get(id) + ", no such order passes the filter");
            }
        }
        assertEquals(List.of(), differences);
    }

    private Backfill.Builder backfill(String database, DataSource dataSource) {
        return Backfill.builder().dataSource(dataSource).rules(rules(database)).sink(sink).chunkSize(200)
                .table(database, "orders").table(database, "shipping");
    }

    // ------------------------------------------------------------ the tests

    @Test
    void aMergedTablesChunksEndAtMaxChunkBytesThoughItCreatesNoDocument() throws Exception {
        String database = "bf_merge_bytes";
        createTables(database, 300);
        List<Long> shippingChunks = new ArrayList<>();
        long[] before = {0};
        Backfill backfill = backfill(database, dataSource).chunkSize(1000).maxChunkBytes(1024)
                .checkpointStore(new InMemoryCheckpointStore()).restartFence(java.time.Duration.ZERO)
                .listener(new BackfillListener() {
                    @Override
                    public void chunkDone(BackfillProgress p) {
                        if (p.table().endsWith(".shipping")) {
                            shippingChunks.add(p.rowsDone() - before[0]);
                            before[0] = p.rowsDone();
                        }
                    }
                }).build();
        assertTrue(backfill.run());
        // 200 shipping rows of about 60 bytes: at most about 1 KiB of them a chunk, not all 200 in one
        assertTrue(shippingChunks.size() > 5 && shippingChunks.stream().allMatch(n -> n <= 25),
                "rows per chunk of the merged table: " + shippingChunks);
        assertIndexEqualsMysql(database, Set.of());
    }

    @Test
    void aParentDeletedAndReinsertedAfterTheChildsLockingSelectLeavesNoStaleMergedField() throws Exception {
        String database = "bf_merge_locking";
        createTables(database, 1000);
        List<Long> raced = new ArrayList<>();
        // right after the second shipping chunk's locking re-select, before its conditional updates:
        // for two rows the stream deletes the order, deletes (or changes) the shipping row while the
        // order's document is missing (the merge finds nothing), and inserts the order again: a
        // document without the field, where an update of the values just selected would be stale
        Runnable race = () -> {
            try (Connection c = db.connect(database)) {
                List<Long> chunk = shippingChunk(database, 2, 200);
                long deleted = chunk.stream().filter(id -> id % 7 != 0).findFirst().orElseThrow();
                long changed = chunk.stream().filter(id -> id % 7 != 0 && id != deleted).skip(3).findFirst().orElseThrow();
                stream(database, deleteOrder(database, c, deleted), deleteShipping(database, c, deleted),
                        insertOrder(database, c, deleted, "again " + deleted));
                stream(database, deleteOrder(database, c, changed), setShipping(database, c, changed, "changed"),
                        insertOrder(database, c, changed, "again " + changed));
                raced.add(deleted);
                raced.add(changed);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        Backfill backfill = backfill(database, hooked(2, null, race)).build();
        assertTrue(backfill.run());
        assertEquals(2, raced.size(), "the race ran");
        // the changed row's order was created again after its shipping's last change: the stream
        // leaves the field absent, the backfill may write the current value; never the old one
        assertIndexEqualsMysql(database, Set.of(raced.get(1)));
        Map<String, String> deleted = indexed(database).get(Long.toString(raced.get(0)));
        assertTrue(deleted.get("shipping").equals(ABSENT) || deleted.get("shipping").equals(NULL), String.valueOf(deleted));
    }

    @Test
    void aChildDeletedAndItsParentReinsertedBetweenTheChunksSelectAndTheParentsReadGetsNoField() throws Exception {
        String database = "bf_merge_chunk";
        createTables(database, 1000);
        List<Long> raced = new ArrayList<>();
        // right after the second shipping chunk's SELECT: the values it read are stale by the time
        // the parents are read (a document without the field, as the stream re-created it)
        Runnable race = () -> {
            try (Connection c = db.connect(database)) {
                for (long id : shippingChunk(database, 2, 200).subList(0, 12)) {
                    if (id % 7 != 0 && raced.size() < 3) {
                        stream(database, deleteShipping(database, c, id), deleteOrder(database, c, id),
                                insertOrder(database, c, id, "again " + id));
                        raced.add(id);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        Backfill backfill = backfill(database, hooked(2, race, null)).build();
        assertTrue(backfill.run());
        assertEquals(3, raced.size(), "the race ran");
        Map<String, Map<String, String>> docs = indexed(database);
        for (long id : raced) {
            assertEquals(ABSENT, docs.get(Long.toString(id)).get("shipping"), "order " + id);
        }
        assertIndexEqualsMysql(database, Set.of());
    }

    @Test
    void aResurrectedParentCopyThatAMergeChangedAfterTheVerificationsReadIsJudgedAgainAndRemoved() throws Exception {
        String database = "bf_merge_parent";
        createTables(database, 1000);
        List<Long> raced = new ArrayList<>();
        AtomicBoolean armed = new AtomicBoolean();
        // after the second orders chunk's SELECT the stream deletes two of its orders (their
        // documents do not exist yet: nothing to delete), so the creates resurrect them; right after
        // the verification has read them, the stream clears their shipping (the merge lands on the
        // resurrected copies and changes their _seq_no), so the conditional deletes conflict
        CheckpointStore store = new ForwardingCheckpointStore(new InMemoryCheckpointStore()) {
            int pendingSaves;

            @Override
            public void save(String table, Checkpoint cp) {
                super.save(table, cp);
                if (table.startsWith(database + ".orders") && !cp.pending().isEmpty() && ++pendingSaves == 2) {
                    try (Connection c = db.connect(database)) {
                        for (Checkpoint.Pending p : cp.pending()) {
                            long id = ((Number) p.key().get(0)).longValue();
                            if (id % 3 != 0 && raced.size() < 2) {
                                stream(database, deleteOrder(database, c, id));
                                raced.add(id);
                            }
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    armed.set(true);
                }
            }
        };
        DocumentReader reader = new DocumentReader() {
            @Override
            public CompletionStage<List<dev.binlogsync.core.StoredDocument>> read(List<dev.binlogsync.core.DocumentRef> refs) {
                // on the backfill's thread, after the read completed (not on the sink's I/O thread)
                List<dev.binlogsync.core.StoredDocument> docs =
                        sink.read(refs).toCompletableFuture().orTimeout(120, TimeUnit.SECONDS).join();
                if (armed.compareAndSet(true, false)) {
                    try (Connection c = db.connect(database)) {
                        for (long id : raced) {
                            stream(database, deleteShipping(database, c, id));
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return java.util.concurrent.CompletableFuture.completedFuture(docs);
            }
        };
        Backfill backfill = backfill(database, dataSource).reader(reader).checkpointStore(store).build();
        assertTrue(backfill.run());
        assertEquals(2, raced.size(), "the race ran");
        Map<String, Map<String, String>> docs = indexed(database);
        for (long id : raced) {
            assertEquals(null, docs.get(Long.toString(id)), "the resurrected copy of order " + id);
        }
        assertIndexEqualsMysql(database, Set.of());
    }

    @Test
    void conditionalUpdatesOfACrashedRunLandingLateAfterTheStreamChangedTheirParentsChangeNothing() throws Exception {
        String database = "bf_merge_crash";
        createTables(database, 1000);
        CheckpointStore store = new InMemoryCheckpointStore();
        List<DocumentAction> inFlight = new ArrayList<>();
        // the first run crashes while the second shipping chunk's conditional updates are in flight
        AtomicInteger mergeWrites = new AtomicInteger();
        BulkSink crashing = new BulkSink() {
            @Override
            public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
                if (!actions.isEmpty() && actions.get(0).type() == ActionType.UPDATE && actions.get(0).ifSeqNo() != null
                        && mergeWrites.incrementAndGet() == 2) {
                    inFlight.addAll(actions);
                    throw new IllegalStateException("simulated crash with the updates in flight");
                }
                return sink.execute(actions);
            }

        };
        Backfill first = backfill(database, dataSource).sink(crashing).reader(sink).checkpointStore(store).build();
        assertThrows(IllegalStateException.class, first::run);
        assertTrue(inFlight.size() > 100, "the chunk's updates: " + inFlight.size());
        long recreated = Long.parseLong(inFlight.get(0).id());
        long changed = Long.parseLong(inFlight.get(5).id());
        try (Connection c = db.connect(database)) {
            // the order re-created after its shipping changed (the merge found no document), and a
            // shipping row changed on its document
            stream(database, deleteOrder(database, c, recreated), setShipping(database, c, recreated, "while down"),
                    insertOrder(database, c, recreated, "again"));
            stream(database, setShipping(database, c, changed, "changed while down"));
        }
        // the crashed run's requests land now
        List<ItemResult> late = sink.execute(inFlight).toCompletableFuture().orTimeout(120, TimeUnit.SECONDS).join();
        for (int i = 0; i < inFlight.size(); i++) {
            String id = inFlight.get(i).id();
            if (id.equals(Long.toString(recreated)) || id.equals(Long.toString(changed))) {
                assertEquals(ItemResult.Outcome.CONFLICT, late.get(i).outcome(), "the late update of order " + id);
            }
        }
        Backfill second = backfill(database, dataSource).checkpointStore(store).restartFence(Duration.ZERO).build();
        assertTrue(second.run());
        Map<String, String> doc = indexed(database).get(Long.toString(changed));
        assertTrue(doc.get("shipping").contains("changed while down"), String.valueOf(doc));
        assertIndexEqualsMysql(database, Set.of(recreated));
    }

    @Test
    void ordersAndShippingChangedThroughoutByALaggingStreamEndEqualToMysql() throws Exception {
        // two seeds by default; -Dbackfill.merge.seeds=N runs N
        for (int seed = 1; seed <= Integer.getInteger("backfill.merge.seeds", 2); seed++) {
            randomRun("bf_merge_random_" + seed, seed);
        }
    }

    private void randomRun(String database, int seed) throws Exception {
        int n = 2000;
        createTables(database, n);
        AtomicLong clock = new AtomicLong();
        Map<Long, Long> parentCreated = new ConcurrentHashMap<>();
        Map<Long, Long> childChanged = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger changes = new AtomicInteger();
        // 8 stand-in changes per chunk: the two interleave on any machine
        Backfill backfill = backfill(database, dataSource)
                .listener(new PaceByChanges(changes, 8, () -> failure.get() != null)).build();
        Thread writer = new Thread(() -> {
            Random random = new Random(seed);
            List<ChangeEvent> late = new ArrayList<>();
            try (Connection c = db.connect(database)) {
                while (!done.get()) {
                    BackfillProgress p = backfill.progress();
                    // near the rows the backfill reads now, and anywhere
                    long around = p == null ? 1 : p.table().endsWith("shipping") ? p.rowsDone() * 3 / 2 : p.rowsDone();
                    long id = random.nextInt(4) == 0 ? 1 + random.nextInt(n + 100)
                            : Math.max(1, around + random.nextInt(400) - 50);
                    ChangeEvent e;
                    switch (random.nextInt(7)) {
                        case 0:
                            e = updateOrder(database, c, id, "total", random.nextInt(1000));
                            break;
                        case 1:
                            e = updateOrder(database, c, id, "status", random.nextBoolean() ? "CANCELLED" : "PAID");
                            break;
                        case 2:
                            e = deleteOrder(database, c, id);
                            break;
                        case 3:
                            e = insertOrder(database, c, id, "inserted " + random.nextInt(1000));
                            break;
                        case 4:
                        case 5:
                            e = setShipping(database, c, id, "t" + random.nextInt(1_000_000));
                            childChanged.put(id, clock.incrementAndGet());
                            break;
                        default:
                            e = deleteShipping(database, c, id);
                            break;
                    }
                    if (e != null && e.table().equals("orders") && e.operation() != Operation.DELETE
                            && !"CANCELLED".equals(e.row().get("status"))
                            && (e.operation() == Operation.INSERT || "CANCELLED".equals(e.oldValues().get("status")))) {
                        // the order's document is created (again): the stream's merges before it are gone
                        parentCreated.put(id, clock.incrementAndGet());
                    }
                    if (e != null) {
                        late.add(e);
                        changes.incrementAndGet();
                    }
                    // the stream is behind by a varying number of changes
                    if (late.size() >= 1 + random.nextInt(30)) {
                        stream(database, late);
                        late.clear();
                    }
                }
                stream(database, late);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "stream-stand-in");
        writer.start();
        boolean finished;
        try {
            finished = backfill.run();
        } finally {
            done.set(true);
            writer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("the stand-in failed", failure.get());
        }
        assertTrue(finished);
        assertTrue(changes.get() > 100, "the stand-in changed " + changes.get() + " rows");
        Set<Long> mayLack = new HashSet<>();
        for (Map.Entry<Long, Long> e : parentCreated.entrySet()) {
            if (e.getValue() > childChanged.getOrDefault(e.getKey(), -1L)) {
                mayLack.add(e.getKey());
            }
        }
        assertIndexEqualsMysql(database, mayLack);
    }

}
