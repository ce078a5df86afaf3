package dev.binlogsync.examples.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.testing.BinlogPosition;
import dev.binlogsync.testing.EmbeddedMariaDb;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay against a real MariaDB binlog, with a recording sink in place of Kafka. */
class BinlogCanalRelayIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static EmbeddedMariaDb db;
    private static int schemaCounter;

    @BeforeAll
    static void startDb() {
        db = EmbeddedMariaDb.start();
    }

    @AfterAll
    static void stopDb() {
        db.close();
    }

    /** A fresh database per test so tests do not see each other's rows. */
    private static String newSchema() {
        String schema = "relay" + (++schemaCounter);
        db.execute("CREATE DATABASE " + schema);
        return schema;
    }

    private static BinlogCanalRelay relay(String schema, CanalMessageSink sink, BinlogPositionStore store) {
        return BinlogCanalRelay.builder().mariaDb(db).sink(sink).positionStore(store).databases(Set.of(schema))
                .checkpointInterval(Duration.ofMillis(50)).build().start();
    }

    @Test
    void insertBecomesCanalFlatMessageWithStringValuesAndTypes() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".typed ("
                + "id INT NOT NULL PRIMARY KEY, name VARCHAR(32), price DECIMAL(10,2), qty INT UNSIGNED,"
                + " big BIGINT UNSIGNED, flag TINYINT(1), small TINYINT UNSIGNED, created DATETIME(3), day DATE,"
                + " tm TIME, yr YEAR, ratio FLOAT, score DOUBLE, note TEXT, code CHAR(3), raw VARBINARY(4),"
                + " bits BIT(3), zero DATETIME, missing VARCHAR(5))");
        db.execute("SET SESSION sql_mode = ''",
                "INSERT INTO " + s + ".typed VALUES (1, 'Zoë', 12.50, 4294967295, 18446744073709551615, 1, 255,"
                        + " '2024-03-04 05:06:07.089', '2024-03-04', '12:34:56', 2024, 1.5, 2.25, 'long text', 'abc',"
                        + " X'00FF', b'101', '0000-00-00 00:00:00', NULL)");
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        List<JsonNode> messages = sink.messages("typed");
        assertEquals(1, messages.size(), messages.toString());
        JsonNode m = messages.get(0);
        assertEquals(s, m.get("database").asText());
        assertEquals("INSERT", m.get("type").asText());
        assertFalse(m.get("isDdl").asBoolean());
        assertEquals("", m.get("sql").asText());
        assertTrue(m.get("old").isNull());
        assertEquals("[\"id\"]", m.get("pkNames").toString());
        assertTrue(m.get("es").asLong() > 0 && m.get("es").asLong() % 1000 == 0, "es is the binlog second: " + m.get("es"));
        assertTrue(m.get("ts").asLong() >= m.get("es").asLong());
        JsonNode row = m.get("data").get(0);
        Map<String, String> expected = new HashMap<>();
        expected.put("id", "1");
        expected.put("name", "Zoë");
        expected.put("price", "12.50");
        expected.put("qty", "4294967295");
        expected.put("big", "18446744073709551615");
        expected.put("flag", "1");
        expected.put("small", "255");
        expected.put("created", "2024-03-04 05:06:07.089");
        expected.put("day", "2024-03-04");
        expected.put("tm", "12:34:56");
        expected.put("yr", "2024");
        expected.put("ratio", "1.5");
        expected.put("score", "2.25");
        expected.put("note", "long text");
        expected.put("code", "abc");
        expected.put("raw", "\u0000\u00ff");
        expected.put("bits", "5");
        expected.put("zero", "0000-00-00 00:00:00");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertTrue(row.get(e.getKey()).isTextual(), e.getKey() + " is a JSON string: " + row.get(e.getKey()));
            assertEquals(e.getValue(), row.get(e.getKey()).asText(), e.getKey());
        }
        assertTrue(row.get("missing").isNull());
        JsonNode mysqlType = m.get("mysqlType");
        assertEquals("int(11)", mysqlType.get("id").asText());
        assertEquals("decimal(10,2)", mysqlType.get("price").asText());
        assertEquals("bigint(20) unsigned", mysqlType.get("big").asText());
        assertEquals("tinyint(1)", mysqlType.get("flag").asText());
        assertEquals("datetime(3)", mysqlType.get("created").asText());
        JsonNode sqlType = m.get("sqlType");
        assertEquals(java.sql.Types.INTEGER, sqlType.get("id").asInt());
        assertEquals(java.sql.Types.VARCHAR, sqlType.get("name").asInt());
        assertEquals(java.sql.Types.DECIMAL, sqlType.get("price").asInt());
        assertEquals(java.sql.Types.BIGINT, sqlType.get("qty").asInt(), "an unsigned int beyond Integer moves up one type");
        assertEquals(java.sql.Types.DECIMAL, sqlType.get("big").asInt(), "an unsigned bigint beyond Long moves up to DECIMAL");
        assertEquals(java.sql.Types.TINYINT, sqlType.get("flag").asInt());
        assertEquals(java.sql.Types.TIMESTAMP, sqlType.get("created").asInt());
        assertEquals(java.sql.Types.DATE, sqlType.get("day").asInt());
        assertEquals(java.sql.Types.TIME, sqlType.get("tm").asInt());
        assertEquals(java.sql.Types.VARCHAR, sqlType.get("yr").asInt());
        assertEquals(java.sql.Types.REAL, sqlType.get("ratio").asInt());
        assertEquals(java.sql.Types.DOUBLE, sqlType.get("score").asInt());
        assertEquals(java.sql.Types.CLOB, sqlType.get("note").asInt());
        assertEquals(java.sql.Types.CHAR, sqlType.get("code").asInt());
        assertEquals(java.sql.Types.BLOB, sqlType.get("raw").asInt());
        assertEquals(java.sql.Types.BIT, sqlType.get("bits").asInt());
        List<String> fieldOrder = new ArrayList<>();
        m.fieldNames().forEachRemaining(fieldOrder::add);
        assertEquals(List.of("data", "database", "es", "gtid", "id", "isDdl", "mysqlType", "old", "pkNames", "sql",
                "sqlType", "table", "ts", "type"), fieldOrder, "Canal's field order");
    }

    @Test
    void timestampIsRenderedInTheJvmZoneLikeCanal() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".stamped (id INT PRIMARY KEY, at TIMESTAMP(2) NULL)");
        try (java.sql.Connection c = db.connect(s); java.sql.Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            st.execute("INSERT INTO stamped VALUES (1, '2024-01-02 03:04:05.67')");
        }
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        java.time.LocalDateTime local = java.time.LocalDateTime.ofInstant(
                java.time.Instant.parse("2024-01-02T03:04:05.67Z"), TimeZone.getDefault().toZoneId());
        String expected = local.format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SS"));
        assertEquals(expected, sink.messages("stamped").get(0).get("data").get(0).get("at").asText());
    }

    @Test
    void updateCarriesOnlyTheChangedColumnsPreviousValuesInOld() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".orders (id BIGINT PRIMARY KEY, status VARCHAR(16), amount DECIMAL(8,2), note VARCHAR(8))",
                "INSERT INTO " + s + ".orders VALUES (1, 'NEW', 10.00, NULL), (2, 'NEW', 20.00, 'x')",
                "UPDATE " + s + ".orders SET status = 'PAID', note = 'n' WHERE id IN (1, 2)");
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        List<JsonNode> messages = sink.messages("orders");
        assertEquals(2, messages.size());
        JsonNode update = messages.get(1);
        assertEquals("UPDATE", update.get("type").asText());
        assertEquals(2, update.get("data").size(), "one message carries both rows of the statement");
        assertEquals("PAID", update.get("data").get(0).get("status").asText());
        assertEquals("10.00", update.get("data").get(0).get("amount").asText());
        assertEquals(2, update.get("old").size());
        assertEquals("{\"status\":\"NEW\",\"note\":null}", update.get("old").get(0).toString());
        assertEquals("{\"status\":\"NEW\",\"note\":\"x\"}", update.get("old").get(1).toString());
    }

    @Test
    void deleteCarriesTheBeforeImage() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".items (id INT PRIMARY KEY, sku VARCHAR(8))",
                "INSERT INTO " + s + ".items VALUES (7, 'A-7')",
                "DELETE FROM " + s + ".items WHERE id = 7");
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        JsonNode delete = sink.messages("items").get(1);
        assertEquals("DELETE", delete.get("type").asText());
        assertEquals("{\"id\":\"7\",\"sku\":\"A-7\"}", delete.get("data").get(0).toString());
        assertTrue(delete.get("old").isNull());
    }

    @Test
    void multiRowStatementIsSplitPerPartitionByPrimaryKeyHash() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".lines (order_id INT, line INT, qty INT, PRIMARY KEY (order_id, line))");
        StringBuilder insert = new StringBuilder("INSERT INTO " + s + ".lines VALUES ");
        for (int i = 0; i < 40; i++) {
            insert.append(i == 0 ? "" : ",").append("(").append(i / 4).append(",").append(i % 4).append(",1)");
        }
        db.execute(insert.toString(), "UPDATE " + s + ".lines SET qty = 2");
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(4);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        Map<String, Integer> partitionOfRow = new HashMap<>();
        Set<Long> insertIds = new HashSet<>();
        int insertedRows = 0;
        Set<Integer> partitionsUsed = new HashSet<>();
        for (RecordingCanalMessageSink.Sent sent : sink.sent()) {
            JsonNode m = sent.json();
            if (!"lines".equals(m.path("table").asText()) || m.get("isDdl").asBoolean()) {
                continue;
            }
            assertEquals("[\"order_id\",\"line\"]", m.get("pkNames").toString());
            partitionsUsed.add(sent.partition());
            for (JsonNode row : m.get("data")) {
                String key = row.get("order_id").asText() + ":" + row.get("line").asText();
                Integer before = partitionOfRow.put(key, sent.partition());
                assertTrue(before == null || before == sent.partition(), "row " + key + " changed partition");
                if (m.get("type").asText().equals("INSERT")) {
                    insertedRows++;
                    insertIds.add(m.get("id").asLong());
                }
            }
        }
        assertEquals(40, insertedRows);
        assertEquals(1, insertIds.size(), "the parts of one statement share Canal's batch id");
        assertTrue(partitionsUsed.size() > 1, "rows spread over partitions: " + partitionsUsed);
    }

    @Test
    void ddlBecomesAnIsDdlMessage() throws Exception {
        String s = newSchema();
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(2);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            db.execute("CREATE TABLE " + s + ".t (id INT PRIMARY KEY)", "ALTER TABLE " + s + ".t ADD COLUMN c INT");
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        List<JsonNode> ddl = sink.ddl("t");
        assertEquals(2, ddl.size(), ddl.toString());
        assertTrue(ddl.get(0).get("isDdl").asBoolean());
        assertEquals("CREATE", ddl.get(0).get("type").asText());
        assertEquals("ALTER", ddl.get(1).get("type").asText());
        assertTrue(ddl.get(1).get("sql").asText().contains("ADD COLUMN"));
        assertTrue(ddl.get(1).get("data").isNull());
    }

    @Test
    void restartedRelayResumesAfterTheSavedPositionWithNothingLost(@TempDir Path dir) throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".events (id INT PRIMARY KEY)");
        BinlogPositionStore store = BinlogPositionStore.file(dir.resolve("relay.pos"));
        RecordingCanalMessageSink first = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, first, store)) {
            for (int i = 1; i <= 5; i++) {
                db.execute("INSERT INTO " + s + ".events VALUES (" + i + ")");
            }
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        assertTrue(first.isClosed(), "the relay closes its sink");
        BinlogPosition saved = store.load().orElseThrow();
        assertEquals(db.currentBinlogPosition(), saved);
        for (int i = 6; i <= 10; i++) {
            db.execute("INSERT INTO " + s + ".events VALUES (" + i + ")");
        }
        RecordingCanalMessageSink second = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, second, store)) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
            assertEquals(5, relay.rowsRelayed());
        }
        List<Integer> ids = new ArrayList<>();
        for (JsonNode m : second.messages("events")) {
            ids.add(m.get("data").get(0).get("id").asInt());
        }
        assertEquals(List.of(6, 7, 8, 9, 10), ids);
    }

    @Test
    void sinkFailureStopsTheRelayWithoutSavingThePositionAndAwaitReportsIt() throws Exception {
        String s = newSchema();
        db.execute("CREATE TABLE " + s + ".t (id INT PRIMARY KEY)", "INSERT INTO " + s + ".t VALUES (1)");
        BinlogPositionStore store = BinlogPositionStore.inMemory();
        RecordingCanalMessageSink failing = new RecordingCanalMessageSink(1) {
            @Override
            public synchronized void flush() {
                throw new IllegalStateException("broker gone");
            }
        };
        try (BinlogCanalRelay relay = relay(s, failing, store)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT));
            assertTrue(e.getMessage().contains("broker gone"), e.getMessage());
            assertTrue(relay.failure().isPresent());
        }
        assertTrue(store.load().isEmpty(), "nothing was acknowledged, so no position was saved");
    }

    @Test
    void otherDatabasesAreNotRelayed() throws Exception {
        String s = newSchema();
        String other = newSchema();
        db.execute("CREATE TABLE " + other + ".t (id INT PRIMARY KEY)", "INSERT INTO " + other + ".t VALUES (1)");
        RecordingCanalMessageSink sink = new RecordingCanalMessageSink(1);
        try (BinlogCanalRelay relay = relay(s, sink, BinlogPositionStore.inMemory())) {
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
            assertEquals(0, relay.rowsRelayed());
        }
        assertTrue(sink.messages("t").isEmpty());
    }

    @Test
    void builderRejectsBadValues() {
        assertEquals("port must be in 1..65535: 0",
                assertThrows(IllegalArgumentException.class, () -> BinlogCanalRelay.builder().port(0)).getMessage());
        assertEquals("checkpointInterval must be > 0: PT0S",
                assertThrows(IllegalArgumentException.class, () -> BinlogCanalRelay.builder().checkpointInterval(Duration.ZERO)).getMessage());
        assertEquals("replicaServerId must be in 1..4294967295: 0",
                assertThrows(IllegalArgumentException.class, () -> BinlogCanalRelay.builder().replicaServerId(0)).getMessage());
        assertEquals("a sink is required",
                assertThrows(IllegalStateException.class, () -> BinlogCanalRelay.builder().build()).getMessage());
        assertFalse(BinlogCanalRelay.builder().password("s3cret").toString().contains("s3cret"));
    }

    @Test
    void binlogPositionParsesAndOrders() {
        BinlogPosition a = BinlogPosition.parse("mysql-bin.000001:1234");
        assertEquals(new BinlogPosition("mysql-bin.000001", 1234), a);
        assertTrue(a.compareTo(new BinlogPosition("mysql-bin.000002", 4)) < 0);
        assertThrows(IllegalArgumentException.class, () -> BinlogPosition.parse("nonsense"));
        assertThrows(IllegalArgumentException.class, () -> new BinlogPosition("f", 3));
    }
}
