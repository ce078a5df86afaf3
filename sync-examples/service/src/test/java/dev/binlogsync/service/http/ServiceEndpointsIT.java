package dev.binlogsync.service.http;

import static dev.binlogsync.service.ServiceTestBed.canalInsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.HeartbeatCheck;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The endpoints over a real pipeline (in-process Kafka, in-process Elasticsearch) carrying orders
 * and a heartbeat: every endpoint answers from the running pipeline, and the heartbeat alert fires
 * when the heartbeats stop and resolves when they resume.
 */
@Timeout(300)
class ServiceEndpointsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "svc-http-changes";
    private static final String ORDERS_INDEX = "svc-http-orders";
    private static final String HEARTBEAT_INDEX = "svc-http-heartbeat";
    private static final String ALERT = "binlogsync_alert_active";

    /** shop.orders rows into the orders index by id; shop.heartbeat rows into the heartbeat index by source. */
    private static final RuleSet RULES = (event, out) -> {
        if (event.table().equals("heartbeat")) {
            out.collect(DocumentAction.index(HEARTBEAT_INDEX, String.valueOf(event.row().get("source")),
                    Map.of("beat_ms", event.row().get("beat_ms"))));
        } else {
            out.collect(DocumentAction.index(ORDERS_INDEX, String.valueOf(event.row().get("id")), Map.of("id",
                    event.row().get("id"))));
        }
    };

    private static void createIndex(RestClient client, String index, String properties) throws Exception {
        Request put = new Request("PUT", "/" + index);
        put.setJsonEntity("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
                + "\"mappings\":{\"properties\":" + properties + "}}");
        client.performRequest(put);
    }

    @Test
    void everyEndpointAnswersFromARealPipelineAndTheHeartbeatAlertFiresWhenBeatsStopAndResolvesWhenTheyResume()
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
        kafka.createTopic(TOPIC, 1);
        TestRegistry registry = new TestRegistry();
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (RestClient client = es.newClient()) {
            createIndex(client, HEARTBEAT_INDEX, "{\"beat_ms\":{\"type\":\"long\"}}");
            createIndex(client, ORDERS_INDEX, "{\"id\":{\"type\":\"long\"}}");
            for (int id = 1; id <= 5; id++) {
                kafka.send(TOPIC, 0, null, canalInsert("orders", "id", Integer.toString(id), "qty", "1",
                        System.currentTimeMillis()), null);
            }
            Runnable beat = () -> {
                long now = System.currentTimeMillis();
                kafka.send(TOPIC, 0, null, canalInsert("heartbeat", "source", "svc", "beat_ms", Long.toString(now), now),
                        null);
            };
            ScheduledFuture<?> writing = beats.scheduleWithFixedDelay(beat, 0, 200, TimeUnit.MILLISECONDS);

            KafkaSource source = KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).groupId("svc-http")
                    .topics(TOPIC).decoder(CanalFlatMessageDecoder.create()).property("heartbeat.interval.ms", 300)
                    .closeTimeout(Duration.ofSeconds(5)).build();
            SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(RULES)
                    .sink(ElasticsearchSink.builder().hosts(es.httpUrl()).build()).threadName("orders")
                    .flushInterval(Duration.ofMillis(20)).commitInterval(Duration.ofMillis(100))
                    .pollTimeout(Duration.ofMillis(50)).drainTimeout(Duration.ofSeconds(10)).build();
            pipeline.start();
            registry.start("orders", pipeline);

            AlertRules rules = AlertRules.builder().heartbeatAgeAbove(Duration.ofSeconds(5)).healthNotHealthy().build();
            try (ServiceEndpoints endpoints = ServiceEndpoints.start(registry, rules,
                            new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100));
                    HeartbeatReporter reporter = HeartbeatReporter.start(registry,
                            HeartbeatProbe.of(HeartbeatCheck.of(client, HEARTBEAT_INDEX)), Duration.ofMillis(100))) {
                Http http = new Http(endpoints.address());

                // every endpoint, from the running pipeline
                Await.every(Duration.ofMillis(200)).untilHolds(WAIT, "the orders and a heartbeat synced", () -> {
                    JsonNode s = http.json("/status").at("/pipelines/orders");
                    // an action is counted when made, its latency when acknowledged: wait for both; the beats
                    // written before the pipeline started may be older than the bound when first read on a
                    // slow machine: wait for their alert to have resolved
                    return s.at("/counts/actions").asLong() >= 6 && s.at("/syncLatencyMillis/count").asLong() >= 6
                            && s.at("/heartbeatAgeMillis").isNumber() && s.at("/alerts").size() == 0
                            && s.at("/counts/commits").asLong() > 0 && s.at("/lag/partitions").has(TOPIC + "-0");
                });
                HttpResponse<String> health = http.get("/health");
                assertEquals(200, health.statusCode(), health.body());
                assertEquals("HEALTHY", Http.parse(health.body()).at("/pipelines/orders/status").asText());
                assertEquals(200, http.get("/health/ready").statusCode());
                assertEquals(200, http.get("/health/live").statusCode());

                JsonNode status = http.json("/status").at("/pipelines/orders");
                assertEquals("RUNNING", status.get("state").asText());
                assertTrue(status.at("/lag/total").isIntegralNumber(), status.toString());
                assertTrue(status.at("/syncLatencyMillis/count").asLong() >= 6, status.toString());
                assertEquals(0, status.get("alerts").size(), status.toString());

                String metrics = http.get("/metrics").body();
                assertTrue(Http.sample(metrics, "binlogsync_records_total", "pipeline", "orders") >= 6, metrics);
                assertEquals(1.0, Http.sample(metrics, "binlogsync_health", "pipeline", "orders"));
                assertTrue(Http.sample(metrics, "binlogsync_heartbeat_age_seconds", "pipeline", "orders") >= 0);
                assertEquals(0.0, Http.sample(metrics, ALERT, "pipeline", "orders", "condition", "HEARTBEAT_AGE_ABOVE"));
                assertEquals(0.0, Http.sample(metrics, ALERT, "pipeline", "orders", "condition", "HEALTH_NOT_HEALTHY"));
                assertEquals(404, http.get("/unknown").statusCode());
                assertEquals(405, http.send("PUT", "/status").statusCode());

                // the heartbeats stop: the alert fires on /status and in the gauge
                writing.cancel(false);
                JsonNode alert = Await.every(Duration.ofMillis(200)).valueOf(WAIT, "the heartbeat alert on /status",
                        () -> http.json("/status").at("/pipelines/orders/alerts/0"), a -> !a.isMissingNode());
                assertEquals("HEARTBEAT_AGE_ABOVE", alert.get("condition").asText());
                assertEquals("> PT5S for PT0S", alert.get("bound").asText());
                assertEquals(1.0, Http.sample(http.get("/metrics").body(), ALERT, "pipeline", "orders", "condition",
                        "HEARTBEAT_AGE_ABOVE"));
                assertEquals(200, http.get("/health").statusCode(), "a stale heartbeat is an alert, not ill health");

                // they resume: the alert resolves
                writing = beats.scheduleWithFixedDelay(beat, 0, 200, TimeUnit.MILLISECONDS);
                Await.every(Duration.ofMillis(200)).untilHolds(WAIT, "the heartbeat alert resolved on /status",
                        () -> http.json("/status").at("/pipelines/orders/alerts").size() == 0);
                assertEquals(0.0, Http.sample(http.get("/metrics").body(), ALERT, "pipeline", "orders", "condition",
                        "HEARTBEAT_AGE_ABOVE"));
                writing.cancel(false);
            } finally {
                registry.stop("orders");
                pipeline.close();
            }
        } finally {
            beats.shutdownNow();
        }
    }
}
