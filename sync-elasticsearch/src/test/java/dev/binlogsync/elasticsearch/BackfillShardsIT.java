package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillException;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.backfill.InMemoryCheckpointStore;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.ForwardingCheckpointStore;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backfill of one table sharded four ways ({@code item_0} .. {@code item_3}, one rule
 * {@code item_[0-9]+} into one index, versioned by the column {@code v}) against a real MariaDB and
 * the in-process Elasticsearch. Right after a chunk's {@code SELECT} (when its pending documents are
 * saved, before its creates) the test moves rows of the chunk to other shards (a delete in one table
 * and an insert in another, one transaction, with a higher version) and deletes others; a stand-in
 * for the stream applies each change through the same rules (the move's delete and insert in either
 * order: they travel on different partitions). Tombstones are pruned at each refresh, so a snapshot
 * of a deleted row can land. The end state is compared with MySQL read by the test's own SQL (a
 * {@code UNION ALL} over the shards). A backfill with no table named loads the shards its pattern
 * matches, and a re-sync of the alias the rule writes loads them into the new index.
 */
class BackfillShardsIT extends BackfillTestServers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHARDS = 4;
    private static final int ROWS = 2_000;
    private static final int CHUNK = 100;

    /** Versions the test writes: above every initial one ({@code v = id}), growing with every change. */
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private static String index(String database) {
        return database + "-items";
    }

    /** {@code item_N} into {@code <database>-items}, whole rows, external version {@code v}. */
    private static Rules rules(String database) {
        return Rules.builder().rule(TableRule.builder().database(database).table("item_[0-9]+").index(index(database))
                .writeMode(WriteMode.INDEX).versionColumn("v").build()).build();
    }

    /** The shards, rows {@code 1..ROWS} each in {@code item_<id % 4>} with {@code v = id}, and the index. */
    private void createShards(String database) throws Exception {
        createShardTables(database);
        createIndex(index(database), "");
    }

    /** The shards, rows {@code 1..ROWS} each in {@code item_<id % 4>} with {@code v = id}. */
    private void createShardTables(String database) throws Exception {
        db.execute("CREATE DATABASE " + database);
        for (int shard = 0; shard < SHARDS; shard++) {
            db.execute("CREATE TABLE " + database + ".item_" + shard
                    + " (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, name VARCHAR(64) NOT NULL)");
        }
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            for (int shard = 0; shard < SHARDS; shard++) {
                StringBuilder sql = new StringBuilder("INSERT INTO item_" + shard + " VALUES ");
                boolean first = true;
                for (int id = 1; id <= ROWS; id++) {
                    if (id % SHARDS == shard) {
                        sql.append(first ? "" : ",").append('(').append(id).append(',').append(id).append(",'item ")
                                .append(id).append("')");
                        first = false;
                    }
                }
                s.executeUpdate(sql.toString());
            }
        }
    }

    /** The index {@code name}, with {@code aliases} (a JSON object's members, or empty). */
    private void createIndex(String name, String aliases) throws IOException {
        // tombstones of the stream's deletes pruned at each refresh: a snapshot with an older version
        // is then not refused by them, the resurrection the verification exists for
        Request create = new Request("PUT", "/" + name);
        create.setJsonEntity("{\"settings\":{\"index.gc_deletes\":\"0s\",\"number_of_shards\":1,"
                + "\"number_of_replicas\":0}" + (aliases.isEmpty() ? "" : ",\"aliases\":{" + aliases + "}") + "}");
        client.performRequest(create);
    }

    private static Backfill.Builder backfill(String database, CheckpointStore store) {
        Backfill.Builder b = Backfill.builder().rules(rules(database)).chunkSize(CHUNK).checkpointStore(store);
        for (int shard = 0; shard < SHARDS; shard++) {
            b.table(database, "item_" + shard);
        }
        return b;
    }

    // ------------------------------------------------------------ the stream's stand-in

    @Nullable
    private static Map<String, Object> select(Connection c, String table, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, v, name FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getLong(1));
                row.put("v", rs.getLong(2));
                row.put("name", rs.getString(3));
                return row;
            }
        }
    }

    /** The sink the stand-in stream writes a database's changes through, when not {@link #sink} (a re-sync's shadow). */
    private final Map<String, BulkSink> streamSinks = new java.util.concurrent.ConcurrentHashMap<>();

    /** Applies one binlog change through the rules to Elasticsearch at once, as the stream would. */
    private void stream(String database, String table, Operation op, Map<String, Object> row, Map<String, Object> old) {
        List<DocumentAction> actions = new ArrayList<>();
        rules(database).apply(new ChangeEvent(database, table, op, row, old, List.of("id"), System.currentTimeMillis(),
                new SourcePosition("stand-in", 0), RowImage.FULL), actions::add);
        StandInWrites.apply(streamSinks.getOrDefault(database, sink), actions);
    }

    /** Which shard holds {@code id} now, or -1. */
    private static int shardOf(Connection c, long id) throws SQLException {
        for (int shard = 0; shard < SHARDS; shard++) {
            if (select(c, "item_" + shard, id) != null) {
                return shard;
            }
        }
        return -1;
    }

    /**
     * Moves a row to shard {@code to}: deleted in its shard and inserted in {@code to} with a higher
     * version and a new name, in one transaction ({@code oneTransaction}) or two (the insert first:
     * for a moment both tables hold the id); the stand-in stream then applies the delete and the
     * insert in the order {@code deleteFirst} says.
     */
    private void move(Connection c, String database, long id, int to, boolean oneTransaction, boolean deleteFirst)
            throws SQLException {
        String from = "item_" + shardOf(c, id);
        Map<String, Object> before = select(c, from, id);
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("v", clock.incrementAndGet());
        after.put("name", "moved " + id + " to " + to);
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO item_" + to + " VALUES (?,?,?)");
                PreparedStatement delete = c.prepareStatement("DELETE FROM " + from + " WHERE id = ?")) {
            insert.setLong(1, id);
            insert.setLong(2, (Long) after.get("v"));
            insert.setString(3, (String) after.get("name"));
            assertEquals(1, insert.executeUpdate());
            if (!oneTransaction) {
                c.commit();
            }
            delete.setLong(1, id);
            assertEquals(1, delete.executeUpdate());
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        if (deleteFirst) {
            stream(database, from, Operation.DELETE, before, Map.of());
            stream(database, "item_" + to, Operation.INSERT, after, Map.of());
        } else {
            stream(database, "item_" + to, Operation.INSERT, after, Map.of());
            stream(database, from, Operation.DELETE, before, Map.of());
        }
    }

    private void delete(Connection c, String database, long id) throws SQLException {
        String table = "item_" + shardOf(c, id);
        Map<String, Object> before = select(c, table, id);
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("DELETE FROM " + table + " WHERE id = " + id));
        }
        stream(database, table, Operation.DELETE, before, Map.of());
    }

    private void update(Connection c, String database, long id) throws SQLException {
        String table = "item_" + shardOf(c, id);
        Map<String, Object> before = select(c, table, id);
        long v = clock.incrementAndGet();
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE " + table + " SET v = " + v + ", name = 'renamed " + id
                    + "' WHERE id = " + id));
        }
        stream(database, table, Operation.UPDATE, select(c, table, id), Map.of("v", before.get("v"), "name",
                before.get("name")));
    }

    private void insert(Connection c, String database, long id, int shard) throws SQLException {
        long v = clock.incrementAndGet();
        try (Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("INSERT INTO item_" + shard + " VALUES (" + id + "," + v + ",'new " + id + "')"));
        }
        stream(database, "item_" + shard, Operation.INSERT, select(c, "item_" + shard, id), Map.of());
    }

    private void refresh(String database) {
        try {
            client.performRequest(new Request("POST", "/" + index(database) + "/_refresh"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a hook when the {@code at}-th chunk's pending documents are saved: after its SELECT, before its creates. */
    private static final class HookedStore extends ForwardingCheckpointStore {
        final int at;
        final Consumer<Checkpoint> onPending;
        int pendingSaves;

        HookedStore(CheckpointStore inner, int at, Consumer<Checkpoint> onPending) {
            super(inner);
            this.at = at;
            this.onPending = onPending;
        }

        @Override
        public void save(String table, Checkpoint checkpoint) {
            super.save(table, checkpoint);
            if (!checkpoint.pending().isEmpty() && ++pendingSaves == at) {
                onPending.accept(checkpoint);
            }
        }
    }

    private static List<Long> keys(Checkpoint cp) {
        List<Long> out = new ArrayList<>();
        for (Checkpoint.Pending p : cp.pending()) {
            out.add(((Number) p.key().get(0)).longValue());
        }
        return out;
    }

    // ------------------------------------------------------------ the comparison

    /** MySQL by the test's own SQL, a UNION ALL over the shards: per id, its fields and version as text. */
    private Map<String, Map<String, String>> expected(String database, int shards) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (int shard = 0; shard < shards; shard++) {
            sql.append(shard > 0 ? " UNION ALL " : "").append("SELECT id, v, name FROM item_").append(shard);
        }
        Map<String, Map<String, String>> out = new TreeMap<>();
        List<String> twice = new ArrayList<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                Map<String, String> doc = new TreeMap<>();
                doc.put("id", Long.toString(rs.getLong(1)));
                doc.put("v", Long.toString(rs.getLong(2)));
                doc.put("@version", Long.toString(rs.getLong(2)));
                doc.put("name", rs.getString(3));
                if (out.put(doc.get("id"), doc) != null) {
                    twice.add(doc.get("id"));
                }
            }
        }
        assertEquals(List.of(), twice, "ids in two shards at the end");
        return out;
    }

    private Map<String, Map<String, String>> indexed(String database) throws IOException {
        refresh(database);
        Request search = new Request("POST", "/" + index(database) + "/_search");
        search.addParameter("size", "10000");
        search.addParameter("version", "true");
        search.setJsonEntity("{\"query\":{\"match_all\":{}}}");
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (JsonNode h : JSON.readTree(client.performRequest(search).getEntity().getContent()).path("hits").path("hits")) {
            Map<String, String> doc = new TreeMap<>();
            doc.put("@version", h.get("_version").asText());
            h.get("_source").fields().forEachRemaining(e -> doc.put(e.getKey(), e.getValue().asText()));
            out.put(h.get("_id").asText(), doc);
        }
        return out;
    }

    private void assertIndexEqualsMysql(String database, int shards) throws Exception {
        Map<String, Map<String, String>> expected = expected(database, shards);
        Map<String, Map<String, String>> actual = indexed(database);
        List<String> differences = IndexDifferences.of(expected, actual, "in no shard");
        assertEquals(List.of(), differences);
        assertTrue(expected.size() > ROWS / 2, "rows: " + expected.size());
    }

    // ------------------------------------------------------------ the tests

    /**
     * Right after the SELECT of {@code item_3}'s second chunk (the shards load in order, so
     * {@code item_0} .. {@code item_2} are done): four of its rows move to the other shards, four are
     * deleted in their shard, four renamed. The moved rows' snapshots are refused by the stream's
     * newer writes, and only a verification that reads the other shards too sees that a current row
     * produces their documents (reading {@code item_3} alone, it would delete them, and no later
     * chunk would load them again).
     */
    private void rowsMovedToOtherShardsOrDeletedAfterTheSelectEndAsMysql(String database, boolean deleteFirst)
            throws Exception {
        createShards(database);
        List<Long> moved = new ArrayList<>();
        Backfill backfill = backfill(database, raceAtItem3(database, deleteFirst, moved)).dataSource(dataSource).sink(sink)
                .build();
        assertTrue(backfill.run());
        assertMovedRowsKeptAndIndexEqualsMysql(database, moved);
    }

    /**
     * A store that, at the pending save of {@code item_3}'s second chunk (the shards load in order,
     * {@code item_0} .. {@code item_2} hold 500 rows each, 5 chunks: the 17th chunk), moves four of its
     * rows to the other shards (recording them in {@code moved}), deletes four and renames four.
     */
    private HookedStore raceAtItem3(String database, boolean deleteFirst, List<Long> moved) {
        return new HookedStore(new InMemoryCheckpointStore(), 17, cp -> {
            List<Long> keys = keys(cp);
            assertTrue(keys.stream().allMatch(k -> k % SHARDS == 3), "a chunk of item_3: " + keys);
            try (Connection c = db.connect(database)) {
                for (int i = 0; i < 4; i++) {
                    move(c, database, keys.get(i), i % 3, true, deleteFirst);
                    moved.add(keys.get(i));
                    delete(c, database, keys.get(4 + i));
                    update(c, database, keys.get(8 + i));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            refresh(database);
        });
    }

    private void assertMovedRowsKeptAndIndexEqualsMysql(String database, List<Long> moved) throws Exception {
        assertEquals(4, moved.size(), "the race ran");
        assertIndexEqualsMysql(database, SHARDS);
        Map<String, Map<String, String>> actual = indexed(database);
        for (long id : moved) {
            assertEquals("moved " + id + " to " + (moved.indexOf(id) % 3), actual.get(Long.toString(id)).get("name"),
                    "the moved row's document stays");
        }
    }

    /**
     * No table named: the backfill loads the four shards its rule's pattern matches (listed from
     * information_schema, in name order), not {@code item_archive}, whose rows the rule does not
     * match (a document of one would be in no shard of the comparison), with the race of
     * {@link #raceAtItem3}.
     */
    @Test
    void aBackfillWithNoTableNamedLoadsEveryShardThePatternMatchesAndEndsAsMysql() throws Exception {
        String database = "bf_shards_derived";
        createShards(database);
        db.execute("CREATE TABLE " + database + ".item_archive (id BIGINT PRIMARY KEY, v BIGINT NOT NULL,"
                + " name VARCHAR(64) NOT NULL)");
        db.execute("INSERT INTO " + database + ".item_archive VALUES (" + (ROWS + 1) + ", 1, 'archived'), ("
                + (ROWS + 2) + ", 1, 'archived')");
        List<Long> moved = new ArrayList<>();
        Backfill backfill = Backfill.builder().rules(rules(database)).chunkSize(CHUNK)
                .checkpointStore(raceAtItem3(database, true, moved)).dataSource(dataSource).sink(sink).build();
        List<String> shards = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(database + ".item_" + shard);
        }
        assertEquals(shards, backfill.tables());
        assertTrue(backfill.run());
        assertMovedRowsKeptAndIndexEqualsMysql(database, moved);
    }

    /**
     * A re-sync of the alias the sharded rule writes: the old index drifted (a document of no row,
     * a row without its document), the stand-in stream writes through a {@link ShadowWriteSink}
     * and races the load as in {@link #raceAtItem3}; the re-sync loads every shard the pattern
     * matches into the new index, switches the alias and deletes the old index.
     */
    @Test
    void aResyncOfTheAliasAShardedPatternRuleWritesLoadsEveryShardAndSwitchesTheAlias() throws Exception {
        String database = "rs_shards";
        String alias = index(database);
        createShardTables(database);
        createIndex(alias + "-v1", "\"" + alias + "\":{}");
        ShadowWriteSink shadow = ShadowWriteSink.wrap(sink);
        streamSinks.put(database, shadow);
        // the old index as the stream left it, drifted: a document of no row, and row 1 without its document
        List<DocumentAction> initial = new ArrayList<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            for (int shard = 0; shard < SHARDS; shard++) {
                try (ResultSet rs = s.executeQuery("SELECT id, v, name FROM item_" + shard + " WHERE id <> 1")) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("id", rs.getLong(1));
                        row.put("v", rs.getLong(2));
                        row.put("name", rs.getString(3));
                        rules(database).apply(new ChangeEvent(database, "item_" + shard, Operation.INSERT, row, Map.of(),
                                List.of("id"), 0, new SourcePosition("stand-in", 0), RowImage.FULL), initial::add);
                    }
                }
            }
            Map<String, Object> ghost = new LinkedHashMap<>(Map.of("id", 999_999L, "v", 1L, "name", "no such row"));
            rules(database).apply(new ChangeEvent(database, "item_0", Operation.INSERT, ghost, Map.of(), List.of("id"), 0,
                    new SourcePosition("stand-in", 0), RowImage.FULL), initial::add);
        }
        StandInWrites.apply(shadow, initial);
        refresh(database);
        assertTrue(indexed(database).containsKey("999999") && !indexed(database).containsKey("1"), "the drift");

        List<Long> moved = new ArrayList<>();
        Resync resync = Resync.builder().client(client).alias(alias).newIndex(alias + "-v2").rules(rules(database))
                .dataSource(dataSource).sink(sink).shadowSinks(shadow).deleteOldIndex(true)
                .checkpointStore(raceAtItem3(database, false, moved))
                .backfill(b -> b.chunkSize(CHUNK)).build();
        assertTrue(resync.run());

        JsonNode aliases = JSON.readTree(client.performRequest(new Request("GET", "/_alias/" + alias)).getEntity()
                .getContent());
        assertEquals(List.of(alias + "-v2"), iterable(aliases.fieldNames()), "the alias's indices: " + aliases);
        assertFalse(exists(alias + "-v1"), "the old index is deleted");
        assertMovedRowsKeptAndIndexEqualsMysql(database, moved);
    }

    private boolean exists(String index) throws IOException {
        Request head = new Request("HEAD", "/" + index);
        try {
            return client.performRequest(head).getStatusLine().getStatusCode() == 200;
        } catch (org.elasticsearch.client.ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    @Test
    void rowsMovedToOtherShardsAfterAChunksSelectKeepTheirDocumentsWhenTheStreamAppliesTheDeleteFirst()
            throws Exception {
        rowsMovedToOtherShardsOrDeletedAfterTheSelectEndAsMysql("bf_shards_del_first", true);
    }

    @Test
    void rowsMovedToOtherShardsAfterAChunksSelectKeepTheirDocumentsWhenTheStreamAppliesTheInsertFirst()
            throws Exception {
        rowsMovedToOtherShardsOrDeletedAfterTheSelectEndAsMysql("bf_shards_ins_first", false);
    }

    @Test
    void aRowDeletedInItsShardAfterTheSelectHasItsResurrectedCopyRemoved() throws Exception {
        String database = "bf_shards_deleted";
        createShards(database);
        List<Long> deleted = new ArrayList<>();
        HookedStore store = new HookedStore(new InMemoryCheckpointStore(), 6, cp -> {
            List<Long> keys = keys(cp);
            try (Connection c = db.connect(database)) {
                for (int i = 0; i < 6; i++) {
                    delete(c, database, keys.get(i));
                    deleted.add(keys.get(i));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            // the deletes' tombstones pruned: the snapshots with the rows' versions land
            refresh(database);
        });
        Map<String, BackfillProgress> finished = new TreeMap<>();
        Backfill backfill = backfill(database, store).dataSource(dataSource).sink(sink)
                .listener(new BackfillListener() {
                    @Override
                    public void tableFinished(BackfillProgress p) {
                        finished.put(p.table(), p);
                    }
                }).build();
        assertTrue(backfill.run());
        assertEquals(6, deleted.size(), "the race ran");
        // item_1's chunk: each deleted row's snapshot landed once its tombstone was pruned, or was
        // refused by it when the refresh had not pruned it yet (same millisecond)
        assertTrue(finished.get(database + ".item_1").resurrectionsRemoved() > 0,
                "copies landed and were removed: " + finished);
        assertIndexEqualsMysql(database, SHARDS);
    }

    @Test
    void aShardCreatedDuringTheRunStopsItBeforeAnyDeleteAndTheNextRunEndsAsMysql() throws Exception {
        shardCreatedDuringTheRun("bf_shards_new", "");
    }

    @Test
    void aSystemVersionedShardCreatedDuringTheRunIsSeenToo() throws Exception {
        // MariaDB lists such a table as SYSTEM VERSIONED, not BASE TABLE
        shardCreatedDuringTheRun("bf_shards_versioned", " WITH SYSTEM VERSIONING");
    }

    private void shardCreatedDuringTheRun(String database, String tableOptions) throws Exception {
        createShards(database);
        CheckpointStore checkpoints = new InMemoryCheckpointStore();
        List<Long> moved = new ArrayList<>();
        HookedStore store = new HookedStore(checkpoints, 2, cp -> {
            long id = keys(cp).get(0);
            try (Connection c = db.connect(database)) {
                db.execute("CREATE TABLE " + database + ".item_4 (id BIGINT PRIMARY KEY, v BIGINT NOT NULL,"
                        + " name VARCHAR(64) NOT NULL)" + tableOptions);
                move(c, database, id, 4, true, true);
                moved.add(id);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        BackfillException e = assertThrows(BackfillException.class,
                () -> backfill(database, store).dataSource(dataSource).sink(sink).build().run());
        assertTrue(e.getMessage().contains("created " + database + ".item_4"), e.getMessage());
        assertEquals(1, moved.size(), "the race ran");
        // not removed: the verification stopped before its delete
        assertEquals("moved " + moved.get(0) + " to 4", indexed(database).get(Long.toString(moved.get(0))).get("name"));

        Backfill again = backfill(database, checkpoints).dataSource(dataSource).sink(sink)
                .restartFence(java.time.Duration.ZERO).build();
        assertTrue(again.run());
        assertIndexEqualsMysql(database, SHARDS + 1);
    }

    @Test
    void aRandomizedWorkloadOfMovesDeletesUpdatesAndInsertsOverTheShardsDuringTheBackfillEndsAsMysql()
            throws Exception {
        // two seeds by default; -Dbackfill.shards.seeds=N runs N
        for (int seed = 1; seed <= Integer.getInteger("backfill.shards.seeds", 2); seed++) {
            randomizedRun(seed);
        }
    }

    /**
     * A writer thread changes the shards throughout a backfill of all four, each change applied by the
     * stand-in stream at once: moves to another shard (one transaction or two, the stream applying the
     * delete or the insert first), deletes, updates and inserts; half of its picks are rows of the
     * chunk in progress (between its SELECT and its verification), each at most once.
     */
    private void randomizedRun(long seed) throws Exception {
        String database = "bf_shards_random_" + seed;
        createShards(database);
        Random random = new Random(seed);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Map<String, Integer> ops = new HashMap<>();
        AtomicInteger changes = new AtomicInteger();
        // the keys of the chunk in progress (from its SELECT to its verification), where the races are
        AtomicReference<List<Long>> inProgress = new AtomicReference<>(List.of());
        // 4 writer changes per chunk: the two interleave on any machine
        PaceByChanges pace = new PaceByChanges(changes, 4, () -> failure.get() != null);
        Thread writer = new Thread(() -> {
            long nextId = ROWS + 1;
            java.util.Set<Long> racedOnce = new java.util.HashSet<>();
            List<Long> live = new ArrayList<>();
            for (long id = 1; id <= ROWS; id++) {
                live.add(id);
            }
            try (Connection c = db.connect(database)) {
                while (!done.get()) {
                    int pick = random.nextInt(10);
                    long id = live.get(random.nextInt(live.size()));
                    List<Long> chunk = inProgress.get();
                    if (!chunk.isEmpty() && random.nextBoolean()) {
                        // each row of a chunk at most once from here: a later change of a row would
                        // write its document again and hide a wrong removal
                        long candidate = chunk.get(random.nextInt(chunk.size()));
                        if (live.contains(candidate) && racedOnce.add(candidate)) {
                            id = candidate;
                        }
                    }
                    if (pick < 3) {
                        int to = (shardOf(c, id) + 1 + random.nextInt(SHARDS - 1)) % SHARDS;
                        move(c, database, id, to, random.nextBoolean(), random.nextBoolean());
                        ops.merge("move", 1, Integer::sum);
                    } else if (pick < 5) {
                        delete(c, database, id);
                        live.remove(Long.valueOf(id));
                        ops.merge("delete", 1, Integer::sum);
                    } else if (pick < 8) {
                        update(c, database, id);
                        ops.merge("update", 1, Integer::sum);
                    } else {
                        insert(c, database, nextId, random.nextInt(SHARDS));
                        live.add(nextId++);
                        ops.merge("insert", 1, Integer::sum);
                    }
                    changes.incrementAndGet();
                    if (random.nextInt(20) == 0) {
                        refresh(database); // prunes the tombstones: older snapshots can land
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "shards-writer");
        writer.start();
        Backfill backfill;
        try {
            backfill = backfill(database, new ForwardingCheckpointStore(new InMemoryCheckpointStore()) {
                @Override
                public void save(String table, Checkpoint checkpoint) {
                    super.save(table, checkpoint);
                    inProgress.set(keys(checkpoint));
                }
            }).dataSource(dataSource).sink(sink).listener(pace).build();
            assertTrue(backfill.run());
        } finally {
            done.set(true);
            writer.join();
        }
        assertEquals(null, failure.get(), "the writer failed (seed " + seed + ")");
        assertTrue(pace.chunks() > 0 && changes.get() >= 4 * pace.chunks(),
                "the workload made 4 changes per chunk of " + pace.chunks() + ": " + ops);
        try {
            assertIndexEqualsMysql(database, SHARDS);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", operations " + ops + ", " + backfill.progress() + ": "
                    + e.getMessage(), e);
        }
    }
}
