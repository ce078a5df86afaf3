package dev.binlogsync.examples.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillException;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.decode.DateTimeStyle;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import dev.binlogsync.kafka.decode.MessageDecoder;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import javax.annotation.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The backfill's documents against the stream's, per row, on a real MariaDB: a table holding every
 * column type with edge values is written while the relay turns its binlog into Canal, Debezium
 * (with schemas) and Maxwell records, which each decoder and the rules turn into the stream's
 * documents; a backfill of the same table with the same decoder's {@code backfillValues()} must
 * produce, row by row, the same documents, value for value and type for type.
 */
class BackfillValuesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String DB = "bf_values";
    private static final int ROWS = 5;
    private static EmbeddedMariaDb db;
    private static final Map<RelayFormat, List<Relayed>> relayed = new TreeMap<>();

    /** One record as the relay handed it over: keyed (Debezium, Maxwell) or not (Canal). */
    record Relayed(@Nullable byte[] key, @Nullable byte[] value) {
    }

    /** Keeps what the relay sends, in order. */
    static final class Recorder implements CanalMessageSink {
        final List<Relayed> records = new ArrayList<>();

        @Override
        public int partitionCount() {
            return 1;
        }

        @Override
        public synchronized void send(int partition, byte[] message) {
            records.add(new Relayed(null, message));
        }

        @Override
        public synchronized void send(int partition, byte[] key, @Nullable byte[] value) {
            records.add(new Relayed(key, value));
        }

        @Override
        public void flush() {
        }

        synchronized List<Relayed> records() {
            return new ArrayList<>(records);
        }
    }

    @BeforeAll
    static void writeTheRowsWhileRelaying() throws Exception {
        db = EmbeddedMariaDb.start();
        db.execute("CREATE DATABASE " + DB, "CREATE TABLE " + DB + ".t (id INT NOT NULL PRIMARY KEY,"
                + " ti TINYINT, tiu TINYINT UNSIGNED, b1 TINYINT(1), bo BOOLEAN, si SMALLINT, mi MEDIUMINT UNSIGNED,"
                + " i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, de DECIMAL(12,4), de0 DECIMAL(10,0),"
                + " f FLOAT, d DOUBLE, bit1 BIT(1), bit12 BIT(12), y YEAR, dt DATE, dtm DATETIME, dtm3 DATETIME(3),"
                + " dtm6 DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, ts3 TIMESTAMP(3) NULL DEFAULT NULL, tm TIME,"
                + " tm2 TIME(2), js JSON, e ENUM('small','large'), st SET('a','b','c'), c CHAR(4), vc VARCHAR(32),"
                + " tx TEXT, vb VARBINARY(16), bl BLOB) DEFAULT CHARSET=utf8mb4",
                // values the relay's binlog library decodes wrongly (see negativeTimesAndOldDates...)
                "CREATE TABLE " + DB + ".edge (id INT NOT NULL PRIMARY KEY, tm TIME, tm2 TIME(2), dt DATE, dtm3 DATETIME(3))",
                "INSERT INTO " + DB + ".edge VALUES (1, '-838:59:59', '-00:00:00.01', '1000-01-01', '1000-01-01 00:00:00.001'),"
                        + " (2, '-12:00:00', '-12:00:00.99', '0001-01-01', '1582-10-04 23:59:59.999')");
        for (RelayFormat format : List.of(RelayFormat.CANAL_FLAT, RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS, RelayFormat.MAXWELL)) {
            relayed.put(format, new ArrayList<>());
        }
        List<BinlogCanalRelay> relays = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        try {
            for (RelayFormat format : relayed.keySet()) {
                BinlogPositionStore store = BinlogPositionStore.inMemory();
                store.save(db.currentBinlogPosition());
                Recorder recorder = new Recorder();
                recorders.add(recorder);
                relays.add(BinlogCanalRelay.builder().mariaDb(db).sink(recorder).positionStore(store).databases(Set.of(DB))
                        .format(format).replicaServerId(1000 + relays.size()).checkpointInterval(Duration.ofMillis(50)).build()
                        .start());
            }
            String t = DB + ".t";
            db.execute("SET SESSION sql_mode = ''", "SET SESSION time_zone = '+00:00'",
                    // every column NULL
                    "INSERT INTO " + t + " (id) VALUES (1)",
                    // extremes, fractions, negative TIME, utf8mb4, JSON objects
                    "INSERT INTO " + t + " VALUES (2, -128, 255, 5, 1, -32768, 16777215, -2147483648, 4294967295,"
                            + " -9223372036854775808, 18446744073709551615, 12345678.1234, 5, 3.1415927, 0.1e0 + 0.2e0,"
                            + " b'1', b'111111111111', 2024, '2024-02-29', '2024-03-01 12:30:45', '2024-03-01 12:30:45.120',"
                            + " '2024-03-01 12:30:45.123456', '2024-03-01 12:30:45', '2024-03-01 12:30:45.500', '123:45:06',"
                            + " '12:30:45.50', '{\"a\": [1, 2.5, \"x\"], \"b\": {\"c\": null, \"d\": true}}', 'large', 'a,c',"
                            + " 'ab', 'h\u00e9llo \uD83D\uDE00', 'caf\u00e9 \u4e2d\u6587 \uD83D\uDE80', 0x00FF10, 0xDEADBEEF00)",
                    // zeros: zero dates, the zero timestamp, zero fractions, empty strings and bytes
                    "INSERT INTO " + t + " VALUES (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0000, 0, 0, -1e300, b'0', b'0', 1901,"
                            + " '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '2024-03-01 00:00:00.000000',"
                            + " '0000-00-00 00:00:00', '2024-03-01 12:30:45.000', '00:00:00', '00:00:00.01', '[]', 'small', '',"
                            + " '', '', '', '', '')",
                    // the other ends of the ranges, a partly zero date, JSON scalars
                    "INSERT INTO " + t + " VALUES (4, 127, 1, -1, 0, 32767, 0, 2147483647, 0, 9223372036854775807,"
                            + " 9223372036854775808, -99999999.9999, -9999999999, -1.5e-10, 1.7976931348623157e308, b'1',"
                            + " b'000000000001', 2155, '2024-00-15', '9999-12-31 23:59:59', '1900-01-01 00:00:00.001',"
                            + " '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '1970-01-01 00:00:01.000', '838:59:59',"
                            + " '12:00:00.99', '\"text\"', NULL, 'a,b,c', 'abcd', 'tab\\tquote\\'\"', '', 0x00, NULL)",
                    // a row changed after its insert: the stream's last document counts
                    "INSERT INTO " + t + " (id, vc, f, d) VALUES (5, 'first', 1.1, 2)",
                    "UPDATE " + t + " SET vc = 'second', f = 0.1, ts = '2024-03-01 12:30:45', js = '{\"n\": 1e2}' WHERE id = 5");
            for (BinlogCanalRelay relay : relays) {
                relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
            }
        } finally {
            for (BinlogCanalRelay relay : relays) {
                relay.close();
            }
        }
        int i = 0;
        for (RelayFormat format : relayed.keySet()) {
            relayed.get(format).addAll(recorders.get(i++).records());
        }
    }

    @AfterAll
    static void stopDb() {
        if (db != null) {
            db.close();
        }
    }

    private static Rules rules() {
        return rules("t");
    }

    private static Rules rules(String table) {
        return Rules.builder().rule(TableRule.builder().database(DB).table(table).index("values").build()).build();
    }

    /** The stream's last document per id: the relayed records through the decoder and the rules. */
    private static Map<String, Map<String, Object>> streamDocuments(RelayFormat format, MessageDecoder decoder) {
        Rules rules = rules();
        Map<String, Map<String, Object>> out = new TreeMap<>();
        long offset = 0;
        for (Relayed r : relayed.get(format)) {
            for (ChangeEvent e : decoder.decode(r.key(), r.value(), new SourcePosition("values-0", offset++))) {
                rules.apply(e, a -> {
                    assertEquals(ActionType.INDEX, a.type(), "the stream indexes whole rows: " + a.describe());
                    out.put(a.id(), a.document());
                });
            }
        }
        return out;
    }

    /** The backfill's document per id, read with {@code values}. */
    private static Map<String, Map<String, Object>> backfillDocuments(BackfillValues values) throws Exception {
        return backfillDocuments(values, rules());
    }

    private static Map<String, Map<String, Object>> backfillDocuments(BackfillValues values, Rules rules) throws Exception {
        MariaDbDataSource dataSource = new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user());
        RecordingBulkSink sink = new RecordingBulkSink();
        sink.start();
        DocumentReader nothingIndexed = refs -> {
            List<StoredDocument> missing = new ArrayList<>();
            refs.forEach(ref -> missing.add(StoredDocument.missing(ref)));
            return CompletableFuture.completedFuture(missing);
        };
        Backfill backfill = Backfill.builder().dataSource(dataSource).rules(rules).sink(sink).reader(nothingIndexed)
                .values(values).chunkSize(2).build();
        assertTrue(backfill.run(), "the backfill finished");
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (RecordingBulkSink.Request request : sink.requests()) {
            for (DocumentAction a : request.actions()) {
                if (a.type() == ActionType.CREATE) {
                    out.put(a.id(), a.document());
                }
            }
        }
        return out;
    }

    private static void assertSameDocuments(RelayFormat format, MessageDecoder decoder, BackfillValues values)
            throws Exception {
        Map<String, Map<String, Object>> stream = streamDocuments(format, decoder);
        Map<String, Map<String, Object>> backfill = backfillDocuments(values);
        assertEquals(ROWS, stream.size(), "the stream's documents");
        assertEquals(stream.keySet(), backfill.keySet(), "the documents' ids");
        List<String> differences = new ArrayList<>();
        for (String id : stream.keySet()) {
            compare("id " + id, stream.get(id), backfill.get(id), differences);
        }
        assertTrue(differences.isEmpty(), decoder + ": the backfill's documents differ from the stream's:\n"
                + String.join("\n", differences));
    }

    /** Value and type, recursively; each difference as a line. */
    private static void compare(String path, @Nullable Object stream, @Nullable Object backfill, List<String> out) {
        if (stream instanceof Map<?, ?> s && backfill instanceof Map<?, ?> b) {
            if (!s.keySet().equals(b.keySet())) {
                out.add(path + ": fields " + s.keySet() + " (stream) vs " + b.keySet() + " (backfill)");
                return;
            }
            for (Object k : s.keySet()) {
                compare(path + "." + k, s.get(k), b.get(k), out);
            }
        } else if (stream instanceof List<?> s && backfill instanceof List<?> b) {
            if (s.size() != b.size()) {
                out.add(path + ": " + s + " (stream) vs " + b + " (backfill)");
                return;
            }
            for (int i = 0; i < s.size(); i++) {
                compare(path + "[" + i + "]", s.get(i), b.get(i), out);
            }
        } else if (stream == null || backfill == null ? stream != backfill
                : !stream.getClass().equals(backfill.getClass()) || !stream.equals(backfill)) {
            out.add(path + ": " + shown(stream) + " (stream) vs " + shown(backfill) + " (backfill)");
        }
    }

    private static String shown(@Nullable Object v) {
        return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
    }

    @Test
    void canalBackfillDocumentsEqualTheStreamsWithTheDecodersDefaults() throws Exception {
        // Canal renders TIMESTAMP values in its server's zone: the relay's JVM zone
        CanalFlatMessageDecoder canal = CanalFlatMessageDecoder.builder().fullRowImage(true).zone(ZoneId.systemDefault()).build();
        assertSameDocuments(RelayFormat.CANAL_FLAT, canal, canal.backfillValues());
    }

    @Test
    void canalBackfillDocumentsEqualTheStreamsWithRawAndUtcStyles() throws Exception {
        for (DateTimeStyle style : List.of(DateTimeStyle.RAW, DateTimeStyle.ISO_UTC)) {
            CanalFlatMessageDecoder canal = CanalFlatMessageDecoder.builder().fullRowImage(true).dateTimeStyle(style)
                    .zone(ZoneId.systemDefault()).build();
            assertSameDocuments(RelayFormat.CANAL_FLAT, canal, canal.backfillValues());
        }
    }

    @Test
    void debeziumBackfillDocumentsEqualTheStreams() throws Exception {
        for (DebeziumDecoder debezium : List.of(DebeziumDecoder.create(),
                DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET).zone(ZoneId.of("Asia/Shanghai")).build())) {
            assertSameDocuments(RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS, debezium, debezium.backfillValues());
        }
    }

    @Test
    void maxwellBackfillDocumentsEqualTheStreams() throws Exception {
        MaxwellDecoder maxwell = MaxwellDecoder.builder().fullRowImage(true).build();
        assertSameDocuments(RelayFormat.MAXWELL, maxwell, maxwell.backfillValues());
    }

    /**
     * ENUM and SET: Canal sends an ENUM's index and a SET's bitmap, Debezium and Maxwell the
     * members; every decoder's document must hold MySQL's members (read here as text with the
     * test's own SQL), not the numbers: a SET as the list of its members, or, with Debezium, as
     * the text the connector writes (its documented value, as for JSON).
     */
    @Test
    void enumAndSetAreMySqlsMembersWithEveryDecoder() throws Exception {
        Map<String, List<Object>> mysql = new TreeMap<>();
        Map<String, List<Object>> mysqlText = new TreeMap<>();
        try (java.sql.Connection c = new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user()).getConnection();
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT id, e, st FROM " + DB + ".t")) {
            while (rs.next()) {
                String st = rs.getString("st");
                List<Object> members = st == null ? null : st.isEmpty() ? List.of() : List.of((Object[]) st.split(","));
                mysql.put(rs.getString("id"), java.util.Arrays.asList(rs.getString("e"), members));
                mysqlText.put(rs.getString("id"), java.util.Arrays.asList(rs.getString("e"), st));
            }
        }
        assertTrue(mysql.values().stream().anyMatch(v -> "large".equals(v.get(0))), "rows with members to check: " + mysql);
        Map<RelayFormat, MessageDecoder> decoders = Map.of(
                RelayFormat.CANAL_FLAT, CanalFlatMessageDecoder.builder().fullRowImage(true).zone(ZoneId.systemDefault()).build(),
                RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS, DebeziumDecoder.create(),
                RelayFormat.MAXWELL, MaxwellDecoder.builder().fullRowImage(true).build());
        for (Map.Entry<RelayFormat, MessageDecoder> d : decoders.entrySet()) {
            Map<String, List<Object>> stream = new TreeMap<>();
            streamDocuments(d.getKey(), d.getValue()).forEach((id, doc) -> stream.put(id, java.util.Arrays.asList(doc.get("e"), doc.get("st"))));
            assertEquals(d.getKey() == RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS ? mysqlText : mysql, stream,
                    d.getKey() + ": [e, st] per id");
        }
    }

    /**
     * Negative TIMEs and dates before the Gregorian calendar's start: the relay's binlog library
     * decodes them wrongly ({@code -838:59:59} as {@code 185:04:05}, {@code 1000-01-01} as
     * {@code 1000-01-06}), so the relayed stream is no oracle for them; the backfill's documents
     * are checked against MySQL's values, written out.
     */
    @Test
    void negativeTimesAndOldDatesAreMySqlsValuesWithEveryDecoder() throws Exception {
        Map<String, Object> canal1 = Map.of("id", 1, "tm", "-838:59:59", "tm2", "-00:00:00.01", "dt", "1000-01-01",
                "dtm3", "1000-01-01T00:00:00.001");
        Map<String, Object> canal2 = Map.of("id", 2, "tm", "-12:00:00", "tm2", "-12:00:00.99", "dt", "0001-01-01",
                "dtm3", "1582-10-04T23:59:59.999");
        Map<String, Object> maxwell1 = Map.of("id", 1, "tm", "-838:59:59", "tm2", "-00:00:00.01", "dt", "1000-01-01",
                "dtm3", "1000-01-01 00:00:00.001");
        Map<String, Object> maxwell2 = Map.of("id", 2, "tm", "-12:00:00", "tm2", "-12:00:00.99", "dt", "0001-01-01",
                "dtm3", "1582-10-04 23:59:59.999");
        Map<BackfillValues, Map<String, Map<String, Object>>> expected = Map.of(
                CanalFlatMessageDecoder.create().backfillValues(), Map.of("1", canal1, "2", canal2),
                DebeziumDecoder.create().backfillValues(), Map.of("1", canal1, "2", canal2),
                MaxwellDecoder.create().backfillValues(), Map.of("1", maxwell1, "2", maxwell2));
        for (Map.Entry<BackfillValues, Map<String, Map<String, Object>>> e : expected.entrySet()) {
            Map<String, Map<String, Object>> documents = backfillDocuments(e.getKey(), rules("edge"));
            assertEquals(e.getValue().keySet(), documents.keySet(), e.getKey() + ": the documents' ids");
            List<String> differences = new ArrayList<>();
            for (String id : documents.keySet()) {
                compare("id " + id, e.getValue().get(id), documents.get(id), differences);
            }
            assertTrue(differences.isEmpty(), e.getKey() + ": " + String.join("\n", differences));
        }
    }

    @Test
    void aValueTheDecoderWouldRefuseStopsTheBackfillNamingTheColumnAndTheKey() {
        // row 2 holds 5 in the TINYINT(1) column b1: no boolean, as the stream's decoder refuses it too
        BackfillValues booleans = CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build().backfillValues();
        BackfillException e = assertThrows(BackfillException.class, () -> backfillDocuments(booleans));
        assertTrue(e.getMessage().contains("column b1") && e.getMessage().contains("key [2]"), e.getMessage());
    }

    @Test
    void theDriversOwnValuesDifferFromTheStreams() throws Exception {
        // what the default, BackfillValues.jdbc(), would write: not the stream's documents
        CanalFlatMessageDecoder canal = CanalFlatMessageDecoder.builder().fullRowImage(true).zone(ZoneId.systemDefault()).build();
        Map<String, Map<String, Object>> stream = streamDocuments(RelayFormat.CANAL_FLAT, canal);
        Map<String, Map<String, Object>> jdbc = backfillDocuments(BackfillValues.jdbc());
        List<String> differences = new ArrayList<>();
        compare("row 2", stream.get("2"), jdbc.get("2"), differences);
        assertTrue(differences.stream().anyMatch(d -> d.startsWith("row 2.dtm3:")), String.join("\n", differences));
    }
}
