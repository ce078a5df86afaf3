package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.BinlogPositionStore;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.examples.testbed.RelayFormat;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import dev.binlogsync.kafka.decode.MessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The end-to-end run with each message format on the topic: the relay reads the real MariaDB
 * binlog and writes Canal flat messages, Debezium's JSON (without or with schemas) or Maxwell's,
 * the pipeline decodes them with the matching decoder and the shop rules, and {@link ShopOracle}
 * (hand-written SQL, whole documents, types included, in the {@link ShopOracle.Representation}
 * the format can carry) must find nothing missing, extra or stale. The keyed formats partition
 * {@code orders} and {@code order_shipping} by the order id's value (the relay's
 * {@code partitionBy}), as the merge rule requires and Canal's primary-key hash gives.
 *
 * <p>One MariaDB, Kafka broker and Elasticsearch node serve every format; each format gets a fresh
 * {@code shop} database (the relay starts after its DDL), its own topic and consumer group, and
 * fresh indexes. System properties: {@code formats.formats} (default {@link #DEFAULT_FORMATS}, or
 * {@code all}), {@code formats.seed} (default random, printed with the command that reruns it),
 * {@code formats.transactions} (default 300 per format), {@code formats.hardCases} (default the
 * hard cases of the Canal reliability run, {@link ReliabilityIT#DEFAULT_HARD_CASES}).
 */
class FormatsEndToEndIT {

    private static final int PARTITIONS = 4;

    /** The formats of the normal run: all four. */
    static final String DEFAULT_FORMATS = "all";

    private static EmbeddedMariaDb db;
    private static EmbeddedKafka kafka;
    private static EmbeddedElasticsearch es;
    private static RestClient rest;

    @BeforeAll
    static void startServers() {
        db = EmbeddedMariaDb.start();
        kafka = EmbeddedKafka.builder().start();
        es = EmbeddedElasticsearch.builder().nodeName("formats").build().start();
        rest = es.newClient();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (rest != null) {
            rest.close();
        }
        if (es != null) {
            es.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** The formats run: {@code formats.formats}, a comma-separated list of {@link RelayFormat} names or {@code all}. */
    static Stream<RelayFormat> formats() {
        String list = System.getProperty("formats.formats", DEFAULT_FORMATS).trim();
        if (list.equalsIgnoreCase("all")) {
            return Stream.of(RelayFormat.values());
        }
        return Arrays.stream(list.split(",")).map(name -> RelayFormat.valueOf(name.trim().toUpperCase(Locale.ROOT)));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void elasticsearchEqualsMysqlAfterAWorkloadRelayedInTheFormat(RelayFormat format) throws Exception {
        Long pinned = Long.getLong("formats.seed");
        long seed = pinned != null ? pinned : ThreadLocalRandom.current().nextLong(1, 1L << 40);
        int transactions = Integer.getInteger("formats.transactions", 300);
        Set<ShopWorkload.HardCase> hardCases =
                ShopWorkload.HardCase.parse(System.getProperty("formats.hardCases", ReliabilityIT.DEFAULT_HARD_CASES));
        String rerun = "./mvnw -B -ntp -q -pl sync-examples -am verify -Dit.test=FormatsEndToEndIT -Dtest=none"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dformats.formats=" + format + " -Dformats.seed=" + seed
                + " -Dformats.transactions=" + transactions + " -Dformats.hardCases=" + hardCaseNames(hardCases);
        System.out.println(format + " with seed " + seed + ", hard cases " + hardCases + "; rerun with: " + rerun);

        db.execute("DROP DATABASE IF EXISTS " + Shop.DATABASE);
        Shop.createSchema(db);
        // deleting by a wildcard needs action.destructive_requires_name=false: name each monthly index
        StringBuilder indexes = new StringBuilder(Shop.ORDERS_INDEX + "," + Shop.ITEMS_INDEX);
        Request monthly = new Request("GET", "/_cat/indices/" + Shop.ORDERS_BY_MONTH_PREFIX + "*");
        monthly.addParameter("h", "index");
        try (java.io.InputStream in = rest.performRequest(monthly).getEntity().getContent()) {
            for (String index : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\\s+")) {
                if (!index.isBlank()) {
                    indexes.append(',').append(index);
                }
            }
        }
        Request drop = new Request("DELETE", "/" + indexes);
        drop.addParameter("ignore_unavailable", "true");
        rest.performRequest(drop);
        BinlogPositionStore store = BinlogPositionStore.inMemory();
        store.save(db.currentBinlogPosition()); // after the DDL: the topic holds only this run's rows
        String topic = "shop-" + format.name().toLowerCase(Locale.ROOT).replace('_', '-');
        kafka.createTopic(topic, PARTITIONS);

        BinlogCanalRelay.Builder relayBuilder = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(Shop.DATABASE))
                .format(format).positionStore(store).sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), topic));
        if (format != RelayFormat.CANAL_FLAT) {
            // the merge rule needs a shipping row in its order's partition: Canal's primary-key hash gives that
            // (order_shipping's key is the order id); the keyed formats are told, as Maxwell's
            // producer_partition_by=column or Debezium's PartitionRouting transform would be
            relayBuilder.partitionBy(Shop.DATABASE + ".orders", "id").partitionBy(Shop.DATABASE + ".order_shipping", "order_id");
        }
        try (BinlogCanalRelay relay = relayBuilder.build().start()) {
            SyncPipeline pipeline = SyncPipeline.builder()
                    .source(KafkaSource.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .groupId(topic)
                            .topics(topic)
                            .decoder(decoder(format))
                            .build())
                    .ruleSet(Shop.rules())
                    .sink(Demo.elasticsearchSink(es))
                    .commitInterval(Duration.ofMillis(200))
                    .threadName("formats-" + topic)
                    .build();
            pipeline.start();
            try {
                // at least one TRUNCATE of a table no rule syncs, whatever the seed: skipped by the decoder
                db.execute("INSERT INTO shop.scratch (payload) VALUES ('before')", "TRUNCATE TABLE shop.scratch");
                try (ShopWorkload workload = new ShopWorkload(db, seed, hardCases)) {
                    for (int i = 0; i < transactions; i++) {
                        workload.step();
                    }
                }
                relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(60));
                awaitCommitted(kafka.admin(), topic, pipeline, Duration.ofSeconds(90));
                rest.performRequest(new Request("POST", "/_refresh"));
                ShopOracle.Result check = ShopOracle.of(db, rest, representation(format)).verify();
                System.out.println(format + " seed " + seed + ": " + relay.rowsRelayed() + " rows relayed as "
                        + relay.messagesSent() + " records; " + check.actual() + " documents; missing "
                        + check.missingCount() + ", extra " + check.extraCount() + ", stale " + check.staleCount());
                assertTrue(check.isClean(), format + " seed " + seed + " (rerun: " + rerun + "): " + check);
            } finally {
                pipeline.close(Duration.ofSeconds(30));
            }
        }
    }

    private static String hardCaseNames(Set<ShopWorkload.HardCase> hardCases) {
        StringBuilder b = new StringBuilder();
        for (ShopWorkload.HardCase c : hardCases) {
            b.append(b.length() == 0 ? "" : ",").append(c.name());
        }
        return b.length() == 0 ? "none" : b.toString();
    }

    /** Each format's decoder with its defaults, told which tables are synced (a TRUNCATE of another one is skipped). */
    private static MessageDecoder decoder(RelayFormat format) {
        switch (format) {
            case DEBEZIUM_JSON:
            case DEBEZIUM_JSON_WITH_SCHEMAS:
                return DebeziumDecoder.builder().syncedTables(Shop.syncedTables()).build();
            case MAXWELL:
                return MaxwellDecoder.builder().syncedTables(Shop.syncedTables()).fullRowImage(true).build();
            default:
                return CanalFlatMessageDecoder.builder().syncedTables(Shop.syncedTables()).fullRowImage(true).build();
        }
    }

    /** What the format can carry, as the oracle expects it. */
    private static ShopOracle.Representation representation(RelayFormat format) {
        switch (format) {
            case DEBEZIUM_JSON:
                return ShopOracle.Representation.DEBEZIUM_WITHOUT_SCHEMAS;
            case DEBEZIUM_JSON_WITH_SCHEMAS:
                return ShopOracle.Representation.DEBEZIUM_WITH_SCHEMAS;
            case MAXWELL:
                return ShopOracle.Representation.MAXWELL;
            default:
                return ShopOracle.Representation.CANAL;
        }
    }

    /** Waits until the group has committed every record the topic holds now. */
    private static void awaitCommitted(Admin admin, String topic, SyncPipeline pipeline, Duration timeout) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        Await.every(Duration.ofMillis(200)).valueOf(timeout, "the group to commit everything up to the end " + ends, () -> {
            if (pipeline.state() == PipelineState.FAILED) {
                throw new AssertionError("pipeline failed while catching up", pipeline.failure());
            }
            return admin.listConsumerGroupOffsets(topic).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }, committed -> {
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                done &= e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
            }
            return done;
        });
    }
}
