package dev.binlogsync.service;

import static dev.binlogsync.service.ServiceTestBed.ES;
import static dev.binlogsync.service.ServiceTestBed.KAFKA;
import static dev.binlogsync.service.ServiceTestBed.WAIT;
import static dev.binlogsync.service.ServiceTestBed.documentWithService;
import static dev.binlogsync.service.ServiceTestBed.documents;
import static dev.binlogsync.service.ServiceTestBed.expected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertCondition;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.service.http.Http;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service as {@link ServiceMain} runs it ({@link StandardEndpoints}: HTTP endpoints,
 * alerts, heartbeats) from a configuration file, against the in-process Kafka and Elasticsearch,
 * with two pipelines that each carry a heartbeat.
 */
@Timeout(900)
class ServiceEndToEndIT {
    private static final String ALERT = "binlogsync_alert_active";
    private static final String HEARTBEAT_AGE = AlertCondition.HEARTBEAT_AGE_ABOVE.name();
    private static final List<String> TABLES = List.of("orders", "users");
    /** Short bounds: alerts and heartbeats every 200 ms, a heartbeat older than 5 s alerts at once. */
    private static final String SERVICE = "{\"http\": {\"host\": \"127.0.0.1\", \"port\": 0},"
            + " \"configPollInterval\": \"200ms\", \"shutdownTimeout\": \"60s\", \"alertInterval\": \"200ms\","
            + " \"heartbeatInterval\": \"200ms\", \"alerts\": {\"heartbeatAge\": {\"above\": \"5s\"}}}";

    @TempDir
    Path dir;

