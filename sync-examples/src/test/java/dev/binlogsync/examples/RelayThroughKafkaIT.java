package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay's output on a real broker, read back through the library's own Canal decoder, rules and
 * Elasticsearch sink (one bulk per Kafka record, in order, without the engine), then checked by
 * {@link ShopOracle}.
 */
class RelayThroughKafkaIT {

    private static EmbeddedMariaDb db;
    private static EmbeddedKafka kafka;
    private static EmbeddedElasticsearch es;

    @BeforeAll
    static void start() {
        db = EmbeddedMariaDb.start();
        kafka = EmbeddedKafka.builder().start();
        es = EmbeddedElasticsearch.builder().nodeName("relay-kafka").build().start();
    }

    @AfterAll
    static void stop() {
        es.close();
        kafka.close();
        db.close();
    }

    @Test
    void relayedCanalMessagesDecodeIntoTheRowsThatWereWritten() throws Exception {
        db.execute("CREATE DATABASE typed",
                "CREATE TABLE typed.t (id BIGINT UNSIGNED PRIMARY KEY, flag TINYINT(1), amount DECIMAL(10,2), at DATETIME(3), label VARCHAR(8))",
                "INSERT INTO typed.t VALUES (18446744073709551615, 2, 12.50, '2024-03-04 05:06:07.089', 'x'), (2, 0, 0.10, NULL, NULL)",
                "UPDATE typed.t SET label = 'y' WHERE id = 2",
                "DELETE FROM typed.t WHERE id = 2");
        kafka.createTopic("typed-binlog", 3);
        try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of("typed"))
                .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), "typed-binlog")).build().start()) {
            relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(30));
        }
        List<ChangeEvent> events = readAll("typed-binlog", 4);
        assertEquals(4, events.size(), events.toString());
        ChangeEvent big = events.stream().filter(e -> e.operation() == Operation.INSERT
                && !e.row().get("id").equals(2L)).findFirst().orElseThrow();
        assertEquals(new java.math.BigInteger("18446744073709551615"), big.row().get("id"));
        assertEquals(2, big.row().get("flag"), "a tinyint(1) keeps its number, 2 included");
        assertEquals(new BigDecimal("12.50"), big.row().get("amount"));
        assertEquals("2024-03-04T05:06:07.089", big.row().get("at"));
        assertEquals(List.of("id"), big.primaryKeys());
        ChangeEvent update = events.stream().filter(e -> e.operation() == Operation.UPDATE).findFirst().orElseThrow();
        assertEquals(Map.of("label", "y"), Map.of("label", update.row().get("label")));
        assertTrue(update.oldValues().containsKey("label") && update.oldValues().get("label") == null);
        assertEquals(1, update.oldValues().size());
        assertTrue(update.eventTimeMillis() > 0);
    }

    @Test
    void shopWorkloadReplayedThroughDecoderRulesAndSinkMatchesTheOracle() throws Exception {
        Shop.createSchema(db);
        kafka.createTopic("shop-test", 4);
        try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(Shop.DATABASE))
                .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), "shop-test")).build().start();
                ShopWorkload workload = new ShopWorkload(db, 7)) {
            for (int i = 0; i < 400; i++) {
                workload.step();
            }
            relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(30));
        }
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        try (RestClient rest = es.newClient(); ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.httpHost()).build()) {
            sink.start();
            // per partition in order, one bulk per record: what the engine guarantees per document
            try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("replay")) {
                consumer.subscribe(List.of("shop-test"));
                // the relay is closed: the topic's end offsets are final; read up to them (empty polls
                // say nothing: the group may still be joining, a fetch may be slow)
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor("shop-test").forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                Map<TopicPartition, Long> next = new HashMap<>();
                Await.value(Duration.ofMinutes(5), "the topic read to its end offsets " + ends + " (read up to)", () -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                        List<DocumentAction> actions = new ArrayList<>();
                        for (ChangeEvent e : decoder.decode(r.key(), r.value(), new SourcePosition(r.topic() + "-" + r.partition(), r.offset()))) {
                            Shop.rules().apply(e, actions::add);
                        }
                        if (!actions.isEmpty()) {
                            List<ItemResult> results = sink.execute(actions).toCompletableFuture().get(30, TimeUnit.SECONDS);
                            for (ItemResult result : results) {
                                assertTrue(result.isDone(), result.toString());
                            }
                        }
                    }
                    return next;
                }, read -> ends.entrySet().stream().allMatch(e -> e.getValue() <= read.getOrDefault(e.getKey(), 0L)));
            }
            rest.performRequest(new Request("POST", "/_refresh"));
            ShopOracle.Result check = ShopOracle.of(db, rest).verify();
            assertTrue(check.isClean(), check.toString());
            assertTrue(check.expected() > 300, check.toString());
        }
    }

    private static List<ChangeEvent> readAll(String topic, int expected) throws Exception {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        List<ChangeEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("read-" + topic)) {
            consumer.subscribe(List.of(topic));
            Await.value(Duration.ofSeconds(30), expected + " events in " + topic, () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(null, r.key(), "Canal writes a null key");
                    events.addAll(decoder.decode(r.key(), r.value(), new SourcePosition(topic + "-" + r.partition(), r.offset())));
                }
                return events.size();
            }, size -> size >= expected);
        }
        return events;
    }
}
