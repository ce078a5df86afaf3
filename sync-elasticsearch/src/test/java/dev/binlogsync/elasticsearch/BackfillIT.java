package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillException;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.backfill.InMemoryCheckpointStore;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.junit.jupiter.api.Test;

/**
 * Backfill against a real MariaDB and the in-process Elasticsearch, with the test itself standing in
 * for the stream: every change the test makes in MySQL it also applies to Elasticsearch (index for an
 * insert or update, delete for a delete), in the order it made them, late on purpose. The end state
 * is compared row by row with MySQL, read by the test's own SQL. (The proof with the real binlog
 * relay and Kafka stream is the end-to-end suite's part.)
 */
class BackfillIT extends BackfillTestServers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Rules rules(String database) {
        return Rules.builder().rule(TableRule.builder().database(database).table("items").index(database + "-items").build())
                .build();
    }

    private void createTable(String database, int rows) throws SQLException {
        db.execute("CREATE DATABASE " + database,
                "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, qty INT NOT NULL)");
        try (Connection c = db.connect(database)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?,?,?)")) {
                for (int id = 1; id <= rows; id++) {
                    ps.setLong(1, id);
                    ps.setString(2, "row " + id);
                    ps.setInt(3, id % 100);
                    ps.addBatch();
                    if (id % 1000 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** The stream's stand-in: a change made in MySQL, to be applied to Elasticsearch in order. */
    private record Change(long id, @Nullable Map<String, Object> row) {
    }

    /** Makes one random change to a row near {@code around}; returns it, or null if it changed nothing. */
    @Nullable
    private static Change change(Connection c, Random random, long around) throws SQLException {
        long id = Math.max(1, around + random.nextInt(1500) - 200);
        int op = random.nextInt(3);
        if (op == 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
                ps.setLong(1, id);
                return ps.executeUpdate() == 1 ? new Change(id, null) : null;
            }
        }
        String name = "changed " + random.nextInt(1_000_000);
        int qty = random.nextInt(1000);
        String sql = op == 1 ? "UPDATE items SET name = ?, qty = ? WHERE id = ?" : "INSERT IGNORE INTO items (name, qty, id) VALUES (?,?,?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setInt(2, qty);
            ps.setLong(3, id);
            if (ps.executeUpdate() != 1) {
                return null;
            }
        }
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("qty", qty);
        return new Change(id, row);
    }

    /** Applies the changes to Elasticsearch in order, as the stream would (plain index and delete). */
    private void apply(String index, List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<DocumentAction> actions = new ArrayList<>();
        for (Change ch : changes) {
            actions.add(ch.row() == null ? DocumentAction.delete(index, Long.toString(ch.id()))
                    : DocumentAction.index(index, Long.toString(ch.id()), ch.row()));
        }
        StandInWrites.apply(sink, actions);
    }

    /** Every row of the table, by the test's own SQL, as the text of each column. */
    private Map<String, Map<String, String>> mysqlRows(String database) throws SQLException {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, qty FROM items")) {
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>();
                row.put("id", Long.toString(rs.getLong(1)));
                row.put("name", rs.getString(2));
                row.put("qty", Integer.toString(rs.getInt(3)));
                rows.put(row.get("id"), row);
            }
        }
        return rows;
    }

    /** The documents of the given ids (absent ones left out), as the text of each field. */
    private Map<String, Map<String, String>> documents(String index, List<String> ids) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (int from = 0; from < ids.size(); from += 1000) {
            List<String> part = ids.subList(from, Math.min(ids.size(), from + 1000));
            try {
                Request r = new Request("POST", "/" + index + "/_mget");
                r.setEntity(new StringEntity(JSON.writeValueAsString(Map.of("ids", part)), ContentType.APPLICATION_JSON));
                Response response = client.performRequest(r);
                JsonNode docs = JSON.readTree(response.getEntity().getContent()).get("docs");
                for (JsonNode d : docs) {
                    if (d.path("found").asBoolean(false)) {
                        Map<String, String> doc = new TreeMap<>();
                        d.get("_source").fields().forEachRemaining(e -> doc.put(e.getKey(), e.getValue().asText()));
                        out.put(d.get("_id").asText(), doc);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Every MySQL row has its document, equal field by field, and the index holds nothing else. */
    private void assertIndexEqualsMysql(String database, String index, int maxId) throws SQLException {
        Map<String, Map<String, String>> rows = mysqlRows(database);
        List<String> everyId = new ArrayList<>();
        for (int id = 1; id <= maxId; id++) {
            everyId.add(Integer.toString(id));
        }
        Map<String, Map<String, String>> docs = documents(index, everyId);
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : rows.entrySet()) {
            Map<String, String> doc = docs.get(e.getKey());
            if (doc == null) {
                missing.add(e.getKey());
            } else if (!doc.equals(e.getValue())) {
                stale.add(e.getKey() + ": " + doc + " != " + e.getValue());
            }
        }
        List<String> extra = new ArrayList<>(docs.keySet());
        extra.removeAll(rows.keySet());
        assertEquals(List.of(), missing, "rows without their document");
        assertEquals(List.of(), stale, "stale documents");
        assertEquals(List.of(), extra, "documents of rows that do not exist (resurrected)");
        assertEquals(rows.size(), EsDocs.count(client, index), "documents in the index");
    }

    @Test
    void backfillsTwentyThousandRowsWhileAWriterUpdatesDeletesAndReinsertsThemAndEndsEqualToMysql() throws Exception {
        String database = "bf_race";
        String index = database + "-items";
        int rows = 20_000;
        createTable(database, rows);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        AtomicInteger changes = new AtomicInteger();
        // 8 writer changes per chunk: the two interleave on any machine
        Backfill backfill = Backfill.builder().dataSource(dataSource).rules(rules(database)).sink(sink).chunkSize(500)
                .listener(new PaceByChanges(changes, 8, () -> writerFailure.get() != null)).build();
        Thread writer = new Thread(() -> {
            Random random = new Random(20);
            List<Change> late = new ArrayList<>();
            try (Connection c = db.connect(database)) {
                while (!done.get()) {
                    BackfillProgress p = backfill.progress();
                    Change ch = change(c, random, p == null ? 1 : p.rowsDone());
                    if (ch != null) {
                        late.add(ch);
                        changes.incrementAndGet();
                    }
                    // the stream is behind by a varying number of changes
                    if (late.size() >= 1 + random.nextInt(40)) {
                        apply(index, late);
                        late.clear();
                    }
                }
                apply(index, late);
            } catch (Throwable t) {
                writerFailure.set(t);
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
        if (writerFailure.get() != null) {
            throw new AssertionError("the writer failed", writerFailure.get());
        }
        assertTrue(finished);
        assertTrue(changes.get() >= 8 * 30, "the writer changed " + changes.get() + " rows");
        assertIndexEqualsMysql(database, index, rows + 2000);
    }

    @Test
    void aRestartAfterACrashBetweenCreatesAndVerificationRemovesCopiesOfRowsDeletedMeanwhileAndEndsExact()
            throws Exception {
        String database = "bf_crash";
        String index = database + "-items";
        int rows = 5_000;
        createTable(database, rows);
        CheckpointStore store = ElasticsearchCheckpointStore.of(client, "binlog-sync-backfill-it");
        List<Long> deleted = new ArrayList<>();
        // at the 4th chunk: after its SELECT, the stream deletes five of its rows (in MySQL and in
        // Elasticsearch) before the backfill's creates; then the process dies before verifying
        AtomicBoolean crashAtNextRead = new AtomicBoolean();
        dev.binlogsync.core.DocumentReader crashing = refs -> {
            if (crashAtNextRead.get()) {
                // the process dies after the chunk's creates were acknowledged, before its verification
                throw new IllegalStateException("simulated crash before the chunk was verified");
            }
            return sink.read(refs);
        };
        HookedCheckpointStore hooked = new HookedCheckpointStore(store, 4, cp -> {
            crashAtNextRead.set(true);
            try (Connection c = db.connect(database); Statement s = c.createStatement()) {
                List<Change> changes = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    long id = ((Number) cp.pending().get(i * 50).key().get(0)).longValue();
                    s.executeUpdate("DELETE FROM items WHERE id = " + id);
                    changes.add(new Change(id, null));
                    deleted.add(id);
                }
                apply(index, changes);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        Backfill first = Backfill.builder().dataSource(dataSource).rules(rules(database)).sink(sink).reader(crashing)
                .chunkSize(400).checkpointStore(hooked).build();
        assertThrows(IllegalStateException.class, first::run);
        assertEquals(5, deleted.size());
        // the crashed run's creates resurrected the deleted rows
        Map<String, Map<String, String>> resurrected = documents(index, deleted.stream().map(String::valueOf).toList());
        assertEquals(5, resurrected.size(), "the crashed run should have created the deleted rows' copies");
        Checkpoint saved = store.load(first.checkpointName(database, "items"));
        assertFalse(saved.pending().isEmpty(), "the crashed chunk is pending");
        assertEquals(List.of(1200L), saved.lastKey(), "three chunks of 400 were done");

        // the crashed run's creates were all acknowledged: none is in flight, no fence to wait out
        Backfill second = Backfill.builder().dataSource(dataSource).rules(rules(database)).sink(sink).chunkSize(400)
                .checkpointStore(store).restartFence(java.time.Duration.ZERO).build();
        assertTrue(second.run());
        assertTrue(store.load(second.checkpointName(database, "items")).finished());
        assertTrue(second.progress().resurrectionsRemoved() >= 5, String.valueOf(second.progress()));
        assertIndexEqualsMysql(database, index, rows);
    }

    /**
     * The verification's pre-check: a chunk whose rows all still produce their documents reads none; a
     * chunk with a row deleted between its SELECT and its creates (its copy resurrected) reads only
     * that row's document, and removes it.
     */
    @Test
    void onlyTheDocumentsOfRowsGoneSinceTheirChunksSelectAreReadAndTheResurrectedCopyIsRemoved() throws Exception {
        String database = "bf_prefilter";
        String index = database + "-items";
        int rows = 3_000;
        createTable(database, rows);
        List<String> read = new ArrayList<>();
        dev.binlogsync.core.DocumentReader counting = refs -> {
            synchronized (read) {
                refs.forEach(r -> read.add(r.id()));
            }
            return sink.read(refs);
        };
        List<Long> deleted = new ArrayList<>();
        HookedCheckpointStore hooked = new HookedCheckpointStore(new InMemoryCheckpointStore(), 3, cp -> {
            // after the third chunk's SELECT, before its creates: the stream deletes one of its rows
            long id = ((Number) cp.pending().get(123).key().get(0)).longValue();
            try (Connection c = db.connect(database); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM items WHERE id = " + id);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            apply(index, List.of(new Change(id, null)));
            deleted.add(id);
        });
        Backfill backfill = Backfill.builder().dataSource(dataSource).rules(rules(database)).sink(sink).reader(counting)
                .chunkSize(500).checkpointStore(hooked).build();
        assertTrue(backfill.run());
        assertEquals(List.of(String.valueOf(deleted.get(0))), read, "the documents read by the verification");
        assertEquals(1, backfill.progress().resurrectionsRemoved(), String.valueOf(backfill.progress()));
        assertIndexEqualsMysql(database, index, rows);
    }

    @Test
    void aTableWithoutPrimaryKeyIsRefusedNamingItUnlessItsKeyColumnsAreGiven() throws Exception {
        db.execute("CREATE DATABASE bf_nokey", "CREATE TABLE bf_nokey.items (id BIGINT NOT NULL, name VARCHAR(64) NOT NULL,"
                + " qty INT NOT NULL)", "INSERT INTO bf_nokey.items VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
        BackfillException e = assertThrows(BackfillException.class, () -> Backfill.builder().dataSource(dataSource)
                .rules(Rules.builder().rule(TableRule.builder().database("bf_nokey").table("items").index("bf_nokey-items")
                        .id("id").build()).build())
                .sink(sink).build().run());
        assertTrue(e.getMessage().contains("bf_nokey.items") && e.getMessage().contains("no primary key"), e.getMessage());

        // key columns without a UNIQUE index: a duplicate at a chunk boundary would be skipped
        BackfillException notUnique = assertThrows(BackfillException.class, () -> Backfill.builder()
                .dataSource(dataSource).rules(Rules.builder().rule(TableRule.builder().database("bf_nokey").table("items")
                        .index("bf_nokey-items").id("id").build()).build())
                .sink(sink).keyColumns("bf_nokey", "items", "id").build().run());
        assertTrue(notUnique.getMessage().contains("bf_nokey.items") && notUnique.getMessage().contains("UNIQUE"),
                notUnique.getMessage());

        db.execute("ALTER TABLE bf_nokey.items ADD UNIQUE KEY by_id (id)");
        Backfill keyed = Backfill.builder().dataSource(dataSource)
                .rules(Rules.builder().rule(TableRule.builder().database("bf_nokey").table("items").index("bf_nokey-items")
                        .id("id").build()).build())
                .sink(sink).keyColumns("bf_nokey", "items", "id").chunkSize(2).build();
        assertTrue(keyed.run());
        assertIndexEqualsMysql("bf_nokey", "bf_nokey-items", 3);
    }

    private BackfillException refused(String database, TableRule rule, String... keyColumns) {
        Backfill.Builder b = Backfill.builder().dataSource(dataSource).rules(Rules.builder().rule(rule).build()).sink(sink);
        if (keyColumns.length > 0) {
            b.keyColumns(database, rule.table(), keyColumns);
        }
        return assertThrows(BackfillException.class, b.build()::run);
    }

    @Test
    void keysWhoseDocumentIdsCouldDifferFromTheStreamsOrWhoseChunksCouldSkipRowsAreRefusedNamingTheTable()
            throws Exception {
        db.execute("CREATE DATABASE bf_keys",
                "CREATE TABLE bf_keys.items (a INT NOT NULL, b INT NOT NULL, sku VARCHAR(16) NOT NULL,"
                        + " note VARCHAR(16), PRIMARY KEY (b, a), UNIQUE KEY by_sku (sku))",
                "CREATE TABLE bf_keys.events (at DATETIME NOT NULL PRIMARY KEY, what VARCHAR(16))",
                "CREATE TABLE bf_keys.loose (id INT, name VARCHAR(16), UNIQUE KEY by_id (id))");
        TableRule.Builder items = TableRule.builder().database("bf_keys").table("items").index("bf_keys-items");
        // a composite primary key: the decoders give its columns in different orders
        BackfillException composite = refused("bf_keys", items.build());
        assertTrue(composite.getMessage().contains("bf_keys.items") && composite.getMessage().contains("explicit id(...)"),
                composite.getMessage());
        // key columns other than the primary key: the stream's ids come from the primary key
        BackfillException other = refused("bf_keys", items.id("sku").build(), "sku");
        assertTrue(other.getMessage().contains("bf_keys.items") && other.getMessage().contains("differ from the primary key"),
                other.getMessage());
        // a temporal key
        BackfillException temporal = refused("bf_keys", TableRule.builder().database("bf_keys").table("events")
                .index("bf_keys-events").build());
        assertTrue(temporal.getMessage().contains("bf_keys.events") && temporal.getMessage().contains("datetime"),
                temporal.getMessage());
        // key columns that may be NULL
        BackfillException nullable = refused("bf_keys", TableRule.builder().database("bf_keys").table("loose")
                .index("bf_keys-loose").id("id").build(), "id");
        assertTrue(nullable.getMessage().contains("bf_keys.loose") && nullable.getMessage().contains("NULL"),
                nullable.getMessage());
    }

    @Test
    void withoutValuesATableWithTemporalOrBooleanColumnsIsRefusedNamingThemAndAnExplicitJdbcChoiceReadsIt()
            throws Exception {
        db.execute("CREATE DATABASE bf_types", "CREATE TABLE bf_types.items (id INT PRIMARY KEY, name VARCHAR(16),"
                + " price DECIMAL(8,2), at DATETIME(3), flag BOOL, big BIGINT UNSIGNED)",
                "INSERT INTO bf_types.items VALUES (1, 'a', 1.50, '2024-01-02 03:04:05.678', TRUE, 42)");
        TableRule rule = TableRule.builder().database("bf_types").table("items").index("bf_types-items").build();
        BackfillException e = refused("bf_types", rule);
        String m = e.getMessage();
        assertTrue(m.contains("bf_types.items") && m.contains("at (datetime(3))") && m.contains("flag (tinyint(1))")
                && m.contains("big (bigint(20) unsigned)") && m.contains("values(decoder.backfillValues())"), m);
        assertFalse(m.contains("name (") || m.contains("price ("), m);
        assertEquals(404, client.performRequest(new Request("HEAD", "/bf_types-items")).getStatusLine().getStatusCode(),
                "an index written before the refusal");

        assertTrue(Backfill.builder().dataSource(dataSource).rules(Rules.builder().rule(rule).build()).sink(sink)
                .values(dev.binlogsync.core.backfill.BackfillValues.jdbc()).build().run());
        assertEquals(1, EsDocs.count(client, "bf_types-items"));
    }

    @Test
    void aCheckpointSavedByAnotherBackfillMeanwhileFailsTheSaveSayingAnotherBackfillOwnsTheTable() {
        ElasticsearchCheckpointStore mine = ElasticsearchCheckpointStore.of(client, "binlog-sync-backfill-owner-it");
        ElasticsearchCheckpointStore theirs = ElasticsearchCheckpointStore.of(client, "binlog-sync-backfill-owner-it");
        assertNull(mine.load("bf_owner.items"));
        assertNull(theirs.load("bf_owner.items"));
        mine.save("bf_owner.items", new Checkpoint(List.of(10L), List.of(), false));
        dev.binlogsync.core.SyncException lost = assertThrows(dev.binlogsync.core.SyncException.class,
                () -> theirs.save("bf_owner.items", new Checkpoint(List.of(99L), List.of(), false)));
        assertTrue(lost.getMessage().contains("bf_owner.items") && lost.getMessage().contains("another backfill"),
                lost.getMessage());
        mine.save("bf_owner.items", new Checkpoint(List.of(20L), List.of(), false));
        assertEquals(List.of(20L), theirs.load("bf_owner.items").lastKey());
        // once it reloaded, the other one may go on from what it read
        theirs.save("bf_owner.items", new Checkpoint(List.of(30L), List.of(), true));
        assertThrows(dev.binlogsync.core.SyncException.class,
                () -> mine.save("bf_owner.items", new Checkpoint(List.of(40L), List.of(), false)));
    }
}
