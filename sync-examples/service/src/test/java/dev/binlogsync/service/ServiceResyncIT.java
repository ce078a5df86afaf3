package dev.binlogsync.service;

import static dev.binlogsync.service.ServiceTestBed.ES;
import static dev.binlogsync.service.ServiceTestBed.KAFKA;
import static dev.binlogsync.service.ServiceTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.kafka.KafkaGroupMembers;
import dev.binlogsync.kafka.KafkaSecurity;
import dev.binlogsync.service.http.Http;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started from a file whose pipeline has a {@code resync} section: the rules write to
 * an alias of an index with a dynamic mapping, and the re-sync loads a new index with a strict
 * mapping from MariaDB while a writer changes, deletes and re-inserts rows (committing each in
 * MariaDB, then sending it as a Canal message with the full row, standing in for the binlog relay).
 * The service is closed in the middle of the load and started again from the same file: the
 * re-sync continues from its state and checkpoint. Afterwards the alias points at the new index
 * alone (the old one deleted), its mapping is the strict one, and its documents equal MariaDB's
 * rows read with the test's own SQL; a third start finds it done and does nothing.
 */
@Timeout(900)
class ServiceResyncIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 100;

    @TempDir
    Path dir;

    @Test
    void resyncsIntoAStrictNewIndexWhileTheStreamChangesRowsResumesAfterARestartAndSwitchesTheAlias() throws Exception {
        ServiceTestBed bed = new ServiceTestBed(dir);
        String run = Long.toString(System.nanoTime(), 36);
        String database = "svcrs_" + run;
        String topic = bed.topic("items");
        String alias = bed.index("items");
        String oldIndex = alias + "-v1";
        String newIndex = alias + "-v2";
        KAFKA.createTopic(topic, 2);
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); RestClient es = ES.newClient()) {
            db.execute("CREATE DATABASE " + database, "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY,"
                    + " name VARCHAR(64) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, updated DATETIME(3) NOT NULL)");
            ServiceBackfillIT.prefill(db, database);
            // the old index, with a dynamic mapping, behind the alias the rules write to
            put(es, "/" + oldIndex, "{\"aliases\": {\"" + alias + "\": {}}}");

            String strict = "{\"settings\": {\"number_of_shards\": 1, \"number_of_replicas\": 0},"
                    + " \"mappings\": {\"dynamic\": \"strict\", \"properties\": {\"id\": {\"type\": \"long\"},"
                    + " \"name\": {\"type\": \"keyword\"}, \"qty\": {\"type\": \"integer\"},"
                    + " \"price\": {\"type\": \"double\"},"
                    + " \"updated\": {\"type\": \"date\"}}}}";
            Path file = bed.write(document(bed, db, database, alias, run, 400, "", ", \"resync\": {\"alias\": \"" + alias
                    + "\", \"newIndex\": \"" + newIndex + "\", \"newIndexBody\": " + strict + ", \"deleteOldIndex\": true}"));

            ServiceBackfillIT.Writer writer = new ServiceBackfillIT.Writer(db, database, topic);
            Thread writing = new Thread(writer, "svc-rs-writer");
            // neither run can finish its load before the test lets it: the first is closed in the middle,
            // the second races the stream, however fast either runs
            ServiceBackfillIT.RowLock held = ServiceBackfillIT.RowLock.hold(db, database, ServiceBackfillIT.HELD);
            BinlogSyncService service = start(file);
            try {
                writing.start();
                Http http = http(service);
                // the first run: shadowing and loading; closed in the middle of the load
                JsonNode loading = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the re-sync loading on /status",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> b.at("/tables/" + database + ".items/rowsDone").asLong() >= 6 * CHUNK
                                || !b.at("/state").asText().equals("RUNNING"));
                assertEquals("RUNNING", loading.at("/state").asText(), loading.toString());
                assertEquals("SHADOWING", loading.at("/resync/step").asText(), loading.toString());
                assertEquals(newIndex, loading.at("/resync/newIndex").asText());
                assertEquals(List.of(oldIndex), aliasTargets(es, alias), "the alias stays on the old index while loading");
                BackfillRun firstRun = service.supervisor().backfills().get("items");
                service.close();
                BackfillStatus stopped = firstRun.status();
                assertEquals(BackfillStatus.State.STOPPED, stopped.state(), stopped.toString());
                assertEquals("SHADOWING", stopped.resync().step(), stopped.toString());
                long firstRunRows = stopped.tables().get(0).rowsDone();
                assertTrue(firstRunRows >= 6 * CHUNK && !stopped.tables().get(0).finished(),
                        "the first run stopped in the middle: " + stopped);
                long changesAtRestart = writer.changes();

                // the second run continues from the state (shadow restored) and the checkpoint
                service = start(file);
                Http http2 = http(service);
                JsonNode resumed = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the re-sync running again on /status",
                        () -> http2.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("NOT_STARTED"));
                assertEquals("RUNNING", resumed.at("/state").asText(), resumed.toString());
                held.awaitLockingReadWaiting();
                writer.awaitChanges(51);
                held.release();
                JsonNode done = Await.every(Duration.ofMillis(200)).valueOf(WAIT, "the re-sync done on /status",
                        () -> http2.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("RUNNING") && !b.at("/state").asText().equals("NOT_STARTED"));
                assertEquals("DONE", done.at("/state").asText(), done.toString());
                assertEquals("SWITCHED", done.at("/resync/step").asText(), done.toString());
                assertFalse(done.at("/resync/alreadySwitched").asBoolean(), done.toString());
                long secondRunRows = rowsDone(done, database);
                // resumed: the second run read only the keys after the first run's checkpoint (at most
                // ROWS + 200 ids exist; one chunk may be read again)
                assertTrue(secondRunRows > 0 && firstRunRows + secondRunRows <= ServiceBackfillIT.ROWS + 200 + CHUNK,
                        "first run " + firstRunRows + " rows, second " + secondRunRows);
                assertTrue(writer.changes() - changesAtRestart > 50, "the stream changed rows during the re-sync");
                assertEquals(List.of(newIndex), aliasTargets(es, alias));
                assertFalse(exists(es, oldIndex), "deleteOldIndex: the old index is gone");
                JsonNode mapping = get(es, "/" + newIndex + "/_mapping").at("/" + newIndex + "/mappings");
                assertEquals("strict", mapping.at("/dynamic").asText(), mapping.toString());
                assertEquals("keyword", mapping.at("/properties/name/type").asText(), mapping.toString());

                String metrics = http2.get("/metrics").body();
                assertEquals(1.0, Http.sample(metrics, "binlogsync_resync_switched", "pipeline", "items", "alias", alias),
                        metrics);
                assertEquals(0.0, Http.sample(metrics, "binlogsync_resync_failures_total", "pipeline", "items",
                        "alias", alias), metrics);
                assertEquals((double) secondRunRows, Http.sample(metrics, "binlogsync_backfill_rows_total",
                        "pipeline", "items", "table", database + ".items"), metrics);
                assertEquals(200, http2.get("/health").statusCode());

                // the stream keeps writing through the alias into the new index; then Elasticsearch equals MariaDB
                writer.awaitChanges(100);
                writer.stopAndCheck(writing);
                Map<String, Map<String, Object>> expected = ServiceBackfillIT.rows(db, database);
                assertTrue(expected.size() > ServiceBackfillIT.ROWS / 2, "rows to compare: " + expected.size());
                if (!Await.holdsWithin(WAIT, () -> ServiceBackfillIT.documents(es, alias).equals(expected))) {
                    throw new AssertionError("Elasticsearch differs from MariaDB: "
                            + ServiceBackfillIT.diff(expected, ServiceBackfillIT.documents(es, alias)));
                }
                service.close();

                // a third start with the same file: the re-sync is done; it says so and does nothing
                service = start(file);
                Http http3 = http(service);
                JsonNode again = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the re-sync's third run ended",
                        () -> http3.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("RUNNING") && !b.at("/state").asText().equals("NOT_STARTED"));
                assertEquals("DONE", again.at("/state").asText(), again.toString());
                assertTrue(again.at("/resync/alreadySwitched").asBoolean(), again.toString());
                assertTrue(again.at("/tables").isEmpty(), "nothing loaded: " + again);
                assertEquals(List.of(newIndex), aliasTargets(es, alias));
            } finally {
                held.close();
                if (writing.isAlive()) {
                    writer.stopAndCheck(writing);
                }
                service.close();
            }
        }
    }

    @Test
    void aReloadThatRemovesTheSectionAbortsTheResyncAndTheStreamKeepsWritingTheOldIndex() throws Exception {
        ServiceTestBed bed = new ServiceTestBed(dir);
        String run = Long.toString(System.nanoTime(), 36);
        String database = "svcra_" + run;
        String topic = bed.topic("items");
        String alias = bed.index("items");
        String oldIndex = alias + "-v1";
        String newIndex = alias + "-v2";
        String stateIndex = "svc-rs-state-" + run;
        KAFKA.createTopic(topic, 2);
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); RestClient es = ES.newClient()) {
            db.execute("CREATE DATABASE " + database, "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY,"
                    + " name VARCHAR(64) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, updated DATETIME(3) NOT NULL)");
            ServiceBackfillIT.prefill(db, database);
            put(es, "/" + oldIndex, "{\"aliases\": {\"" + alias + "\": {}}}");
            Path file = bed.write(document(bed, db, database, alias, run, 200, "", ", \"resync\": {\"alias\": \"" + alias
                    + "\", \"newIndex\": \"" + newIndex + "\"}"));

            ServiceBackfillIT.Writer writer = new ServiceBackfillIT.Writer(db, database, topic);
            Thread writing = new Thread(writer, "svc-ra-writer");
            BinlogSyncService service = start(file);
            try {
                writing.start();
                Http http = http(service);
                JsonNode loading = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the re-sync loading on /status",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> b.at("/tables/" + database + ".items/rowsDone").asLong() >= 2 * CHUNK
                                || !b.at("/state").asText().equals("RUNNING"));
                assertEquals("SHADOWING", loading.at("/resync/step").asText(), loading.toString());
                assertTrue(exists(es, newIndex));

                // the section removed (and the backfill not run): the reload aborts the re-sync
                bed.write(document(bed, db, database, alias, run, 200, ", \"runAtStart\": false", ""));
                JsonNode after = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the pipeline replaced without re-sync",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> b.at("/state").asText().equals("NOT_STARTED"));
                assertTrue(after.at("/resync").isMissingNode(), after.toString());
                assertFalse(exists(es, newIndex), "the abort deleted the new index");
                assertFalse(get(es, "/" + stateIndex + "/_doc/resync:" + alias + "?realtime=true", true)
                        .path("found").asBoolean(), "the abort deleted the state");
                assertEquals(List.of(oldIndex), aliasTargets(es, alias));

                // the stream goes on into the old index alone; no late copy re-creates the new one
                long before = count(es, oldIndex);
                writer.awaitChanges(200);
                writer.stopAndCheck(writing);
                Await.until(WAIT, "the stream's later changes in the old index", () -> count(es, oldIndex) > before);
                assertFalse(exists(es, newIndex), "nothing wrote into the aborted index");
            } finally {
                if (writing.isAlive()) {
                    writer.stopAndCheck(writing);
                }
                service.close();
            }
        }
    }

    @Test
    void aSecondServiceInTheSameConsumerGroupMakesTheResyncFailNamingTheMemberItDoesNotShadowAndTheAliasStays()
            throws Exception {
        ServiceTestBed bed = new ServiceTestBed(dir);
        String run = Long.toString(System.nanoTime(), 36);
        String database = "svcrg_" + run;
        String topic = bed.topic("items");
        String alias = bed.index("items");
        String oldIndex = alias + "-v1";
        String newIndex = alias + "-v2";
        KAFKA.createTopic(topic, 2);
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); RestClient es = ES.newClient();
                KafkaGroupMembers group = KafkaGroupMembers.create(KAFKA.bootstrapServers(), KafkaSecurity.none(),
                        bed.group("items"))) {
            db.execute("CREATE DATABASE " + database, "CREATE TABLE " + database + ".items (id BIGINT PRIMARY KEY,"
                    + " name VARCHAR(64) NOT NULL, qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, updated DATETIME(3) NOT NULL)");
            ServiceBackfillIT.prefill(db, database);
            put(es, "/" + oldIndex, "{\"aliases\": {\"" + alias + "\": {}}}");
            // the same file for both, as two processes of one deployment would run it
            Path file = bed.write(document(bed, db, database, alias, run, 100, "", ", \"resync\": {\"alias\": \"" + alias
                    + "\", \"newIndex\": \"" + newIndex + "\"}"));
            BinlogSyncService first = start(file);
            BinlogSyncService second = null;
            try {
                Http http = http(first);
                JsonNode loading = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the first service's re-sync loading",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> b.at("/tables/" + database + ".items/rowsDone").asLong() >= CHUNK
                                || !b.at("/state").asText().equals("RUNNING"));
                assertEquals("SHADOWING", loading.at("/resync/step").asText(), loading.toString());

                second = start(file);
                Http http2 = http(second);
                JsonNode failed = Await.every(Duration.ofMillis(100)).valueOf(WAIT, "the second service's re-sync ended",
                        () -> http2.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("RUNNING") && !b.at("/state").asText().equals("NOT_STARTED"));
                assertEquals("FAILED", failed.at("/state").asText(), failed.toString());
                String error = failed.at("/error").asText();
                Set<String> members = group.get();
                assertEquals(2, members.size(), "both services are members: " + members);
                assertTrue(error.contains("without a shadow sink") && members.stream().anyMatch(error::contains),
                        "names the other member " + members + ": " + error);
                assertEquals(503, http2.get("/health").statusCode());

                // the first one's run cannot switch either: the state records the unshadowed member
                JsonNode firstEnd = Await.every(Duration.ofMillis(200)).valueOf(WAIT, "the first service's re-sync ended",
                        () -> http.json("/status").at("/pipelines/items/backfill"),
                        b -> !b.at("/state").asText().equals("RUNNING"));
                assertEquals("FAILED", firstEnd.at("/state").asText(), firstEnd.toString());
                assertEquals(List.of(oldIndex), aliasTargets(es, alias), "the alias stays on the old index");
            } finally {
                if (second != null) {
                    second.close();
                }
                first.close();
            }
        }
    }

    /** The service document: one pipeline writing shop's items to the alias, its backfill section, and {@code more} keys. */
    private static String document(ServiceTestBed bed, EmbeddedMariaDb db, String database, String alias, String run,
            int rate, String backfillMore, String more) {
        String pipeline = "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"" + KAFKA.bootstrapServers() + "\","
                + " \"groupId\": \"" + bed.group("items") + "\", \"topics\": [\"" + bed.topic("items") + "\"],"
                + " \"format\": \"canal\", \"canal\": {\"fullRowImage\": true}},"
                + " \"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"" + ES.httpUrl() + "\"]},"
                + " \"rules\": [{\"database\": \"" + database + "\", \"table\": \"items\", \"index\": \"" + alias + "\"}],"
                + " \"settings\": {\"flushInterval\": \"50ms\"},"
                + " \"backfill\": {\"jdbc\": {\"url\": \"" + db.jdbcUrl(database) + "\", \"user\": \"" + db.user() + "\","
                + " \"password\": \"${SVC_RS_DB_PASSWORD:}\"}, \"chunkSize\": " + CHUNK + ", \"maxRowsPerSecond\": " + rate
                + ", \"restartFence\": \"0s\", \"checkpointIndex\": \"svc-rs-state-" + run + "\"" + backfillMore + "}"
                + more + "}";
        return ServiceTestBed.documentWithService("{\"http\": {\"host\": \"127.0.0.1\", \"port\": 0},"
                + " \"configPollInterval\": \"200ms\", \"shutdownTimeout\": \"60s\"}", "items", pipeline);
    }

    private static long count(RestClient es, String index) {
        try {
            es.performRequest(new Request("POST", "/" + index + "/_refresh"));
            return get(es, "/" + index + "/_count").path("count").asLong();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BinlogSyncService start(Path file) throws Exception {
        BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), Map.of(),
                PipelineFactory.standard(), StandardEndpoints::start);
        service.start();
        return service;
    }

    private static Http http(BinlogSyncService service) {
        return new Http(((StandardEndpoints) service.endpoints()).address());
    }

    private static long rowsDone(JsonNode backfill, String database) {
        return backfill.at("/tables/" + database + ".items/rowsDone").asLong();
    }

    private static List<String> aliasTargets(RestClient es, String alias) throws IOException {
        List<String> out = new ArrayList<>();
        get(es, "/_alias/" + alias).fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static boolean exists(RestClient es, String index) throws IOException {
        try {
            return es.performRequest(new Request("HEAD", "/" + index)).getStatusLine().getStatusCode() == 200;
        } catch (ResponseException e) {
            return false;
        }
    }

    private static JsonNode get(RestClient es, String path) throws IOException {
        return get(es, path, false);
    }

    /** GET {@code path}; with {@code notFoundToo}, a 404's body instead of an exception. */
    private static JsonNode get(RestClient es, String path, boolean notFoundToo) throws IOException {
        int q = path.indexOf('?');
        Request r = new Request("GET", q < 0 ? path : path.substring(0, q));
        if (q >= 0) {
            for (String kv : path.substring(q + 1).split("&")) {
                String[] p = kv.split("=", 2);
                r.addParameter(p[0], p[1]);
            }
        }
        try {
            return JSON.readTree(es.performRequest(r).getEntity().getContent());
        } catch (ResponseException e) {
            if (notFoundToo && e.getResponse().getStatusLine().getStatusCode() == 404) {
                return JSON.readTree(e.getResponse().getEntity().getContent());
            }
            throw e;
        }
    }

    private static void put(RestClient es, String path, String body) throws IOException {
        Request r = new Request("PUT", path);
        r.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        es.performRequest(r);
    }
}