    @Test
    void servesItsEndpointsReplacesOnlyTheChangedPipelineUnderLoadAlertsOnAStaleHeartbeatAndCommitsAtShutdown()
            throws Exception {
        ServiceTestBed bed = new ServiceTestBed(dir);
        for (String table : TABLES) {
            KAFKA.createTopic(bed.topic(table), 2);
        }
        String users = bed.pipelineWithHeartbeat("users", "");
        Path file = bed.write(documentWithService(SERVICE, "orders", bed.pipelineWithHeartbeat("orders", ""), "users", users));
        ServiceTestBed.Producer producer = bed.new Producer("orders", "users");
        Thread producing = new Thread(producer, "svc-e2e-producer");
        Set<String> beating = ConcurrentHashMap.newKeySet();
        beating.addAll(TABLES);
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        beats.scheduleWithFixedDelay(() -> beating.forEach(bed::heartbeat), 0, 200, TimeUnit.MILLISECONDS);
        BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), System.getenv(),
                PipelineFactory.standard(), StandardEndpoints::start);
        try (RestClient es = ES.newClient()) {
            service.start();
            PipelineSupervisor supervisor = service.supervisor();
            Http http = new Http(((StandardEndpoints) service.endpoints()).address());
            producing.start();

            // ------------------------------------------------ every endpoint, both pipelines
            // the beats written before the pipelines started are older than the bound when they are first
            // read, on a slow machine: their alert may fire at first; wait for it to have resolved
            Await.every(Duration.ofMillis(200)).untilHolds(WAIT, "both pipelines syncing, with a fresh heartbeat", () -> {
                JsonNode p = http.json("/status").at("/pipelines");
                return TABLES.stream().allMatch(t -> p.at("/" + t + "/counts/records").asLong() > 0
                        && p.at("/" + t + "/heartbeatAgeMillis").isNumber() && p.at("/" + t + "/alerts").size() == 0);
            });
            HttpResponse<String> health = http.get("/health");
            assertEquals(200, health.statusCode(), health.body());
            String metrics = http.get("/metrics").body();
            for (String t : TABLES) {
                assertEquals(t, supervisor.pipelines().get(t).name(), "the pipeline is named after its key");
                assertEquals("HEALTHY", Http.parse(health.body()).at("/pipelines/" + t + "/status").asText(), health.body());
                assertTrue(Http.sample(metrics, "binlogsync_records_total", "pipeline", t) > 0, metrics);
                assertEquals(1.0, Http.sample(metrics, "binlogsync_health", "pipeline", t), metrics);
                assertTrue(Http.sample(metrics, "binlogsync_heartbeat_age_seconds", "pipeline", t) >= 0, metrics);
                assertEquals(0.0, Http.sample(metrics, ALERT, "pipeline", t, "condition", HEARTBEAT_AGE), metrics);
            }
            JsonNode started = http.json("/status").at("/service");
            assertEquals("file " + file, started.at("/configSource").asText());
            assertEquals("APPLIED", started.at("/lastReloadResult").asText());
            assertEquals(List.of("orders", "users"), strings(started.at("/lastReload/added")));
            assertTrue(started.at("/lastReloadError").isNull(), started.toString());
            assertEquals("PT0.2S", started.at("/alertInterval").asText());

            // ------------------------------------------------ orders' rule changes under load
            SyncPipeline orders1 = supervisor.pipelines().get("orders");
            SyncPipeline users1 = supervisor.pipelines().get("users");
            producer.awaitProduced(300);
            bed.write(documentWithService(SERVICE, "orders", bed.pipelineWithHeartbeat("orders", ", \"constants\": {\"rev\": \"2\"}"),
                    "users", users));
            JsonNode reloaded = Await.every(Duration.ofMillis(200)).valueOf(WAIT, "the reload on /status",
                    () -> http.json("/status").at("/service"), s -> s.at("/appliedConfigurations").asLong() == 2);
            // every change produced from here on was produced after the old orders pipeline stopped
            long afterRev2 = producer.seq();
            assertEquals("APPLIED", reloaded.at("/lastReloadResult").asText());
            assertEquals(List.of("orders"), strings(reloaded.at("/lastReload/replaced")), reloaded.toString());
            assertEquals(List.of(), strings(reloaded.at("/lastReload/added")));
            assertEquals(List.of(), strings(reloaded.at("/lastReload/removed")));
            SyncPipeline orders2 = supervisor.pipelines().get("orders");
            assertNotSame(orders1, orders2);
            assertEquals(PipelineState.CLOSED, orders1.state());
            assertSame(users1, supervisor.pipelines().get("users"));
            assertEquals(1, supervisor.starts("users"));

            // the old instance committed at its drain; the new one commits only at its own (commitInterval 1h)
            assertTrue(orders1.metrics().commits() > 0, "the replaced pipeline committed when it drained");
            long readBefore = orders2.metrics().records();
            String afterReload = http.get("/metrics").body();
            long readAfter = orders2.metrics().records();
            double shown = Http.sample(afterReload, "binlogsync_records_total", "pipeline", "orders"); // one series
            assertTrue(readBefore <= shown && shown <= readAfter,
                    "the new instance's count " + readBefore + ".." + readAfter + ", shown " + shown);
            assertEquals(0.0, Http.sample(afterReload, "binlogsync_commits_total", "pipeline", "orders"), afterReload);
            assertEquals(0.0, Http.sample(afterReload, ALERT, "pipeline", "orders", "condition", HEARTBEAT_AGE));
            assertTrue(Http.sample(afterReload, "binlogsync_records_total", "pipeline", "users") > 0, afterReload);

            // ------------------------------------------------ Elasticsearch holds what was produced
            producer.awaitProduced(300);
            producer.stopAndCheck(producing);
            Map<String, Map<String, Object>> expectedUsers = expected(producer.last("users"));
            Map<String, Map<String, Object>> expectedOrders = expected(producer.last("orders"));
            assertTrue(expectedUsers.size() > 20 && expectedOrders.size() > 20, "rows to check");
            Await.until(WAIT, "users in Elasticsearch as last produced",
                    () -> documents(es, bed.index("users")).equals(expectedUsers));
            // a change produced after the replacement can only have been written by the new rule
            Await.until(WAIT, "orders in Elasticsearch as last produced", () -> ServiceTestBed.matchesWithRev(
                    documents(es, bed.index("orders")), expectedOrders,
                    seq -> seq > afterRev2 ? Set.of("2") : new HashSet<>(Arrays.asList(null, "2"))));
            assertTrue(expectedOrders.values().stream().anyMatch(d -> (Long) d.get("seq") > afterRev2),
                    "some orders rows were last changed under the new rule");

            // ------------------------------------------------ users' heartbeat goes stale, then resumes
            beating.remove("users");
            Await.every(Duration.ofMillis(200)).untilHolds(WAIT, "users' heartbeat alert in /metrics",
                    () -> Double.valueOf(1.0).equals(Http.sample(http.get("/metrics").body(), ALERT, "pipeline", "users",
                            "condition", HEARTBEAT_AGE)));
            JsonNode alert = http.json("/status").at("/pipelines/users/alerts/0");
            assertEquals(HEARTBEAT_AGE, alert.at("/condition").asText(), alert.toString());
            beating.add("users");
            Await.every(Duration.ofMillis(200)).untilHolds(WAIT, "users' heartbeat alert resolved",
                    () -> http.json("/status").at("/pipelines/users/alerts").size() == 0
                            && Double.valueOf(0.0).equals(Http.sample(http.get("/metrics").body(), ALERT,
                                    "pipeline", "users", "condition", HEARTBEAT_AGE)));

            // ------------------------------------------------ shutdown commits up to the end offsets
            // shutdown(), not shutdownNow(): an interrupt would end a heartbeat's synchronous send
            // after handing the record to the producer, which then lands after the service stopped
            beats.shutdown();
            assertTrue(beats.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS), "the heartbeat writer stopped");
            Map<String, Map<TopicPartition, Long>> ends = new HashMap<>();
            for (String t : TABLES) {
                ends.put(t, bed.endOffsets(t));
            }
            List<Integer> halts = new ArrayList<>();
            new ServiceMain.GracefulShutdown(service, halts::add, () -> { }).closeWithinBound();
            assertEquals(List.of(), halts);
            for (String t : TABLES) {
                assertEquals(ends.get(t), bed.endOffsets(t), t + ": nothing was produced after the shutdown began");
                assertEquals(ends.get(t), KAFKA.committedOffsets(bed.group(t)), t);
            }
        } finally {
            if (producing.isAlive()) {
                producer.stopAndCheck(producing);
            }
            beats.shutdownNow();
            service.close();
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
