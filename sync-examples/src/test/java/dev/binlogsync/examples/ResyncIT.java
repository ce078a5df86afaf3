package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.Resync;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.KafkaGroupMembers;
import dev.binlogsync.kafka.KafkaSecurity;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * Re-sync without downtime on the real test bed: MariaDB's binlog, relayed as Canal flat messages to
 * the in-process Kafka, streamed by a {@link SyncPipeline} into an alias on the in-process
 * Elasticsearch, while a writer thread keeps updating, deleting and re-inserting rows. The end state
 * of the new index is compared with MySQL, read by the test's own SQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResyncIT {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String STATE = "binlog-sync-backfill";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String NEW_MAPPING = "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
            + "\"mappings\":{\"dynamic\":\"strict\",\"properties\":{\"id\":{\"type\":\"long\"},"
            + "\"name\":{\"type\":\"keyword\"},\"qty\":{\"type\":\"integer\"},"
            + "\"price\":{\"type\":\"double\"}}}}";
    private static final AtomicInteger RELAY_IDS = new AtomicInteger(7100);

    private EmbeddedMariaDb db;
    private EmbeddedKafka kafka;
    private EmbeddedElasticsearch es;
    private RestClient rest;
    private ElasticsearchSink backfillSink;
    private MariaDbDataSource dataSource;

    @BeforeAll
    void start() throws SQLException {
        db = EmbeddedMariaDb.start();
        kafka = EmbeddedKafka.builder().start();
        es = EmbeddedElasticsearch.shared();
        rest = es.newClient();
        backfillSink = ElasticsearchSink.builder().hosts(es.httpUrl()).build();
        backfillSink.start();
        dataSource = new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user());
    }

    @AfterAll
    void stop() throws IOException {
        backfillSink.close();
        rest.close();
        kafka.close();
        db.close();
    }

    /** One scenario: a database with a table, its alias on an old index, its topic and relay. */
    private final class World implements AutoCloseable {
        final String database;
        final String alias;
        final String oldIndex;
        final String newIndex;
        final String topic;
        final int rows;
        final Rules rules;
        final BinlogCanalRelay relay;
        final List<SyncPipeline> pipelines = new ArrayList<>();
        /** The sources of the pipelines started, in their order. */
        final List<KafkaSource> sources = new ArrayList<>();

        World(String database, int rows) throws Exception {
            this(database, rows, false);
        }

        /** With {@code concrete}, the rules write to a concrete index (the "alias" is its name) instead of an alias. */
        World(String database, int rows, boolean concrete) throws Exception {
            this.database = database;
            this.alias = database + "-items";
            this.oldIndex = concrete ? alias : alias + "-v1";
            this.newIndex = alias + "-v2";
            this.topic = database + "-binlog";
            this.rows = rows;
            this.rules = Rules.builder().rule(TableRule.builder().database(database).table("items").index(alias).build())
                    .build();
            db.execute("CREATE DATABASE " + database, "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY,"
                    + " name VARCHAR(64) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL)");
            try (Connection c = db.connect(database)) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?,?,?,?)")) {
                    for (int id = 1; id <= rows; id++) {
                        ps.setLong(1, id);
                        ps.setString(2, "row " + id);
                        ps.setInt(3, id % 100);
                        ps.setBigDecimal(4, new BigDecimal(id % 1000 + ".50"));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
            request("PUT", "/" + oldIndex, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}"
                    + (concrete ? "}" : ",\"aliases\":{\"" + alias + "\":{\"is_write_index\":true}}}"));
            kafka.createTopic(topic, 3);
            relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(database))
                    .replicaServerId(RELAY_IDS.incrementAndGet())
                    .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), topic)).build().start();
        }

        /** A pipeline streaming the topic into the alias through {@code sink}; started. */
        SyncPipeline startPipeline(BulkSink sink) {
            KafkaSource source = KafkaSource.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .groupId(database + "-pipeline")
                    .topics(topic)
                    .decoder(CanalFlatMessageDecoder.builder().syncedTables((d, t) -> !rules.rulesFor(d, t).isEmpty())
                            .fullRowImage(true).build())
                    .build();
            SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink)
                    .commitInterval(Duration.ofMillis(200)).threadName(database + "-pipeline").build();
            pipeline.start();
            pipelines.add(pipeline);
            sources.add(source);
            return pipeline;
        }

        /** The pipeline's sink: an Elasticsearch sink of its own, restoring a re-sync's shadow at start. */
        ShadowWriteSink shadowingSink() {
            return ShadowWriteSink.wrap(ElasticsearchSink.builder().hosts(es.httpUrl()).build(),
                    Resync.shadowsToRestore(rest, STATE, alias));
        }

        Resync.Builder resync() {
            return Resync.builder().client(rest).alias(alias).newIndex(newIndex).newIndexBody(NEW_MAPPING)
                    .stateIndex(STATE).rules(rules).dataSource(dataSource).sink(backfillSink);
        }

        @Override
        public void close() {
            for (SyncPipeline p : pipelines) {
                p.close();
            }
            relay.close();
        }
    }

    /** Random updates, deletes and re-inserts of the world's rows until stopped. */
    private final class Writer implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong changes = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        Writer(World w, long seed) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                try (Connection c = db.connect(w.database)) {
                    while (!stop.get()) {
                        long id = 1 + random.nextInt(w.rows + 200);
                        int op = random.nextInt(3);
                        String sql = op == 0 ? "DELETE FROM items WHERE id = ?"
                                : op == 1 ? "UPDATE items SET name = ?, qty = ?, price = ? WHERE id = ?"
                                : "INSERT IGNORE INTO items (name, qty, price, id) VALUES (?,?,?,?)";
                        try (PreparedStatement ps = c.prepareStatement(sql)) {
                            int p = 1;
                            if (op != 0) {
                                ps.setString(p++, "changed " + random.nextInt(1_000_000));
                                ps.setInt(p++, random.nextInt(1000) - 500);
                                ps.setBigDecimal(p++, BigDecimal.valueOf(random.nextInt(10_000_000), 2));
                            }
                            ps.setLong(p, id);
                            changes.addAndGet(ps.executeUpdate());
                        }
                        // a pace, not a synchronisation: the stream keeps up on a loaded machine
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "resync-writer-" + w.database);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.MINUTES.toMillis(1));
            assertNull(failure.get(), "the writer failed");
        }
    }

    private JsonNode request(String method, String path, String body) throws IOException {
        Request r = new Request(method, path);
        if (body != null) {
            r.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        }
        return JSON.readTree(rest.performRequest(r).getEntity().getContent());
    }

    private boolean indexExists(String index) throws IOException {
        try {
            return rest.performRequest(new Request("HEAD", "/" + index)).getStatusLine().getStatusCode() == 200;
        } catch (ResponseException e) {
            return false;
        }
    }

    private boolean stateExists(String alias) throws IOException {
        try {
            return request("GET", "/" + STATE + "/_doc/resync:" + alias + "?realtime=true", null)
                    .path("found").asBoolean(false);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private List<String> aliasTargets(String alias) throws IOException {
        List<String> out = new ArrayList<>();
        request("GET", "/_alias/" + alias, null).fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Every row, by the test's own SQL, as typed text per column. */
    private Map<String, Map<String, String>> mysqlRows(String database) throws SQLException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (Connection c = db.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, qty, price FROM items")) {
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>();
                row.put("id", "number " + rs.getLong(1));
                row.put("name", "text " + rs.getString(2));
                row.put("qty", "number " + rs.getInt(3));
                row.put("price", "number " + rs.getBigDecimal(4).stripTrailingZeros().toPlainString());
                out.put(Long.toString(rs.getLong(1)), row);
            }
        }
        return out;
    }

    /** Every document of the index (refreshed first), as typed text per field. */
    private Map<String, Map<String, String>> documents(String index) throws IOException {
        request("POST", "/" + index + "/_refresh", null);
        Map<String, Map<String, String>> out = new TreeMap<>();
        // at most rows + 201 documents: one page (the index's default result window is 10,000)
        JsonNode page = request("POST", "/" + index + "/_search",
                "{\"size\":10000,\"query\":{\"match_all\":{}},\"track_total_hits\":true}");
        assertTrue(page.path("hits").path("total").path("value").asLong() < 10_000, "one page holds every document");
        for (JsonNode hit : page.path("hits").path("hits")) {
            Map<String, String> doc = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = hit.path("_source").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode v = f.getValue();
                doc.put(f.getKey(), v.isNumber() ? "number " + v.decimalValue().stripTrailingZeros().toPlainString()
                        : v.isTextual() ? "text " + v.textValue() : "other " + v);
            }
            out.put(hit.path("_id").asText(), doc);
        }
        return out;
    }

    /** Waits until the index equals MySQL (the stream applies what it read), and asserts it. */
    private void assertIndexConvergesToMysql(String index, String database) throws Exception {
        Await.every(Duration.ofMillis(250)).valueOf(WAIT, "the index " + index + " equals MySQL (the value: what differs)",
                () -> diff(mysqlRows(database), documents(index)), String::isEmpty);
        assertEquals(mysqlRows(database), documents(index));
    }

    private static String diff(Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                out.add(e.getKey() + ": mysql " + e.getValue() + " index " + actual.get(e.getKey()));
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                out.add(id + ": extra " + actual.get(id));
            }
        }
        return out.isEmpty() ? "" : out.size() + " " + out.subList(0, Math.min(5, out.size()));
    }

    @Test
    void aConcreteIndexBecomesAnAliasOfTheNewIndexWhileRowsChangeAndNoWriteFailsOnItsRemoval() throws Exception {
        try (World w = new World("rsconcrete", 3000, true)) {
            ShadowWriteSink sink = w.shadowingSink();
            SyncPipeline pipeline = w.startPipeline(sink);
            assertIndexConvergesToMysql(w.alias, w.database);
            SyncException refused = assertThrows(SyncException.class, () -> w.resync().shadowSinks(sink).build().run());
            assertTrue(refused.getMessage().contains("concrete index"), refused.getMessage());
            assertFalse(stateExists(w.alias), "refused before anything was recorded");
            assertFalse(indexExists(w.newIndex));

            Resync resync = w.resync().shadowSinks(sink).deleteOldIndex(true)
                    .backfill(b -> b.chunkSize(250).restartFence(Duration.ZERO)).build();
            try (Writer writer = new Writer(w, 21)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                // the stream writes throughout, so through the switch too
                assertTrue(resync.run(), "the re-sync finished");
                long before = writer.changes.get();
                Await.until(WAIT, "the writer changed rows after the switch", () -> writer.changes.get() > before + 50);
            }
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias), "the index's name is an alias of the new index");
            assertFalse(stateExists(w.alias), "the state is gone");
            assertTrue(sink.shadows().isEmpty(), "the shadow is off");
            db.execute("UPDATE " + w.database + ".items SET name = 'after the switch' WHERE id = 3",
                    "DELETE FROM " + w.database + ".items WHERE id = 4");
            assertIndexConvergesToMysql(w.newIndex, w.database);
            assertEquals(PipelineState.RUNNING, pipeline.state(), "no write failed on the old index's removal");
            assertEquals(0, pipeline.metrics().deadLettered() + pipeline.metrics().skipped());
        }
    }

    @Test
    void resyncLoadsANewIndexWithAnotherMappingWhileRowsChangeSwitchesTheAliasAndKeepsStreamingIntoIt()
            throws Exception {
        try (World w = new World("rsmain", 3000)) {
            ShadowWriteSink sink = w.shadowingSink();
            SyncPipeline pipeline = w.startPipeline(sink);
            assertIndexConvergesToMysql(w.alias, w.database);
            // a drift the re-sync repairs: documents lost and changed behind the stream's back
            StringBuilder lost = new StringBuilder();
            for (int id = 1; id <= 50; id++) {
                lost.append("{\"delete\":{\"_id\":\"").append(id).append("\"}}\n");
            }
            request("POST", "/" + w.oldIndex + "/_bulk?refresh=true", lost.toString());
            request("POST", "/" + w.oldIndex + "/_doc/2000?refresh=true",
                    "{\"id\":2000,\"name\":\"drifted\",\"qty\":0,\"price\":0}");
            BackfillProgress[] finished = new BackfillProgress[1];
            Resync resync = w.resync().shadowSinks(sink).deleteOldIndex(true)
                    .backfill(b -> b.chunkSize(250).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void tableFinished(BackfillProgress p) {
                            finished[0] = p;
                        }
                    })).build();
            try (Writer writer = new Writer(w, 20)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                assertTrue(resync.run(), "the re-sync finished");
                long before = writer.changes.get();
                Await.until(WAIT, "the writer changed rows after the switch", () -> writer.changes.get() > before + 50);
            }
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias), "the alias points at the new index only");
            assertFalse(indexExists(w.oldIndex), "the old index was deleted");
            assertEquals("keyword", request("GET", "/" + w.newIndex + "/_mapping", null)
                    .path(w.newIndex).path("mappings").path("properties").path("name").path("type").asText());
            assertTrue(finished[0] != null && finished[0].rowsDone() > 0, "the backfill loaded the table");
            assertFalse(stateExists(w.alias), "the state is gone");
            assertTrue(sink.shadows().isEmpty(), "the shadow is off");

            // the stream keeps writing into the new index, through the alias
            db.execute("UPDATE " + w.database + ".items SET name = 'after the switch' WHERE id = 3",
                    "INSERT INTO " + w.database + ".items VALUES (100000, 'new after the switch', 1, 1.25)",
                    "DELETE FROM " + w.database + ".items WHERE id = 4");
            assertIndexConvergesToMysql(w.newIndex, w.database);
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
    }

    @Test
    void aResyncStoppedMidwayContinuesAfterThePipelineRestartsWithTheShadowRestored() throws Exception {
        try (World w = new World("rscrash", 3000)) {
            ShadowWriteSink first = w.shadowingSink();
            SyncPipeline pipeline = w.startPipeline(first);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicReference<Resync> stoppable = new AtomicReference<>();
            Resync interrupted = w.resync().shadowSinks(first)
                    .backfill(b -> b.chunkSize(200).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            if (p.chunksDone() >= 3) {
                                stoppable.get().stop();
                            }
                        }
                    })).build();
            stoppable.set(interrupted);
            BackfillProgress[] resumed = new BackfillProgress[1];
            try (Writer writer = new Writer(w, 21)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                assertFalse(interrupted.run(), "stopped after three chunks");
                assertEquals(List.of(w.oldIndex), aliasTargets(w.alias), "not switched yet");
                assertEquals(Map.of(w.alias, w.newIndex), first.shadows());
                assertTrue(stateExists(w.alias), "the state records the re-sync in progress");

                // the process goes down: the pipeline stops while rows keep changing
                pipeline.close();
                long before = writer.changes.get();
                Await.until(WAIT, "rows changed while no pipeline ran", () -> writer.changes.get() > before + 50);

                // a new process: its pipeline's sink restores the shadow before its first write
                ShadowWriteSink second = w.shadowingSink();
                SyncPipeline restarted = w.startPipeline(second);
                Await.until(WAIT, "the restarted pipeline restored the shadow",
                        () -> second.shadows().equals(Map.of(w.alias, w.newIndex)));
                Resync again = w.resync().shadowSinks(second)
                        .backfill(b -> b.chunkSize(200).restartFence(Duration.ZERO).listener(new BackfillListener() {
                            @Override
                            public void tableFinished(BackfillProgress p) {
                                resumed[0] = p;
                            }
                        })).build();
                assertTrue(again.run(), "the re-run finished");
                assertTrue(second.shadows().isEmpty());
                assertEquals(PipelineState.RUNNING, restarted.state());
            }
            assertTrue(resumed[0].rowsDone() <= w.rows + 200 - 600,
                    "the re-run continued after the three chunks done: " + resumed[0]);
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias));
            assertTrue(indexExists(w.oldIndex), "the old index is kept unless asked");
            db.execute("UPDATE " + w.database + ".items SET name = 'after the switch' WHERE id = 5");
            assertIndexConvergesToMysql(w.newIndex, w.database);
        }
    }

    /** The member ids of the given sources (those that joined). */
    private static Set<String> memberIds(List<KafkaSource> sources) {
        Set<String> out = new java.util.TreeSet<>();
        for (KafkaSource s : sources) {
            s.memberId().ifPresent(out::add);
        }
        return out;
    }

    /** Waits until the group's members are exactly the given sources, each joined. */
    private static void awaitGroupIs(KafkaGroupMembers group, List<KafkaSource> sources) throws Exception {
        Await.until(WAIT, "the consumer group's members are the " + sources.size() + " pipelines",
                () -> memberIds(sources).size() == sources.size() && group.get().equals(memberIds(sources)));
    }

    @Test
    void twoPipelinesOfOneGroupAndAThirdJoiningDuringTheLoadAreShadowedAndTheAliasSwitchesToAnIndexEqualToMysql()
            throws Exception {
        try (World w = new World("rsgroup", 3000);
                KafkaGroupMembers group = KafkaGroupMembers.create(kafka.bootstrapServers(), KafkaSecurity.none(),
                        "rsgroup-pipeline")) {
            ShadowWriteSink first = w.shadowingSink();
            ShadowWriteSink second = w.shadowingSink();
            ShadowWriteSink joining = w.shadowingSink();
            w.startPipeline(first);
            w.startPipeline(second);
            awaitGroupIs(group, w.sources);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicBoolean joined = new AtomicBoolean();
            Resync resync = w.resync().shadowSinks(first, second, joining).deleteOldIndex(true)
                    .consumerGroup(group, () -> memberIds(w.sources))
                    .backfill(b -> b.chunkSize(250).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            if (joined.compareAndSet(false, true)) {
                                // a rebalance during the load: the joining pipeline restores the shadow
                                // from the state when its sink starts, before its first write
                                w.startPipeline(joining);
                                try {
                                    awaitGroupIs(group, w.sources);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        }
                    })).build();
            try (Writer writer = new Writer(w, 22)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                assertTrue(resync.run(), "the re-sync finished");
                long before = writer.changes.get();
                Await.until(WAIT, "the writer changed rows after the switch", () -> writer.changes.get() > before + 50);
            }
            assertTrue(joined.get(), "the third pipeline joined during the load");
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias), "the alias points at the new index only");
            assertFalse(indexExists(w.oldIndex), "the old index was deleted");
            assertIndexConvergesToMysql(w.newIndex, w.database);
            for (SyncPipeline p : w.pipelines) {
                assertEquals(PipelineState.RUNNING, p.state());
            }
        }
    }

    @Test
    void aGroupMemberWithoutAShadowSinkMakesTheResyncFailBeforeTheLoadNamingItAndARerunAsksForAnAbort()
            throws Exception {
        try (World w = new World("rsplain", 1000);
                KafkaGroupMembers group = KafkaGroupMembers.create(kafka.bootstrapServers(), KafkaSecurity.none(),
                        "rsplain-pipeline")) {
            ShadowWriteSink shadowed = w.shadowingSink();
            w.startPipeline(shadowed);
            // another member of the group, as one in another process or from an old configuration
            SyncPipeline plain = w.startPipeline(ElasticsearchSink.builder().hosts(es.httpUrl()).build());
            awaitGroupIs(group, w.sources);
            String plainMember = w.sources.get(1).memberId().orElseThrow();
            AtomicInteger chunks = new AtomicInteger();
            Resync resync = w.resync().shadowSinks(shadowed)
                    .consumerGroup(group, () -> memberIds(w.sources.subList(0, 1)))
                    .backfill(b -> b.restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            chunks.incrementAndGet();
                        }
                    })).build();
            try (Writer writer = new Writer(w, 23)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                SyncException refused = assertThrows(SyncException.class, resync::run);
                assertTrue(refused.getMessage().contains("before the load") && refused.getMessage().contains(plainMember),
                        refused.getMessage());
                assertEquals(0, chunks.get(), "nothing was loaded");
                assertEquals(List.of(w.oldIndex), aliasTargets(w.alias));

                // the plain member leaves: a re-run still refuses, as it may have left the new index stale
                plain.close();
                w.sources.remove(1);
                awaitGroupIs(group, w.sources);
                Resync again = w.resync().shadowSinks(shadowed).consumerGroup(group, () -> memberIds(w.sources))
                        .backfill(b -> b.restartFence(Duration.ZERO)).build();
                SyncException asked = assertThrows(SyncException.class, again::run);
                assertTrue(asked.getMessage().contains("abort()") && asked.getMessage().contains(plainMember),
                        asked.getMessage());
                assertEquals(0, chunks.get());

                assertTrue(again.abort());
                assertFalse(indexExists(w.newIndex), "abort deletes the new index");
                assertTrue(again.run(), "a fresh re-sync with every member shadowed finishes");
            }
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias));
            assertIndexConvergesToMysql(w.newIndex, w.database);
        }
    }

    @Test
    void aMemberWithoutAShadowSinkJoiningDuringTheLoadMakesTheResyncFailBeforeTheSwitch() throws Exception {
        try (World w = new World("rsjoin", 1000);
                KafkaGroupMembers group = KafkaGroupMembers.create(kafka.bootstrapServers(), KafkaSecurity.none(),
                        "rsjoin-pipeline")) {
            ShadowWriteSink shadowed = w.shadowingSink();
            w.startPipeline(shadowed);
            awaitGroupIs(group, w.sources);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicBoolean joined = new AtomicBoolean();
            Resync resync = w.resync().shadowSinks(shadowed)
                    .consumerGroup(group, () -> memberIds(w.sources.subList(0, 1)))
                    .backfill(b -> b.chunkSize(250).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            if (joined.compareAndSet(false, true)) {
                                // started from an old configuration: it writes to the alias without copies
                                w.startPipeline(ElasticsearchSink.builder().hosts(es.httpUrl()).build());
                                try {
                                    awaitGroupIs(group, w.sources);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        }
                    })).build();
            try (Writer writer = new Writer(w, 24)) {
                Await.until(WAIT, "the writer changed rows", () -> writer.changes.get() > 50);
                SyncException refused = assertThrows(SyncException.class, resync::run);
                String joiner = w.sources.get(1).memberId().orElseThrow();
                assertTrue(refused.getMessage().contains("before the switch") && refused.getMessage().contains(joiner),
                        refused.getMessage());
            }
            assertTrue(joined.get());
            assertEquals(List.of(w.oldIndex), aliasTargets(w.alias), "the alias was not switched");
            assertTrue(stateExists(w.alias), "the state stays for an abort()");
        }
    }

    @Test
    void aPipelineThatWroteWithoutTheShadowStopsTheReRunUntilTheResyncIsAbortedAndRunAgain() throws Exception {
        try (World w = new World("rsgap", 1000)) {
            ShadowWriteSink first = w.shadowingSink();
            SyncPipeline pipeline = w.startPipeline(first);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicReference<Resync> stoppable = new AtomicReference<>();
            Resync interrupted = w.resync().shadowSinks(first)
                    .backfill(b -> b.chunkSize(200).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            stoppable.get().stop();
                        }
                    })).build();
            stoppable.set(interrupted);
            assertFalse(interrupted.run());
            pipeline.close();

            // restarted without restoring the shadow, and it writes: the new index misses that change
            ShadowWriteSink forgetful = ShadowWriteSink.wrap(ElasticsearchSink.builder().hosts(es.httpUrl()).build());
            w.startPipeline(forgetful);
            db.execute("UPDATE " + w.database + ".items SET name = 'unshadowed' WHERE id = 1");
            assertIndexConvergesToMysql(w.alias, w.database);
            Resync again = w.resync().shadowSinks(forgetful).backfill(b -> b.restartFence(Duration.ZERO)).build();
            SyncException refused = assertThrows(SyncException.class, again::run);
            assertTrue(refused.getMessage().contains("abort()"), refused.getMessage());
            assertEquals(List.of(w.oldIndex), aliasTargets(w.alias));

            assertTrue(again.abort());
            assertFalse(indexExists(w.newIndex), "abort deletes the new index");
            assertFalse(stateExists(w.alias), "and the state");
            assertTrue(again.run(), "a fresh re-sync after the abort finishes");
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias));
            assertIndexConvergesToMysql(w.newIndex, w.database);
        }
    }

    @Test
    void aReRunAfterTheAliasSwitchedButBeforeItsStateWasSavedFinishesTheResync() throws Exception {
        try (World w = new World("rsswitch", 1000)) {
            ShadowWriteSink first = w.shadowingSink();
            SyncPipeline pipeline = w.startPipeline(first);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicReference<Resync> stoppable = new AtomicReference<>();
            Resync interrupted = w.resync().shadowSinks(first)
                    .backfill(b -> b.chunkSize(200).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            stoppable.get().stop();
                        }
                    })).build();
            stoppable.set(interrupted);
            assertFalse(interrupted.run());
            // the process dies right after the alias call, before SWITCHED is saved
            request("POST", "/_aliases", "{\"actions\":[{\"remove\":{\"index\":\"" + w.oldIndex + "\",\"alias\":\""
                    + w.alias + "\"}},{\"add\":{\"index\":\"" + w.newIndex + "\",\"alias\":\"" + w.alias
                    + "\",\"is_write_index\":true}}]}");
            pipeline.close();

            // a pipeline without the restore writes through the alias, so into the new index: no gap
            ShadowWriteSink plain = ShadowWriteSink.wrap(ElasticsearchSink.builder().hosts(es.httpUrl()).build());
            w.startPipeline(plain);
            db.execute("UPDATE " + w.database + ".items SET name = 'after the switch' WHERE id = 999");
            Await.until(WAIT, "the restarted pipeline wrote", () -> !plain.covers(w.alias, w.newIndex));
            Resync again = w.resync().shadowSinks(plain).backfill(b -> b.restartFence(Duration.ZERO)).build();
            assertTrue(again.run(), "the re-run finishes");
            assertFalse(stateExists(w.alias));
            assertTrue(plain.shadows().isEmpty());
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias));
            assertIndexConvergesToMysql(w.newIndex, w.database);
        }
    }

    @Test
    void anAbortWhileTheBackfillRunsMakesTheRunFailInsteadOfPointingTheAliasAtTheDeletedIndex() throws Exception {
        try (World w = new World("rsabort", 1000)) {
            ShadowWriteSink sink = w.shadowingSink();
            w.startPipeline(sink);
            assertIndexConvergesToMysql(w.alias, w.database);
            AtomicReference<Object> abortOutcome = new AtomicReference<>();
            Resync running = w.resync().shadowSinks(sink)
                    .backfill(b -> b.chunkSize(200).restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void chunkDone(BackfillProgress p) {
                            if (abortOutcome.get() == null) {
                                // an operator aborts the re-sync (another instance) while this run's backfill goes on
                                try {
                                    abortOutcome.set(w.resync().shadowSinks(sink).build().abort());
                                } catch (RuntimeException e) {
                                    abortOutcome.set(e);
                                }
                            }
                        }
                    })).build();
            assertThrows(SyncException.class, running::run, "the run must not finish the re-sync it lost");
            assertEquals(Boolean.TRUE, abortOutcome.get());
            assertEquals(List.of(w.oldIndex), aliasTargets(w.alias), "the alias stays on the old index");
            assertTrue(sink.shadows().isEmpty(), "the abort stopped the shadow");
            db.execute("UPDATE " + w.database + ".items SET name = 'after the abort' WHERE id = 1");
            assertIndexConvergesToMysql(w.alias, w.database);
        }
    }

    @Test
    void theOldIndexIsDeletedOnlyOnceTheRequestsSentBeforeTheSwitchHaveCompleted() throws Exception {
        try (World w = new World("rsdelete", 300)) {
            ShadowWriteSink sink = w.shadowingSink();
            w.startPipeline(sink);
            assertIndexConvergesToMysql(w.alias, w.database);
            // another pipeline's sink, with a request to the alias sent before the switch and still in flight
            RecordingBulkSink slow = new RecordingBulkSink().manual(true);
            ShadowWriteSink other = ShadowWriteSink.wrap(slow);
            other.start();
            Resync resync = w.resync().shadowSinks(sink, other).deleteOldIndex(true)
                    .backfill(b -> b.restartFence(Duration.ZERO).listener(new BackfillListener() {
                        @Override
                        public void tableFinished(BackfillProgress p) {
                            other.execute(List.of(DocumentAction.index(w.alias, "1", Map.of("id", 1))));
                        }
                    })).build();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread run = new Thread(() -> {
                try {
                    outcome.set(resync.run());
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, "resync-run");
            run.start();
            Await.until(WAIT, "the re-sync switched the alias and waits for the request in flight",
                    () -> !run.isAlive() || waitsFor(run, "finish", "awaitEarlierBulks"));
            assertEquals(List.of(w.newIndex), aliasTargets(w.alias));
            assertTrue(indexExists(w.oldIndex), "the old index stays while a request sent before the switch is out");
            slow.pending().get(0).complete();
            run.join(WAIT.toMillis());
            assertEquals(Boolean.TRUE, outcome.get());
            assertFalse(indexExists(w.oldIndex), "then it is deleted");
        }
    }

    /** Whether {@code thread} is inside {@code inner} called (directly or not) from {@code outer}. */
    private static boolean waitsFor(Thread thread, String outer, String inner) {
        boolean in = false;
        for (StackTraceElement f : thread.getStackTrace()) {
            in |= f.getMethodName().equals(inner);
            if (in && f.getMethodName().equals(outer)) {
                return true;
            }
        }
        return false;
    }
}
