package dev.binlogsync.service;

import static dev.binlogsync.service.ServiceTestBed.ES;
import static dev.binlogsync.service.ServiceTestBed.KAFKA;
import static dev.binlogsync.service.ServiceTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.service.http.Http;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.annotation.Nullable;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started from a file whose pipeline has a {@code backfill} section, over a MariaDB
 * table that already holds rows: while the backfill runs, a writer changes, deletes and re-inserts
 * rows in MariaDB and, after each commit, sends the change as a Canal message with the full row
 * (standing in for the binlog relay) to the pipeline's topic. Afterwards Elasticsearch holds
 * exactly the rows MariaDB holds (read with the test's own SQL), {@code /status} shows the
 * backfill done and {@code /metrics} its meters.
 */
@Timeout(900)
class ServiceBackfillIT {
    static final int ROWS = 3000;
    /**
     * A row the {@link Writer} never changes, nor the 100 rows before it (a chunk of the backfills
     * here): a test holding its lock ({@link RowLock}) stops the backfill at that row's chunk, whose
     * verification reads the chunk's rows {@code LOCK IN SHARE MODE} in key order, while the locks
     * that read already holds are all on rows the writer leaves alone (so the writer never waits).
     */
    static final long HELD = ROWS;
    /** Decimals as the BigDecimal of their JSON text, scale kept (the node factory would strip 70.00 to 7E+1). */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();

    @TempDir
    Path dir;

    @Test
    void backfillsAPrefilledTableWhileTheStreamChangesItsRowsAndShowsItOnStatusAndMetrics() throws Exception {
        ServiceTestBed bed = new ServiceTestBed(dir);
        String run = Long.toString(System.nanoTime(), 36);
        String database = "svcbf_" + run;
        String topic = bed.topic("items");
        String index = bed.index("items");
        KAFKA.createTopic(topic, 2);
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); RestClient es = ES.newClient()) {
            db.execute("CREATE DATABASE " + database, "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY,"
                    + " name VARCHAR(64) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, updated DATETIME(3) NOT NULL)");
            prefill(db, database);

            String pipeline = "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"" + KAFKA.bootstrapServers() + "\","
                    + " \"groupId\": \"" + bed.group("items") + "\", \"topics\": [\"" + topic + "\"], \"format\": \"canal\","
                    + " \"canal\": {\"fullRowImage\": true}},"
                    + " \"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"" + ES.httpUrl() + "\"]},"
                    + " \"rules\": [{\"database\": \"" + database + "\", \"table\": \"items\", \"index\": \"" + index + "\"}],"
                    + " \"settings\": {\"flushInterval\": \"50ms\"},"
                    + " \"backfill\": {\"jdbc\": {\"url\": \"" + db.jdbcUrl(database) + "\", \"user\": \"" + db.user() + "\","
                    + " \"password\": \"${SVC_BF_DB_PASSWORD:}\"}, \"chunkSize\": 100, \"maxRowsPerSecond\": 1500,"
                    // the backfill yields to the pipeline (the default), at most 1 s a chunk: a slow test machine
                    // slows the stream, and 30 chunks must end within the test's wait
                    + " \"maxYield\": \"1s\", \"restartFence\": \"0s\", \"checkpointIndex\": \"svc-bf-checkpoints-" + run + "\"}}";
            Path file = bed.write(ServiceTestBed.documentWithService(
                    "{\"http\": {\"host\": \"127.0.0.1\", \"port\": 0}, \"configPollInterval\": \"200ms\","
                            + " \"shutdownTimeout\": \"60s\"}", "items", pipeline));

            Writer writer = new Writer(db, database, topic);
            Thread writing = new Thread(writer, "svc-bf-writer");
            BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), Map.of(),
                    PipelineFactory.standard(), StandardEndpoints::start);
            // the backfill cannot finish before the stream made its changes, however fast it runs
            RowLock held = RowLock.hold(db, database, HELD);
            try {
                service.start();
                writing.start();
                Http http = new Http(((StandardEndpoints) service.endpoints()).address());

                JsonNode running = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the backfill running on /status",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("NOT_STARTED"));
                assertEquals("RUNNING", running.at("/state").asText(), running.toString());
                long changesAtStart = writer.changes();
                held.awaitLockingReadWaiting();
                writer.awaitChanges(51);
                held.release();

                JsonNode done = Await.every(Duration.ofMillis(200)).valueOf(WAIT, "the backfill done on /status",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("RUNNING"));
                long changesAtEnd = writer.changes();
                assertEquals("DONE", done.at("/state").asText(), done.toString());
                assertTrue(done.at("/error").isNull(), done.toString());
                assertTrue(changesAtEnd - changesAtStart > 50, "the stream changed rows during the backfill: "
                        + (changesAtEnd - changesAtStart));
                JsonNode table = done.at("/tables/" + database + ".items");
                assertTrue(table.at("/finished").asBoolean(), done.toString());
                long rowsDone = table.at("/rowsDone").asLong();
                assertTrue(rowsDone >= ROWS / 2, "rows read: " + done);
                assertTrue(table.at("/chunks").asLong() >= rowsDone / 100, done.toString());

                String metrics = http.get("/metrics").body();
                String[] tags = {"pipeline", "items", "table", database + ".items"};
                assertEquals((double) rowsDone, Http.sample(metrics, "binlogsync_backfill_rows_total", tags), metrics);
                assertEquals((double) table.at("/chunks").asLong(), Http.sample(metrics, "binlogsync_backfill_chunks_total", tags));
                assertEquals((double) table.at("/created").asLong(), Http.sample(metrics, "binlogsync_backfill_creates_total",
                        "pipeline", "items", "table", database + ".items", "outcome", "created"), metrics);
                assertEquals((double) table.at("/existed").asLong(), Http.sample(metrics, "binlogsync_backfill_creates_total",
                        "pipeline", "items", "table", database + ".items", "outcome", "existed"), metrics);
                assertEquals((double) table.at("/removed").asLong(),
                        Http.sample(metrics, "binlogsync_backfill_copies_removed_total", tags), metrics);
                assertEquals(1.0, Http.sample(metrics, "binlogsync_backfill_finished", tags), metrics);
                assertEquals(0.0, Http.sample(metrics, "binlogsync_backfill_failures_total", tags), metrics);
                assertEquals(200, http.get("/health").statusCode());
                assertEquals("DONE", http.json("/health").at("/pipelines/items/backfill/state").asText());

                // the stream keeps changing rows after the backfill, then stops; Elasticsearch ends equal to MariaDB
                writer.awaitChanges(100);
                writer.stopAndCheck(writing);
                Map<String, Map<String, Object>> expected = rows(db, database);
                assertTrue(expected.size() > ROWS / 2, "rows to compare: " + expected.size());
                if (!Await.holdsWithin(WAIT, () -> documents(es, index).equals(expected))) {
                    throw new AssertionError("Elasticsearch differs from MariaDB: " + diff(expected, documents(es, index)));
                }
            } finally {
                held.close();
                if (writing.isAlive()) {
                    writer.stopAndCheck(writing);
                }
                service.close();
            }
        }
    }

    /**
     * A row lock held by an open transaction of the test's own: a locking read of the row (the
     * backfill's verification selects a chunk's rows {@code LOCK IN SHARE MODE}) waits until
     * {@link #release}. Only that row is locked (an equality on the primary key), so writes to other
     * rows go on.
     */
    static final class RowLock implements AutoCloseable {
        private final EmbeddedMariaDb db;
        private final Connection connection;
        private boolean released;

        private RowLock(EmbeddedMariaDb db, Connection connection) {
            this.db = db;
            this.connection = connection;
        }

        /** Locks the existing row {@code id} of {@code database.items}, exclusively, until {@link #release}. */
        static RowLock hold(EmbeddedMariaDb db, String database, long id) throws SQLException {
            Connection c = db.connect(database);
            try {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM items WHERE id = ? FOR UPDATE")) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("no row " + id + " to hold in " + database + ".items");
                        }
                    }
                }
                return new RowLock(db, c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        /** Waits until a locking read ({@code LOCK IN SHARE MODE}) waits for a lock: the backfill reached the row. */
        void awaitLockingReadWaiting() throws SQLException {
            Await.every(Duration.ofMillis(100)).untilHolds(WAIT, "the backfill's locking read waiting for the held row", () -> {
                try (Connection c = db.connect(); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                                + " WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE '%LOCK IN SHARE MODE%'")) {
                    return rs.next() && rs.getLong(1) > 0;
                }
            });
        }

        /** Ends the transaction: a read waiting for the row goes on. */
        void release() throws SQLException {
            if (!released) {
                released = true;
                connection.commit();
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                release();
            } finally {
                connection.close();
            }
        }
    }

    /** The first differences, by id: MariaDB's row and Elasticsearch's document. */
    static String diff(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        StringBuilder out = new StringBuilder(expected.size() + " rows, " + actual.size() + " documents");
        java.util.Set<String> ids = new java.util.TreeSet<>(expected.keySet());
        ids.addAll(actual.keySet());
        int shown = 0;
        for (String id : ids) {
            if (!java.util.Objects.equals(expected.get(id), actual.get(id)) && shown++ < 10) {
                out.append("\n  ").append(id).append(": MariaDB ").append(expected.get(id)).append(", Elasticsearch ")
                        .append(actual.get(id));
            }
        }
        return out.toString();
    }

    static void prefill(EmbeddedMariaDb db, String database) throws SQLException {
        try (Connection c = db.connect(database)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?,?,?,?,?)")) {
                for (int id = 1; id <= ROWS; id++) {
                    ps.setLong(1, id);
                    ps.setString(2, "row " + id);
                    ps.setInt(3, id % 100);
                    ps.setBigDecimal(4, BigDecimal.valueOf(id * 7L % 100_000, 2));
                    ps.setString(5, dateTime(id * 7_919L));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** A DATETIME(3) as Canal sends it ({@code 2024-01-01 00:00:00.000} plus {@code millis}). */
    private static String dateTime(long millis) {
        return java.time.LocalDateTime.of(2024, 1, 1, 0, 0).plusNanos(millis * 1_000_000L)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"));
    }

    /**
     * MariaDB's rows, read with this test's SQL: id to the document the rule should make of it, with
     * the Canal decoder's default date-time style (ISO local, the fraction digits of DATETIME(3)).
     */
    static Map<String, Map<String, Object>> rows(EmbeddedMariaDb db, String database) throws SQLException {
        Map<String, Map<String, Object>> out = new HashMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, qty, price,"
                        + " LEFT(DATE_FORMAT(updated, '%Y-%m-%dT%H:%i:%s.%f'), 23) AS updated FROM items")) {
            while (rs.next()) {
                Map<String, Object> doc = new HashMap<>();
                doc.put("id", rs.getLong("id"));
                doc.put("name", rs.getString("name"));
                doc.put("qty", (long) rs.getInt("qty"));
                doc.put("price", rs.getBigDecimal("price")); // with its scale: 70.00 is stored as 70.00
                doc.put("updated", rs.getString("updated"));
                out.put(Long.toString(rs.getLong("id")), doc);
            }
        }
        return out;
    }

    /** Every document of {@code index}: integers as longs, {@code price} as the BigDecimal of its JSON text (its scale kept). */
    static Map<String, Map<String, Object>> documents(RestClient client, String index) {
        try {
            client.performRequest(new Request("POST", "/" + index + "/_refresh"));
            Request search = new Request("GET", "/" + index + "/_search");
            search.addParameter("size", "10000");
            Response r = client.performRequest(search);
            JsonNode hits = JSON.readTree(r.getEntity().getContent()).at("/hits/hits");
            Map<String, Map<String, Object>> out = new HashMap<>();
            for (JsonNode hit : hits) {
                Map<String, Object> doc = new HashMap<>();
                hit.get("_source").fields().forEachRemaining(f -> {
                    JsonNode v = f.getValue();
                    // JSON keeps the number's text (70.00); so does the BigDecimal node (JSON does not strip zeros)
                    doc.put(f.getKey(), f.getKey().equals("price") && v.isNumber() ? v.decimalValue()
                            : v.isIntegralNumber() ? (Object) v.asLong() : v.isNull() ? null : v.asText());
                });
                out.put(hit.get("_id").asText(), doc);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Changes random rows in MariaDB (updates, deletes, inserts of absent ids, some beyond the
     * prefilled range; never {@link #HELD} and the 100 rows before it) and, after each commit, sends the change as a Canal flat message with the
     * full row to the partition of its id: what a binlog relay would send, in commit order per row.
     */
    static final class Writer implements Runnable {
        private final EmbeddedMariaDb db;
        private final String database;
        private final String topic;
        private final Random random = new Random(20);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong changes = new AtomicLong();
        /** The writer's own view of the rows it may change: id to {name, qty, price}; absent = deleted. */
        private final Map<Long, String[]> rows = new HashMap<>();
        @Nullable private volatile Throwable failure;

        Writer(EmbeddedMariaDb db, String database, String topic) {
            this.db = db;
            this.database = database;
            this.topic = topic;
            for (long id = 1; id <= ROWS; id++) {
                rows.put(id, new String[] {"row " + id, Long.toString(id % 100), BigDecimal.valueOf(id * 7L % 100_000, 2).toPlainString(),
                        dateTime(id * 7_919L)});
            }
        }

        @Override
        public void run() {
            try (Connection c = db.connect(database)) {
                while (!stop.get()) {
                    changeOne(c);
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // pacing, not synchronisation
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void changeOne(Connection c) throws SQLException {
            long id;
            do {
                id = 1 + random.nextInt(ROWS + 200);
            } while (id >= HELD - 100 && id <= HELD);
            long n = changes.incrementAndGet();
            String[] before = rows.get(id);
            String[] after = {"v" + n, Integer.toString(random.nextInt(1000)),
                    BigDecimal.valueOf(random.nextInt(1_000_000), 2).toPlainString(), dateTime(random.nextInt(1_000_000_000))};
            String type;
            if (before == null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?,?,?,?,?)")) {
                    set(ps, id, after);
                    ps.executeUpdate();
                }
                type = "INSERT";
            } else if (random.nextInt(10) < 7) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE items SET name = ?, qty = ?, price = ?, updated = ? WHERE id = ?")) {
                    ps.setString(1, after[0]);
                    ps.setInt(2, Integer.parseInt(after[1]));
                    ps.setBigDecimal(3, new BigDecimal(after[2]));
                    ps.setString(4, after[3]);
                    ps.setLong(5, id);
                    ps.executeUpdate();
                }
                type = "UPDATE";
            } else {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
                type = "DELETE";
                after = null;
            }
            // autocommit: the change is committed; now the relay's message, after the commit as a relay sees it
            byte[] message = canal(type, id, after != null ? after : before, "UPDATE".equals(type) ? before : null, n);
            KAFKA.send(topic, (int) (id % 2), Long.toString(id).getBytes(StandardCharsets.UTF_8), message, null);
            if (after == null) {
                rows.remove(id);
            } else {
                rows.put(id, after);
            }
        }

        private static void set(PreparedStatement ps, long id, String[] v) throws SQLException {
            ps.setLong(1, id);
            ps.setString(2, v[0]);
            ps.setInt(3, Integer.parseInt(v[1]));
            ps.setBigDecimal(4, new BigDecimal(v[2]));
            ps.setString(5, v[3]);
        }

        private byte[] canal(String type, long id, String[] row, @Nullable String[] old, long seq) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", java.util.List.of(values(id, row)));
            m.put("database", database);
            m.put("es", System.currentTimeMillis());
            m.put("id", seq);
            m.put("isDdl", false);
            m.put("mysqlType", Map.of("id", "bigint(20)", "name", "varchar(64)", "qty", "int(11)", "price", "decimal(10,2)",
                    "updated", "datetime(3)"));
            if (old != null) {
                Map<String, String> o = new LinkedHashMap<>(values(id, old));
                o.remove("id");
                m.put("old", java.util.List.of(o));
            } else {
                m.put("old", null);
            }
            m.put("pkNames", java.util.List.of("id"));
            m.put("sql", "");
            m.put("sqlType", Map.of("id", -5, "name", 12, "qty", 4, "price", 3, "updated", 93));
            m.put("table", "items");
            m.put("ts", System.currentTimeMillis());
            m.put("type", type);
            try {
                return JSON.writeValueAsBytes(m);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Map<String, String> values(long id, String[] row) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("id", Long.toString(id));
            v.put("name", row[0]);
            v.put("qty", row[1]);
            v.put("price", row[2]);
            v.put("updated", row[3]);
            return v;
        }

        long changes() {
            return changes.get();
        }

        void awaitChanges(long more) {
            long target = changes() + more;
            Await.until(WAIT, "the writer made " + more + " more changes", () -> changes() >= target || failure != null);
        }

        void stopAndCheck(Thread thread) throws InterruptedException {
            stop.set(true);
            thread.join();
            if (failure != null) {
                throw new AssertionError("the writer failed", failure);
            }
        }
    }
}
