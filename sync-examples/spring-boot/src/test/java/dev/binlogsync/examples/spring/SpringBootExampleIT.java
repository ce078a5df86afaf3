package dev.binlogsync.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application against the real in-process Kafka broker and Elasticsearch node: Canal
 * messages produced to Kafka end up as documents in Elasticsearch, and the application's own HTTP
 * endpoints report the pipeline (health with its details, Micrometer metrics, Prometheus text).
 * More contexts of the same application, started by hand so the test can close them, show the
 * drain-and-commit on close and the health going DOWN when Elasticsearch cannot be reached.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// a @SpringBootTest switches metric exporters off (no /actuator/prometheus) unless asked for them
@AutoConfigureObservability(tracing = false)
@Timeout(300)
class SpringBootExampleIT {

    static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();
    static final EmbeddedElasticsearch ES = EmbeddedElasticsearch.shared();
    static final Duration WAIT = Duration.ofSeconds(90);
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger SEQ = new AtomicInteger();
    static final String SHOW_DETAILS = "management.endpoint.health.show-details";

    /** The names of the @SpringBootTest context's pipeline. */
    static final Names MAIN = Names.next();

    @DynamicPropertySource
    static void pipelineProperties(DynamicPropertyRegistry registry) {
        KAFKA.createTopic(MAIN.topic, 2);
        MAIN.properties(ES.httpUrl()).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;

    @Autowired
    SyncPipeline pipeline;

    @Test
    void syncsCanalRowsIntoElasticsearchAndReportsThePipelineOnActuator() throws Exception {
        Map<Long, Row> rows = Map.of(
                1L, new Row(1, "paid", 3),
                2L, new Row(2, "new", 1),
                3L, new Row(3, "shipped", 12));
        produce(MAIN.topic, rows.values());

        for (Row row : rows.values()) {
            JsonNode source = awaitDocument(MAIN.index, row.id());
            assertEquals(Set.of("id", "status", "qty"), fieldNames(source), source.toString());
            assertEquals(row.id(), source.get("id").asLong(), source.toString());
            assertTrue(source.get("id").isIntegralNumber(), "id stays a number: " + source);
            assertEquals(row.status(), source.get("status").asText(), source.toString());
            assertEquals(row.qty(), source.get("qty").asLong(), source.toString());
            assertTrue(source.get("qty").isIntegralNumber(), "qty stays a number: " + source);
        }

        HttpResponse<String> health = get(port, "/actuator/health");
        assertEquals(200, health.statusCode(), health.body());
        JsonNode body = JSON.readTree(health.body());
        assertEquals("UP", body.path("status").asText(), health.body());
        JsonNode component = body.path("components").path("binlogSync");
        assertEquals("UP", component.path("status").asText(), health.body());
        JsonNode details = component.path("details");
        assertEquals(MAIN.pipeline, details.path("pipeline").asText(), health.body());
        assertEquals("RUNNING", details.path("state").asText(), health.body());
        assertEquals("HEALTHY", details.path("status").asText(), health.body());
        assertEquals("ok", details.path("reason").asText(), health.body());
        for (String detail : List.of("lag", "bufferedActions", "bufferedBytes", "paused")) {
            assertTrue(details.has(detail), detail + " in " + health.body());
        }

        // the meters read the pipeline's snapshot, which the pipeline thread refreshes on its own
        // schedule: wait for the counters to show the rows that are already in Elasticsearch
        String tag = "pipeline=\"" + MAIN.pipeline + "\"";
        HttpResponse<String> scrape = Await.value(WAIT, "binlogsync_events_total of " + MAIN.pipeline + " on /actuator/prometheus",
                () -> get(port, "/actuator/prometheus"), r -> {
                    Double v = prometheusValue(r.body(), "binlogsync_events_total", tag);
                    return v != null && v >= rows.size();
                });
        String prometheus = scrape.body();
        assertEquals(200, scrape.statusCode(), prometheus);
        assertEquals((double) rows.size(), prometheusValue(prometheus, "binlogsync_events_total", tag), prometheus);
        assertEquals(1.0, prometheusValue(prometheus, "binlogsync_health", tag), prometheus);
        // one action per row, whatever operation the write mode gives it
        assertEquals((double) rows.size(), prometheusSum(prometheus, "binlogsync_actions_total", tag), prometheus);

        HttpResponse<String> metric = get(port, "/actuator/metrics/binlogsync.events?tag=pipeline:" + MAIN.pipeline);
        assertEquals(200, metric.statusCode(), metric.body());
        JsonNode measurement = JSON.readTree(metric.body()).path("measurements").path(0);
        assertEquals("COUNT", measurement.path("statistic").asText(), metric.body());
        assertEquals(rows.size(), measurement.path("value").asDouble(), metric.body());
        assertEquals(PipelineState.RUNNING, pipeline.state());
    }

    @Test
    void closingTheContextDrainsTheBufferedDocumentsAndCommitsWhileTheWebServerStillAnswers() throws Exception {
        Names names = Names.next();
        KAFKA.createTopic(names.topic, 2);
        Map<String, String> properties = new LinkedHashMap<>(names.properties(ES.httpUrl()));
        // the shipped show-details (when-authorized) on /actuator/health; the readiness group shows them
        properties.remove(SHOW_DETAILS);
        properties.put("management.endpoint.health.group.readiness.show-details", "always");
        // nothing flushed and nothing committed while the test runs: the rows wait in the buffer, and
        // what is in Elasticsearch and committed at the end, the close wrote and committed
        properties.put("binlog-sync.env.FLUSH_INTERVAL", "1h");
        properties.put("binlog-sync.env.COMMIT_INTERVAL", "1h");
        // when the pipeline reaches CLOSED (on its thread, inside close()), the readiness probe as
        // the web server answers it then
        AtomicReference<String> atClose = new AtomicReference<>("the pipeline never reached CLOSED");
        AtomicReference<ConfigurableApplicationContext> started = new AtomicReference<>();
        PipelineListener probe = new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                if (to == PipelineState.CLOSED) {
                    try {
                        HttpResponse<String> r = get(port(started.get()), "/actuator/health/readiness");
                        atClose.set(r.statusCode() + " " + r.body());
                    } catch (Exception e) {
                        atClose.set("no answer: " + e);
                    }
                }
            }
        };
        ConfigurableApplicationContext context = start(properties, probe, started);
        SyncPipeline closed;
        List<Row> rows = List.of(new Row(10, "paid", 1), new Row(11, "new", 2), new Row(12, "paid", 5),
                new Row(13, "cancelled", 0));
        Map<TopicPartition, Long> expected = new HashMap<>();
        try {
            closed = context.getBean(SyncPipeline.class);
            for (RecordMetadata sent : produce(names.topic, rows)) {
                expected.merge(new TopicPartition(sent.topic(), sent.partition()), sent.offset() + 1, Math::max);
            }
            Await.until(WAIT, "the four rows buffered", () -> closed.metrics().bufferedActions() == rows.size());
            for (Row row : rows) {
                assertEquals(404, documentResponse(ES, names.index, row.id()).statusCode(), "not flushed before the close");
            }
            assertEquals(Map.of(), KAFKA.committedOffsets(names.group), "nothing committed before the close");
            HttpResponse<String> health = get(port(context), "/actuator/health");
            assertEquals(200, health.statusCode(), health.body());
            assertFalse(JSON.readTree(health.body()).has("components"), "shipped: no details unless authorized: "
                    + health.body());
        } finally {
            context.close();
        }
        assertEquals(PipelineState.CLOSED, closed.state());
        // the lifecycle closed the pipeline before the web server stopped: Spring's destroy of the
        // bean (the only other close) comes after the web server stopped, and could not be answered
        String answer = atClose.get();
        assertTrue(answer.startsWith("503 "), answer);
        JsonNode readiness = JSON.readTree(answer.substring(4));
        assertEquals("OUT_OF_SERVICE", readiness.path("status").asText(), answer);
        JsonNode component = readiness.path("components").path("binlogSync");
        assertEquals("OUT_OF_SERVICE", component.path("status").asText(), answer);
        assertEquals("CLOSED", component.path("details").path("state").asText(), answer);
        assertEquals("STOPPED", component.path("details").path("status").asText(), answer);
        for (Row row : rows) {
            assertEquals(row.status(), JSON.readTree(documentResponse(ES, names.index, row.id()).body())
                    .path("_source").path("status").asText(), "written by the close: " + row);
        }
        assertEquals(expected, KAFKA.committedOffsets(names.group), "the close committed every record written");
    }

    @Test
    void healthGoesDownWithTheReasonWhileElasticsearchIsDownAndUpAgainWhenItIsBack() throws Exception {
        Names names = Names.next();
        KAFKA.createTopic(names.topic, 1);
        // a node of its own, to stop under the running application
        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("spring-outage").build().start()) {
            ConfigurableApplicationContext context = start(names.properties(es.httpUrl()));
            try {
                int port = port(context);
                produce(names.topic, List.of(new Row(20, "paid", 1)));
                awaitDocument(es, names.index, 20);

                es.stop();
                produce(names.topic, List.of(new Row(21, "new", 2)));
                HttpResponse<String> health = Await.value(WAIT, "health DOWN while Elasticsearch is stopped",
                        () -> get(port, "/actuator/health"), r -> r.statusCode() == 503);
                JsonNode body = JSON.readTree(health.body());
                assertEquals("DOWN", body.path("status").asText(), health.body());
                JsonNode component = body.path("components").path("binlogSync");
                assertEquals("DOWN", component.path("status").asText(), health.body());
                JsonNode details = component.path("details");
                assertEquals("RUNNING", details.path("state").asText(), health.body());
                assertEquals("SINK_UNREACHABLE", details.path("status").asText(), health.body());
                assertTrue(details.path("reason").asText().startsWith("every bulk request failed"), health.body());
                assertTrue(details.path("lastError").asText().contains("Connection refused"), health.body());
                assertEquals(1, details.path("bufferedActions").asLong(), health.body());
                assertEquals(0.0, prometheusValue(get(port, "/actuator/prometheus").body(), "binlogsync_health",
                        "pipeline=\"" + names.pipeline + "\""));
                // an outage takes the instance out of service, but restarting it would not help
                HttpResponse<String> readiness = get(port, "/actuator/health/readiness");
                assertEquals(503, readiness.statusCode(), readiness.body());
                assertEquals("DOWN", JSON.readTree(readiness.body()).path("status").asText(), readiness.body());
                HttpResponse<String> liveness = get(port, "/actuator/health/liveness");
                assertEquals(200, liveness.statusCode(), liveness.body());
                assertEquals("UP", JSON.readTree(liveness.body()).path("status").asText(), liveness.body());

                es.start();
                assertEquals("new", awaitDocument(es, names.index, 21).get("status").asText());
                HttpResponse<String> recovered = Await.value(WAIT, "health UP once Elasticsearch is back",
                        () -> get(port, "/actuator/health"), r -> r.statusCode() == 200);
                assertEquals("UP", JSON.readTree(recovered.body()).path("status").asText(), recovered.body());
            } finally {
                context.close();
            }
        }
        assertEquals(Map.of(new TopicPartition(names.topic, 0), 2L), KAFKA.committedOffsets(names.group),
                "both records committed, once Elasticsearch had them");
    }

    @Test
    void healthIsDownWithTheFailureWhenElasticsearchCannotBeReachedAtStart() throws Exception {
        Names names = Names.next();
        KAFKA.createTopic(names.topic, 1);
        ConfigurableApplicationContext context = start(names.properties("http://127.0.0.1:" + closedPort()));
        try {
            int port = port(context);
            HttpResponse<String> health = Await.value(WAIT, "health DOWN with nothing listening at the sink's address",
                    () -> get(port, "/actuator/health"), r -> r.statusCode() == 503);
            JsonNode body = JSON.readTree(health.body());
            assertEquals("DOWN", body.path("status").asText(), health.body());
            JsonNode details = body.path("components").path("binlogSync").path("details");
            assertEquals("FAILED", details.path("status").asText(), health.body());
            assertTrue(details.path("reason").asText().contains("cannot reach Elasticsearch"), health.body());
            assertTrue(details.path("lastError").asText().contains("Connection refused"), health.body());
            // a failed pipeline never runs again in this process: the liveness probe asks for a restart
            HttpResponse<String> liveness = get(port, "/actuator/health/liveness");
            assertEquals(503, liveness.statusCode(), liveness.body());
            JsonNode live = JSON.readTree(liveness.body());
            assertEquals("DOWN", live.path("status").asText(), liveness.body());
            assertEquals("DOWN", live.path("components").path("binlogSyncLiveness").path("status").asText(), liveness.body());
        } finally {
            context.close();
        }
        assertEquals(Map.of(), KAFKA.committedOffsets(names.group), "a pipeline that wrote nothing commits nothing");
    }

    // ------------------------------------------------------------------ helpers

    /** One application's topic, group, index and pipeline name. */
    record Names(String topic, String group, String index, String pipeline) {
        static Names next() {
            int n = SEQ.incrementAndGet();
            return new Names("canal-shop-" + n, "spring-example-" + n, "spring-orders-" + n, "spring-sync-" + n);
        }

        Map<String, String> properties(String esUrl) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("binlog-sync.config-file", "classpath:it-pipeline.json");
            p.put("binlog-sync.env.KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
            p.put("binlog-sync.env.KAFKA_GROUP_ID", group);
            p.put("binlog-sync.env.KAFKA_TOPIC", topic);
            p.put("binlog-sync.env.ES_URL", esUrl);
            p.put("binlog-sync.env.ES_INDEX", index);
            p.put("binlog-sync.env.PIPELINE_NAME", pipeline);
            // the application ships when-authorized; the test reads the details without a user
            p.put(SHOW_DETAILS, "always");
            return p;
        }
    }

    /** A row of shop.orders. */
    record Row(long id, String status, long qty) {
        /** Its INSERT as Canal writes it: fields in alphabetical order, every value a string. */
        String canalInsert() {
            return "{\"data\":[{\"id\":\"" + id + "\",\"qty\":\"" + qty + "\",\"status\":\"" + status + "\"}],"
                    + "\"database\":\"shop\",\"es\":" + System.currentTimeMillis() + ",\"id\":" + id + ",\"isDdl\":false,"
                    + "\"mysqlType\":{\"id\":\"bigint(20)\",\"qty\":\"int(11)\",\"status\":\"varchar(32)\"},"
                    + "\"old\":null,\"pkNames\":[\"id\"],\"sql\":\"\","
                    + "\"sqlType\":{\"id\":-5,\"qty\":4,\"status\":12},\"table\":\"orders\",\"ts\":" + System.currentTimeMillis() + ","
                    + "\"type\":\"INSERT\"}";
        }
    }

    /**
     * Another application context, started as the application's main method would be, with the
     * properties as command-line arguments (they take precedence over application.yml).
     */
    static ConfigurableApplicationContext start(Map<String, String> properties) {
        return start(properties, null, new AtomicReference<>());
    }

    /**
     * {@link #start(Map)} with {@code listener} registered as the application's
     * {@link PipelineListener} bean (the pipeline hears it), and the context set into
     * {@code context} before it is refreshed.
     */
    static ConfigurableApplicationContext start(Map<String, String> properties, @Nullable PipelineListener listener,
            AtomicReference<ConfigurableApplicationContext> context) {
        List<String> args = new java.util.ArrayList<>();
        args.add("--server.port=0");
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        return new SpringApplicationBuilder(SyncApplication.class).initializers(c -> {
            context.set(c);
            if (listener != null) {
                c.getBeanFactory().registerSingleton("closeProbe", listener);
            }
        }).run(args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    static List<RecordMetadata> produce(String topic, Iterable<Row> rows) {
        List<RecordMetadata> sent = new java.util.ArrayList<>();
        for (Row row : rows) {
            // partition by id, so rows of one topic spread over its partitions
            int partitions = KAFKA.admin().describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .toCompletionStage().toCompletableFuture().join().partitions().size();
            sent.add(KAFKA.send(topic, (int) (row.id() % partitions), row.canalInsert()));
        }
        return sent;
    }

    static JsonNode awaitDocument(String index, long id) throws Exception {
        return awaitDocument(ES, index, id);
    }

    /** A GET of the document, whatever its answer. */
    static HttpResponse<String> documentResponse(EmbeddedElasticsearch es, String index, long id) throws Exception {
        return get(URI.create(es.httpUrl() + "/" + index + "/_doc/" + id));
    }

    /** The document's {@code _source}, read with a GET of its own once it exists. */
    static JsonNode awaitDocument(EmbeddedElasticsearch es, String index, long id) throws Exception {
        HttpResponse<String> found = Await.every(Duration.ofMillis(100)).valueOf(WAIT,
                "document " + index + "/" + id + " in Elasticsearch",
                () -> get(URI.create(es.httpUrl() + "/" + index + "/_doc/" + id)), r -> r.statusCode() == 200);
        return JSON.readTree(found.body()).path("_source");
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * The value of the first sample {@code name{...}} whose labels contain {@code label}
     * ({@code pipeline="x"}), or null when there is none.
     */
    static Double prometheusValue(String text, String name, String label) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return null;
    }

    /** The sum of the samples {@code name{...}} whose labels contain {@code label}. */
    static double prometheusSum(String text, String name, String label) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return get(URI.create("http://127.0.0.1:" + port + path));
    }

    static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A local port nothing listens on. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
