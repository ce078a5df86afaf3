package dev.binlogsync.examples.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import dev.binlogsync.kafka.decode.MessageDecoder;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay's Debezium and Maxwell formats against a real MariaDB binlog, with a recording sink in
 * place of Kafka: what each record holds, how it is keyed and partitioned, and what the project's
 * decoders make of it.
 */
class KeyedRelayFormatsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final long CREATED_MS = LocalDateTime.parse("2024-03-04T05:06:07.089").toInstant(ZoneOffset.UTC).toEpochMilli();
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

    /** One keyed record as the relay handed it to the sink. */
    record Keyed(int partition, byte[] key, @Nullable byte[] value) {
        JsonNode keyJson() {
            return parse(key);
        }

        JsonNode valueJson() {
            return parse(value);
        }
    }

    /** A sink fake that keeps keyed records. Thread-safe. */
    static final class KeyedSink implements CanalMessageSink {
        final List<Keyed> records = new ArrayList<>();

        @Override
        public int partitionCount() {
            return PARTITIONS;
        }

        @Override
        public void send(int partition, byte[] message) {
            throw new AssertionError("a keyed format sent an unkeyed message");
        }

        @Override
        public synchronized void send(int partition, byte[] key, @Nullable byte[] value) {
            records.add(new Keyed(partition, key, value));
        }

        @Override
        public void flush() {
        }

        synchronized List<Keyed> records() {
            return new ArrayList<>(records);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs insert, update, key change and delete on a fresh table and relays them in {@code format}. */
    private static List<Keyed> relayChanges(RelayFormat format) throws Exception {
        String s = "formats" + (++schemaCounter);
        db.execute("CREATE DATABASE " + s,
                "CREATE TABLE " + s + ".item (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(16) NULL,"
                        + " price DECIMAL(10,2) NOT NULL, flag TINYINT(1) NOT NULL, created DATETIME(3) NOT NULL)");
        BinlogPositionStore store = BinlogPositionStore.inMemory();
        store.save(db.currentBinlogPosition());
        KeyedSink sink = new KeyedSink();
        try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).sink(sink).positionStore(store)
                .databases(Set.of(s)).format(format).checkpointInterval(Duration.ofMillis(50)).build().start()) {
            db.execute("INSERT INTO " + s + ".item VALUES (1, 'a', 12.50, 2, '2024-03-04 05:06:07.089'),"
                            + " (7, NULL, 0.10, 0, '2024-03-04 05:06:07.089')",
                    "UPDATE " + s + ".item SET price = 13.00 WHERE id = 1",
                    "UPDATE " + s + ".item SET id = 2 WHERE id = 1",
                    "DELETE FROM " + s + ".item WHERE id = 2");
            relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
        }
        return sink.records();
    }

    private static List<ChangeEvent> decode(MessageDecoder decoder, List<Keyed> records) {
        List<ChangeEvent> events = new ArrayList<>();
        long offset = 0;
        for (Keyed r : records) {
            events.addAll(decoder.decode(r.key(), r.value(), new SourcePosition("t-" + r.partition(), offset++)));
        }
        return events;
    }

    private static void assertPartitionedByKeyHash(List<Keyed> records) {
        for (Keyed r : records) {
            assertEquals(Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS, r.partition(),
                    "Kafka's default partition for key " + new String(r.key(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void partitionByPutsEachChildRecordInItsParentsPartitionInEveryKeyedFormat() throws Exception {
        for (RelayFormat format : List.of(RelayFormat.DEBEZIUM_JSON, RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS, RelayFormat.MAXWELL)) {
            String s = "formats" + (++schemaCounter);
            db.execute("CREATE DATABASE " + s, "CREATE TABLE " + s + ".parent (id BIGINT NOT NULL PRIMARY KEY)",
                    "CREATE TABLE " + s + ".child (parent_id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(8) NOT NULL)");
            BinlogPositionStore store = BinlogPositionStore.inMemory();
            store.save(db.currentBinlogPosition());
            KeyedSink sink = new KeyedSink();
            try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).sink(sink).positionStore(store)
                    .databases(Set.of(s)).format(format).partitionBy(s + ".parent", "id").partitionBy(s + ".child", "parent_id")
                    .checkpointInterval(Duration.ofMillis(50)).build().start()) {
                db.execute("INSERT INTO " + s + ".parent VALUES (1), (2), (3), (4), (5), (6), (7), (8)",
                        "INSERT INTO " + s + ".child VALUES (1, 'a'), (2, 'a'), (3, 'a'), (4, 'a'), (5, 'a'), (6, 'a'), (7, 'a'), (8, 'a')",
                        "UPDATE " + s + ".child SET note = 'b'", "DELETE FROM " + s + ".child WHERE parent_id > 4");
                relay.awaitShipped(db.currentBinlogPosition(), TIMEOUT);
            }
            List<Keyed> records = sink.records();
            assertEquals(format == RelayFormat.MAXWELL ? 28 : 32, records.size(), format + ": " + records.size());
            boolean differsFromKeyHash = false;
            for (Keyed r : records) {
                JsonNode key = r.keyJson().has("payload") ? r.keyJson().path("payload") : r.keyJson();
                long parent = key.has("id") ? key.path("id").asLong() : key.has("parent_id") ? key.path("parent_id").asLong()
                        : key.has("pk.id") ? key.path("pk.id").asLong() : key.path("pk.parent_id").asLong();
                assertTrue(parent >= 1 && parent <= 8, format + " key " + key);
                assertEquals(Utils.toPositive(Utils.murmur2(Long.toString(parent).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        % PARTITIONS, r.partition(), format + ": the partition of the parent id's value for key " + key);
                differsFromKeyHash |= r.partition() != Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS;
            }
            assertTrue(differsFromKeyHash, format + ": some record leaves its key's partition");
        }
    }

    @Test
    void partitionByIsRejectedForCanalFlatMessages() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> BinlogCanalRelay.builder().sink(new KeyedSink()).partitionBy("shop.order_shipping", "order_id").build());
        assertTrue(e.getMessage().startsWith("partitionBy is for keyed formats"), e.getMessage());
    }

    @Test
    void debeziumWithSchemasWritesTypedEnvelopesTombstonesAndAKeyChangeAsDeleteAndCreate() throws Exception {
        List<Keyed> records = relayChanges(RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS);
        List<String> ops = new ArrayList<>();
        for (Keyed r : records) {
            ops.add(r.value() == null ? "tombstone" : r.valueJson().path("payload").path("op").asText());
        }
        assertEquals(List.of("c", "c", "u", "d", "tombstone", "c", "d", "tombstone"), ops);
        assertPartitionedByKeyHash(records);

        JsonNode key = records.get(0).keyJson();
        assertEquals(1, key.path("payload").path("id").asInt());
        assertEquals("int64", key.path("schema").path("fields").get(0).path("type").asText());
        JsonNode first = records.get(0).valueJson();
        JsonNode after = first.path("payload").path("after");
        assertEquals("BOI=", after.path("price").asText(), "1250 as two's complement bytes, base64");
        assertEquals(2, after.path("flag").asInt());
        assertEquals(CREATED_MS, after.path("created").asLong());
        JsonNode source = first.path("payload").path("source");
        assertEquals("mysql", source.path("connector").asText());
        assertEquals("item", source.path("table").asText());
        assertTrue(source.path("pos").asLong() > 4 && source.path("file").asText().length() > 0, source.toString());
        assertEquals(1, records.get(1).valueJson().path("payload").path("source").path("row").asInt(), "second row of the event");
        Map<String, JsonNode> columns = new java.util.HashMap<>();
        for (JsonNode field : first.path("schema").path("fields").get(1).path("fields")) {
            columns.put(field.path("field").asText(), field);
        }
        assertEquals("org.apache.kafka.connect.data.Decimal", columns.get("price").path("name").asText());
        assertEquals("2", columns.get("price").path("parameters").path("scale").asText());
        assertEquals("io.debezium.time.Timestamp", columns.get("created").path("name").asText());
        assertEquals("3", columns.get("created").path("parameters").path("__debezium.source.column.length").asText(),
                "the declared fraction digits travel with the schema, as with column.propagate.source.type");
        assertEquals("int16", columns.get("flag").path("type").asText());
        assertTrue(columns.get("name").path("optional").asBoolean());
        assertFalse(columns.get("price").path("optional").asBoolean());

        List<ChangeEvent> events = decode(DebeziumDecoder.create(), records);
        assertEquals(List.of(Operation.INSERT, Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.INSERT,
                Operation.DELETE), events.stream().map(ChangeEvent::operation).toList());
        ChangeEvent insert = events.get(0);
        assertEquals(List.of("id"), insert.primaryKeys());
        assertEquals(new BigDecimal("12.50"), insert.row().get("price"));
        assertEquals("2024-03-04T05:06:07.089", insert.row().get("created"), "rendered as the Canal decoder renders it");
        assertEquals(new BigDecimal("0.10"), events.get(1).row().get("price"));
        assertNull(events.get(1).row().get("name"));
        assertEquals(Map.of("price", new BigDecimal("12.50")), events.get(2).oldValues());
        assertEquals(1L, ((Number) events.get(3).row().get("id")).longValue(), "the old key's delete");
        assertEquals(2L, ((Number) events.get(4).row().get("id")).longValue(), "the new key's create");
    }

    @Test
    void debeziumWithoutSchemasWritesPlainEnvelopesWithDecimalsAsStrings() throws Exception {
        List<Keyed> records = relayChanges(RelayFormat.DEBEZIUM_JSON);
        assertPartitionedByKeyHash(records);
        assertEquals("{\"id\":1}", records.get(0).keyJson().toString());
        JsonNode value = records.get(0).valueJson();
        assertFalse(value.has("schema"));
        assertEquals("12.50", value.path("after").path("price").textValue());
        assertTrue(value.path("before").isNull());
        assertEquals("c", value.path("op").asText());

        List<ChangeEvent> events = decode(DebeziumDecoder.create(), records);
        assertEquals(6, events.size());
        assertEquals("12.50", events.get(0).row().get("price"));
        assertEquals(CREATED_MS, ((Number) events.get(0).row().get("created")).longValue());
        assertEquals(Map.of("price", "12.50"), events.get(2).oldValues());
    }

    @Test
    void maxwellWritesOneMessagePerRowWithTheTransactionsXidAndOldValues() throws Exception {
        List<Keyed> records = relayChanges(RelayFormat.MAXWELL);
        assertPartitionedByKeyHash(records);
        assertEquals(5, records.size(), records.toString());
        JsonNode first = records.get(0).valueJson();
        JsonNode second = records.get(1).valueJson();
        assertEquals("insert", first.path("type").asText());
        assertEquals(first.path("xid").asLong(), second.path("xid").asLong(), "one transaction");
        assertEquals(0, first.path("xoffset").asInt());
        assertFalse(first.has("commit"));
        assertTrue(second.path("commit").asBoolean());
        assertTrue(first.path("ts").asLong() < 10_000_000_000L, "epoch seconds: " + first.path("ts"));
        String firstText = new String(records.get(0).value(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(firstText.contains("\"price\":12.50,"), "a JSON number with the column's scale: " + firstText);
        assertEquals("2024-03-04 05:06:07.089", first.path("data").path("created").asText());
        assertEquals(2, first.path("data").path("flag").asInt());
        assertEquals("{\"database\":\"" + first.path("database").asText() + "\",\"table\":\"item\",\"pk.id\":1}",
                records.get(0).keyJson().toString());
        JsonNode keyChange = records.get(3).valueJson();
        assertEquals("update", keyChange.path("type").asText());
        assertEquals("{\"id\":1}", keyChange.path("old").toString());
        assertEquals(2, records.get(3).keyJson().path("pk.id").asInt(), "keyed by the new key, as Maxwell does");

        List<ChangeEvent> events = decode(MaxwellDecoder.create(), records);
        assertEquals(List.of(Operation.INSERT, Operation.INSERT, Operation.UPDATE, Operation.UPDATE, Operation.DELETE),
                events.stream().map(ChangeEvent::operation).toList());
        assertEquals(List.of("id"), events.get(0).primaryKeys());
        assertEquals(0, new BigDecimal("13.00").compareTo((BigDecimal) events.get(2).row().get("price")));
        assertEquals(first.path("ts").asLong() * 1000, events.get(0).eventTimeMillis());
    }
}
