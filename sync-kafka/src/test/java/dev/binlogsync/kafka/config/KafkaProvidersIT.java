package dev.binlogsync.kafka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.kafka.KafkaDeadLetterSink;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.MessageDecoder;
import dev.binlogsync.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code "type": "kafka"} in a configuration file creates working Kafka components. */
class KafkaProvidersIT {
    static final String RULES = "\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\","
            + " \"where\": \"status <> 'deleted'\"}]";

    static String canalInsert(long id, String status) {
        return "{\"data\":[{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}],\"database\":\"shop\",\"es\":1700000000000,"
                + "\"id\":7,\"isDdl\":false,\"mysqlType\":{\"id\":\"bigint(20)\",\"status\":\"varchar(32)\"},"
                + "\"old\":null,\"pkNames\":[\"id\"],\"sql\":\"\",\"sqlType\":{\"id\":-5,\"status\":12},"
                + "\"table\":\"orders\",\"ts\":1700000000123,\"type\":\"INSERT\"}";
    }

    @Test
    void configuredKafkaSourceReadsCanalOverSaslWithThePasswordFromTheEnvironment() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String topic = "cfg-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        kafka.send(topic, 0, canalInsert(1, "paid"));
        kafka.send(topic, 0, canalInsert(2, "deleted"));
        kafka.send(topic, 0, canalInsert(3, "new"));
        String json = "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"${BOOT}\", \"groupId\": \"g-" + topic + "\","
                + " \"topics\": [\"" + topic + "\"], \"format\": \"canal\", \"startPosition\": \"committed-or-earliest\","
                + " \"security\": {\"mechanism\": \"scram-sha-256\", \"username\": \"" + EmbeddedKafka.SHARED_SASL_USER + "\","
                + " \"password\": \"${KAFKA_PASSWORD}\"}, \"properties\": {\"max.poll.records\": 100},"
                + " \"commitTimeout\": \"20s\"}, " + RULES + ", \"settings\": {\"flushInterval\": \"20ms\", \"commitInterval\": \"0s\"}}";
        PipelineDefinition config = ConfigLoader.create()
                .withEnv(Map.of("BOOT", kafka.saslBootstrapServers(), "KAFKA_PASSWORD", EmbeddedKafka.SHARED_SASL_PASSWORD))
                .fromJson(json);
        RecordingBulkSink sink = new RecordingBulkSink();
        try (SyncPipeline pipeline = config.toPipelineBuilder().sink(sink).build()) {
            pipeline.start();
            Await.every(Duration.ofMillis(50)).untilHolds(Duration.ofSeconds(60), "offsets committed up to 3",
                    () -> committed(kafka, "g-" + topic) >= 3);
        }
        assertEquals("paid", sink.document("orders", "1").get("status"));
        assertEquals(null, sink.document("orders", "2"), "filtered by the configured rule");
        assertEquals("new", sink.document("orders", "3").get("status"));
    }

    private static long committed(EmbeddedKafka kafka, String group) {
        return kafka.committedOffsets(group).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void kafkaSourceSettingsAreCheckedWithPaths() {
        String base = "{" + RULES + ", \"source\": {\"type\": \"kafka\", \"bootstrapServers\": [\"a:9092\", \"b:9092\"],"
                + " \"groupId\": \"g\", \"topics\": [\"t\"]";
        Source ok = ConfigLoader.create().fromJson(base + ", \"security\": {\"mechanism\": \"plain\", \"username\": \"u\","
                + " \"password\": \"hunter2\"}}}").createSource();
        KafkaSource source = assertInstanceOf(KafkaSource.class, ok);
        assertTrue(source.toString().contains("a:9092,b:9092"), source.toString());
        assertFalse(source.toString().contains("hunter2"), "password masked: " + source);
        source.close();

        assertEquals("source.topicz", fails(base + ", \"topicz\": [\"x\"]}}").path());
        assertEquals("source.format", fails(base + ", \"format\": \"avro\"}}").path());
        assertEquals("source.startPosition", fails(base + ", \"startPosition\": \"yesterday\"}}").path());
        assertEquals("source.security.mechanism", fails(base + ", \"security\": {\"username\": \"u\", \"password\": \"p\"}}}").path());
        assertEquals("source.canal.zone", fails(base + ", \"canal\": {\"zone\": \"Mars/Base\"}}}").path());
        ConfigException autoCommit = fails(base + ", \"properties\": {\"enable.auto.commit\": true}}}");
        assertEquals("source.properties.enable.auto.commit", autoCommit.path());
        assertTrue(autoCommit.getMessage().contains("not allowed"), autoCommit.getMessage());
        assertEquals("source.groupId", fails("{" + RULES + ", \"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"a:1\","
                + " \"topics\": [\"t\"]}}").path());
    }

    @Test
    void decoderSettingsOfEachFormatComeFromTheObjectNamedAfterIt() {
        byte[] tinyint2 = ("{\"data\":[{\"id\":\"1\",\"flag\":\"2\"}],\"database\":\"shop\",\"isDdl\":false,"
                + "\"mysqlType\":{\"id\":\"int(11)\",\"flag\":\"tinyint(1)\"},\"pkNames\":[\"id\"],\"table\":\"orders\","
                + "\"type\":\"INSERT\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SourcePosition pos = new SourcePosition("t-0", 1);
        MessageDecoder canalDefault = KafkaSourceProvider.decoder(section(Map.of("format", "canal")));
        assertEquals(2, canalDefault.decode(null, tinyint2, pos).get(0).row().get("flag"), "tinyint(1) keeps its number");
        MessageDecoder canalBoolean = KafkaSourceProvider.decoder(section(Map.of("canal", Map.of("tinyint1AsBoolean", true))));
        assertThrows(DecodeException.class, () -> canalBoolean.decode(null, tinyint2, pos));

        String truncate = "{\"database\":\"shop\",\"isDdl\":true,\"sql\":\"TRUNCATE %1$s\",\"table\":\"%1$s\",\"type\":\"TRUNCATE\"}";
        MessageDecoder scoped = KafkaSourceProvider.decoder(section(Map.of("canal",
                Map.of("syncedTables", List.of("shop\\.orders", "shop\\.order_item_[0-9]+")))));
        assertEquals(List.of(), scoped.decode(null, utf8(String.format(truncate, "audit")), pos));
        assertThrows(DecodeException.class, () -> scoped.decode(null, utf8(String.format(truncate, "order_item_3")), pos));
        assertThrows(DecodeException.class, () -> scoped.decode(null, utf8(String.format(truncate, "orders")), pos));

        String debeziumTruncate = "{\"source\":{\"db\":\"shop\",\"table\":\"%s\"},\"op\":\"t\"}";
        MessageDecoder debezium = KafkaSourceProvider.decoder(section(Map.of("format", "debezium", "debezium",
                Map.of("tinyint1AsBoolean", true, "syncedTables", List.of("shop\\.orders"), "dateTimeStyle", "iso_utc",
                        "zone", "Asia/Shanghai"))));
        assertEquals("DebeziumDecoder{tinyint1AsBoolean=true, dateTimeStyle=ISO_UTC, zone=Asia/Shanghai}", debezium.toString());
        assertEquals(List.of(), debezium.decode(null, utf8(String.format(debeziumTruncate, "audit")), pos));
        assertThrows(DecodeException.class, () -> debezium.decode(null, utf8(String.format(debeziumTruncate, "orders")), pos));

        String maxwellDrop = "{\"type\":\"table-drop\",\"database\":\"shop\",\"table\":\"%s\",\"sql\":\"DROP TABLE x\"}";
        MessageDecoder maxwell = KafkaSourceProvider.decoder(section(Map.of("format", "maxwell", "maxwell",
                Map.of("syncedTables", List.of("shop\\.orders")))));
        assertEquals(List.of(), maxwell.decode(null, utf8(String.format(maxwellDrop, "_orders_del")), pos));
        assertThrows(DecodeException.class, () -> maxwell.decode(null, utf8(String.format(maxwellDrop, "orders")), pos));

        assertEquals("source.debezium.zone", assertThrows(ConfigException.class, () -> KafkaSourceProvider.decoder(
                section(Map.of("format", "debezium", "debezium", Map.of("zone", "Mars/Base"))))).path());
        assertEquals("source.canal", assertThrows(ConfigException.class, () -> KafkaSourceProvider.decoder(
                section(Map.of("format", "debezium", "canal", Map.of())))).path());
        assertEquals("source.maxwell.syncedTables", assertThrows(ConfigException.class, () -> KafkaSourceProvider.decoder(
                section(Map.of("format", "maxwell", "maxwell", Map.of("syncedTables", List.of("shop.(orders")))))).path());
    }

    private static ConfigSection section(Map<String, Object> values) {
        return new ConfigSection("source", values, Map.of());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void kafkaDeadLetterSinkIsCreatedFromItsSection() {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        DeadLetterSink dlq = ConfigLoader.create().fromJson("{" + RULES + ", \"deadLetter\": {\"type\": \"kafka\","
                + " \"bootstrapServers\": \"" + kafka.bootstrapServers() + "\", \"topic\": \"dlq\", \"closeTimeout\": \"5s\", \"maxQueuedLetters\": 10}}")
                .createDeadLetterSink();
        try {
            assertInstanceOf(KafkaDeadLetterSink.class, dlq);
            assertTrue(dlq.toString().contains("dlq"), dlq.toString());
        } finally {
            dlq.close();
        }
        assertEquals("deadLetter.topic", failsDeadLetter("{" + RULES + ", \"deadLetter\": {\"type\": \"kafka\","
                + " \"bootstrapServers\": \"a:1\"}}").path());
        assertEquals("deadLetter.maxQueuedLetters", failsDeadLetter("{" + RULES + ", \"deadLetter\": {\"type\": \"kafka\","
                + " \"bootstrapServers\": \"a:1\", \"topic\": \"dlq\", \"maxQueuedLetters\": 0}}").path());
    }

    @Test
    void docsExampleSourceSectionCreatesAKafkaSource() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "configuration.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```json\\n(.*?)```", java.util.regex.Pattern.DOTALL).matcher(doc);
        assertTrue(m.find());
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode full = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(m.group(1));
        String json = "{" + RULES + ", \"source\": " + mapper.writeValueAsString(full.get("source")) + "}";
        Source source = ConfigLoader.create().withEnv(Map.of("KAFKA_PASSWORD", "pw")).fromJson(json).createSource();
        try {
            assertTrue(source.toString().contains("kafka-1:9092,kafka-2:9092"), source.toString());
            assertTrue(source.toString().contains("SCRAM-SHA-512"), source.toString());
        } finally {
            source.close();
        }
    }

    static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.create().fromJson(json).createSource());
    }

    static ConfigException failsDeadLetter(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.create().fromJson(json).createDeadLetterSink());
    }
}
