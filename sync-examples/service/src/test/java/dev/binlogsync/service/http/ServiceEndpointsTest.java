package dev.binlogsync.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.micrometer.BackfillMeterBinder;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.service.BinlogSyncService;
import dev.binlogsync.service.BackfillRun;
import dev.binlogsync.service.BackfillStatus;
import dev.binlogsync.service.PipelineRegistry;
import dev.binlogsync.service.PipelineSupervisor;
import dev.binlogsync.service.ServiceStatus;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoints over a hand-driven registry of pipelines on sync-core's fakes, called over HTTP. */
class ServiceEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
    private static final String SECRET_URL = "https://admin:hunter2@db.example.com/shop";

    /** Every event becomes an index of orders/{id}; an event with {@code fail} set throws, naming a URL with a password. */
    private static final RuleSet ORDERS = (event, out) -> {
        if (event.row().containsKey("fail")) {
            throw new IllegalStateException("cannot map the row, see " + SECRET_URL);
        }
        out.collect(DocumentAction.index("orders", String.valueOf(event.row().get("id")), Map.of("id", event.row().get("id"))));
    };

    private final TestRegistry registry = new TestRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private record Running(SyncPipeline pipeline, InMemorySource source, ManualClock clock) {
    }

    /** A started pipeline named {@code name} with {@code records} orders read, announced to the registry. */
    private Running run(String name, int records) {
        InMemorySource source = new InMemorySource();
        for (int i = 0; i < records; i++) {
            source.append(name + "-0", Events.insert("shop", "orders", Map.of("id", i)));
        }
        ManualClock clock = new ManualClock();
        SyncPipeline p = SyncPipeline.builder().source(source).ruleSet(ORDERS).sink(new RecordingBulkSink())
                .threadName(name).clock(clock).pollTimeout(Duration.ofMillis(10)).maxBulkActions(1).build();
        toClose.add(p);
        p.start();
        registry.start(name, p);
        if (records > 0) {
            Await.until(WAIT, name + " read " + records + " records", () -> p.metrics().records() == records);
        }
        return new Running(p, source, clock);
    }

    private Http serve(AlertRules rules) throws Exception {
        ServiceEndpoints endpoints = ServiceEndpoints.start(registry, rules, ANY_PORT, Duration.ofMillis(10));
        toClose.add(endpoints);
        assertTrue(endpoints.address().getPort() > 0, "an ephemeral port was bound");
        return new Http(endpoints.address());
    }

    private Http serve() throws Exception {
        return serve(null);
    }

    @Test
    void healthIs200WhenEveryPipelineIsHealthy() throws Exception {
        run("orders", 2);
        run("users", 0);
        Http http = serve();

        HttpResponse<String> r = http.get("/health");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = Http.parse(r.body());
        assertEquals("UP", body.get("status").asText());
        for (String name : List.of("orders", "users")) {
            assertEquals("HEALTHY", body.at("/pipelines/" + name + "/status").asText(), r.body());
            assertTrue(body.at("/pipelines/" + name + "/healthy").asBoolean());
            assertEquals("ok", body.at("/pipelines/" + name + "/reason").asText());
        }
        assertEquals(200, http.get("/health/ready").statusCode());
        assertEquals(200, http.get("/health/live").statusCode());
    }

    @Test
    void healthIs503WithTheReasonOfTheFailedPipelineAndNoSecret() throws Exception {
        run("users", 0);
        Running orders = run("orders", 0);
        orders.source().append("orders-0", Events.insert("shop", "orders", Map.of("id", 1, "fail", true)));
        Await.until(WAIT, "orders failed", () -> orders.pipeline().state() == PipelineState.FAILED);
        Http http = serve();

        HttpResponse<String> r = http.get("/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode body = Http.parse(r.body());
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("FAILED", body.at("/pipelines/orders/status").asText());
        assertFalse(body.at("/pipelines/orders/healthy").asBoolean());
        assertTrue(body.at("/pipelines/orders/reason").asText().contains("cannot map the row"), r.body());
        assertEquals("HEALTHY", body.at("/pipelines/users/status").asText());
        assertFalse(r.body().contains("hunter2"), r.body());
        assertEquals(503, http.get("/health/ready").statusCode());
        assertEquals(200, http.get("/health/live").statusCode(), "the process still answers");

        JsonNode status = http.json("/status");
        String lastError = status.at("/pipelines/orders/lastError").asText();
        assertTrue(lastError.contains("https://db.example.com/****"), lastError); // the engine cuts URLs to their host
        assertFalse(status.toString().contains("hunter2"), status.toString());
    }

    /** A backfill shown by hand: its status and its meters, fed as a backfill's listener would. */
    private static BackfillRun backfill(BackfillStatus status, BackfillMeterBinder meters) {
        return new BackfillRun() {
            @Override
            public BackfillStatus status() {
                return status;
            }

            @Override
            public BackfillMeterBinder meters() {
                return meters;
            }
        };
    }

    @Test
    void aFailedBackfillMakesHealthDownWithItsCleanedReasonWhileThePipelineStaysHealthy() throws Exception {
        registry.backfill("orders", backfill(new BackfillStatus(BackfillStatus.State.FAILED,
                "BackfillException: cannot read shop.orders from " + SECRET_URL, Instant.EPOCH, Instant.EPOCH, List.of()),
                new BackfillMeterBinder("orders")));
        run("orders", 0);
        Http http = serve();

        HttpResponse<String> r = http.get("/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode body = Http.parse(r.body());
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("HEALTHY", body.at("/pipelines/orders/status").asText(), "the stream keeps running");
        assertEquals("FAILED", body.at("/pipelines/orders/backfill/state").asText());
        assertTrue(body.at("/pipelines/orders/backfill/reason").asText().startsWith("backfill failed: BackfillException"),
                r.body());
        assertFalse(r.body().contains("hunter2"), r.body());
        JsonNode status = http.json("/status").at("/pipelines/orders/backfill");
        assertEquals("FAILED", status.at("/state").asText());
        assertTrue(status.at("/error").asText().contains("cannot read shop.orders"), status.toString());
        assertFalse(status.toString().contains("hunter2"), status.toString());
    }

    @Test
    void aFailedResyncMakesHealthDownNamingItsAliasAndStatusShowsItsStep() throws Exception {
        registry.backfill("orders", backfill(new BackfillStatus(BackfillStatus.State.FAILED,
                "SyncException: re-sync: creating the index orders-v2 failed at " + SECRET_URL, Instant.EPOCH,
                Instant.EPOCH, List.of(), new BackfillStatus.Resync("orders", "orders-v2", "PREPARING", false, true)),
                new BackfillMeterBinder("orders")));
        run("orders", 0);
        Http http = serve();

        HttpResponse<String> r = http.get("/health");
        assertEquals(503, r.statusCode(), r.body());
        JsonNode body = Http.parse(r.body());
        assertEquals("HEALTHY", body.at("/pipelines/orders/status").asText(), "the stream keeps running");
        assertEquals("PREPARING", body.at("/pipelines/orders/backfill/resync").asText(), r.body());
        assertTrue(body.at("/pipelines/orders/backfill/reason").asText().startsWith("re-sync of orders failed: SyncException"),
                r.body());
        assertFalse(r.body().contains("hunter2"), r.body());
        assertEquals(503, http.get("/health/ready").statusCode(), "readiness follows health");
        assertEquals(200, http.get("/health/live").statusCode(), "liveness stays up");
        JsonNode resync = http.json("/status").at("/pipelines/orders/backfill/resync");
        assertEquals("orders", resync.at("/alias").asText());
        assertEquals("orders-v2", resync.at("/newIndex").asText());
        assertEquals("PREPARING", resync.at("/step").asText());
        assertFalse(resync.at("/alreadySwitched").asBoolean());
        assertTrue(resync.at("/deleteOldIndex").asBoolean());
        assertTrue(http.json("/status").at("/pipelines/orders/backfill/error").asText().contains("orders-v2"));
    }

    @Test
    void statusAndMetricsShowARunningBackfillsProgressPerTable() throws Exception {
        BackfillMeterBinder meters = new BackfillMeterBinder("orders");
        meters.chunkDone(new BackfillProgress("shop.orders", 2000, 400.0, 8000L, 1990, 10, 1, 2));
        registry.backfill("orders", backfill(new BackfillStatus(BackfillStatus.State.RUNNING, null, Instant.EPOCH, null,
                List.of(new BackfillStatus.Table("shop.orders", 2000, 400.0, 8000L, 1990, 10, 1, 2, false))), meters));
        run("orders", 0);
        run("users", 0);
        Http http = serve();

        assertEquals(200, http.get("/health").statusCode(), "a running backfill is healthy");
        JsonNode b = http.json("/status").at("/pipelines/orders/backfill");
        assertEquals("RUNNING", b.at("/state").asText());
        assertTrue(b.at("/error").isNull());
        assertEquals(Instant.EPOCH.toString(), b.at("/startedAt").asText());
        JsonNode t = b.at("/tables/shop.orders");
        assertEquals(2000, t.at("/rowsDone").asLong());
        assertEquals(400.0, t.at("/rowsPerSecond").asDouble());
        assertEquals(8000, t.at("/estimatedRowsLeft").asLong());
        assertEquals(1990, t.at("/created").asLong());
        assertEquals(10, t.at("/existed").asLong());
        assertEquals(1, t.at("/removed").asLong());
        assertEquals(2, t.at("/chunks").asLong());
        assertFalse(t.at("/finished").asBoolean());
        assertTrue(http.json("/status").at("/pipelines/users/backfill").isMissingNode(), "users has no backfill");

        String metrics = http.get("/metrics").body();
        String[] tags = {"pipeline", "orders", "table", "shop.orders"};
        assertEquals(2000.0, Http.sample(metrics, "binlogsync_backfill_rows_total", tags), metrics);
        assertEquals(8000.0, Http.sample(metrics, "binlogsync_backfill_rows_left", tags), metrics);
        assertEquals(400.0, Http.sample(metrics, "binlogsync_backfill_rows_per_second", tags), metrics);
        assertEquals(0.0, Http.sample(metrics, "binlogsync_backfill_finished", tags), metrics);

        // a table the backfill reaches later is registered then; the pipeline's stop removes them all
        meters.chunkDone(new BackfillProgress("shop.more", 5, 1.0, null, 5, 0, 0, 1));
        assertEquals(5.0, Http.sample(http.get("/metrics").body(), "binlogsync_backfill_rows_total", "table", "shop.more"));
        registry.stop("orders");
        assertNull(Http.sample(http.get("/metrics").body(), "binlogsync_backfill_rows_total", tags));
    }

    @Test
    void healthWithNoPipelineIs503SayingSo() throws Exception {
        Http http = serve();

        HttpResponse<String> r = http.get("/health");
        assertEquals(503, r.statusCode());
        JsonNode body = Http.parse(r.body());
        assertEquals("DOWN", body.get("status").asText());
        assertEquals("no pipeline is running", body.get("reason").asText());
        assertEquals(0, body.get("pipelines").size());
        assertEquals(200, http.get("/health/live").statusCode());
    }

    @Test
    void metricsShowThePipelinesMetersWithItsTagAndOnlyTheSuccessorsAfterAReplacement() throws Exception {
        run("orders", 3);
        run("users", 2);
        Http http = serve();

        HttpResponse<String> r = http.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertEquals(3.0, Http.sample(r.body(), "binlogsync_records_total", "pipeline", "orders"), r.body());
        assertEquals(2.0, Http.sample(r.body(), "binlogsync_records_total", "pipeline", "users"));
        assertEquals(1.0, Http.sample(r.body(), "binlogsync_health", "pipeline", "orders"));
        assertNotNull(Http.sample(r.body(), "binlogsync_buffered_actions", "pipeline", "orders"));
        assertTrue(r.body().contains("jvm_memory_used_bytes{"), "JVM memory meters");
        assertTrue(r.body().contains("process_uptime_seconds "), "uptime meter");

        registry.stop("orders");
        String afterStop = http.get("/metrics").body();
        assertFalse(afterStop.contains("pipeline=\"orders\""), afterStop);
        assertEquals(2.0, Http.sample(afterStop, "binlogsync_records_total", "pipeline", "users"));

        run("orders", 1); // the reloaded pipeline, under the same name
        String afterRestart = http.get("/metrics").body();
        // Http.sample fails on two samples with the same labels: one series, the successor's
        assertEquals(1.0, Http.sample(afterRestart, "binlogsync_records_total", "pipeline", "orders"), afterRestart);
    }

    @Test
    void aSuccessorAnnouncedBeforeItsPredecessorStoppedKeepsItsOwnMeters() throws Exception {
        Running old = run("orders", 3);
        Http http = serve();
        assertEquals(3.0, Http.sample(http.get("/metrics").body(), "binlogsync_records_total", "pipeline", "orders"));

        run("orders", 1); // started before the old one is reported stopped
        registry.announceStopped("orders", old.pipeline());

        String body = http.get("/metrics").body();
        assertEquals(1.0, Http.sample(body, "binlogsync_records_total", "pipeline", "orders"), body);
        assertEquals(1, http.json("/status").at("/pipelines/orders/counts/records").asLong());
    }

    @Test
    void metricsAnswerOpenMetricsWhenAskedFor() throws Exception {
        run("orders", 1);
        Http http = serve();

        HttpResponse<String> r = http.get("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                r.headers().toString());
        assertTrue(r.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(r.body().contains("binlogsync_records_total{pipeline=\"orders\"} 1"), r.body());
    }

    @Test
    void statusShowsEachPipelinesStateHealthLagLatencyBufferAndCounts() throws Exception {
        Running orders = run("orders", 3);
        orders.clock().advance(Duration.ofSeconds(2)); // the pipeline samples the source's lag once a second
        Await.until(WAIT, "the lag sampled", () -> !orders.pipeline().metrics().lag().isEmpty());
        Http http = serve();

        HttpResponse<String> r = http.get("/status");
        assertEquals(200, r.statusCode());
        JsonNode o = Http.parse(r.body()).at("/pipelines/orders");
        assertEquals("orders", o.get("name").asText());
        assertEquals("RUNNING", o.get("state").asText());
        assertEquals("HEALTHY", o.at("/health/status").asText());
        assertEquals(3, o.at("/counts/records").asLong(), r.body());
        assertEquals(3, o.at("/counts/events").asLong());
        assertEquals(3, o.at("/counts/actions").asLong());
        assertEquals(0, o.at("/lag/partitions/orders-0").asLong(-1), r.body());
        assertEquals(0, o.at("/lag/total").asLong(-1), "all read");
        assertTrue(o.at("/syncLatencyMillis/p99").isNumber());
        assertTrue(o.at("/syncLatencyMillis/p50").isNumber());
        assertTrue(o.at("/buffered/actions").isIntegralNumber());
        assertTrue(o.at("/buffered/bytes").isIntegralNumber());
        assertTrue(o.get("inFlightRequests").isIntegralNumber());
        assertTrue(o.get("lastError").isNull());
        assertTrue(o.get("heartbeatAgeMillis").isNull(), "no heartbeat reported");
        assertEquals(0, o.get("alerts").size());
        assertTrue(Http.parse(r.body()).at("/service/startedAt").isTextual());
    }

    @Test
    void aStaleHeartbeatFiresTheAlertOnStatusAndGaugeAndAFreshOneResolvesIt() throws Exception {
        Running orders = run("orders", 0);
        Http http = serve(AlertRules.builder().heartbeatAgeAbove(Duration.ofSeconds(2)).build());
        Instant now = Instant.ofEpochMilli(orders.clock().currentTimeMillis());

        String gaugeName = "binlogsync_alert_active";
        assertEquals(0.0, Http.sample(http.get("/metrics").body(), gaugeName, "pipeline", "orders", "condition",
                "HEARTBEAT_AGE_ABOVE"), "a configured condition shows 0 before it fires");

        orders.pipeline().reportHeartbeat(now.minusSeconds(10)); // 10 s old on the pipeline's clock
        JsonNode alert = Await.value(WAIT, "the heartbeat alert on /status",
                () -> http.json("/status").at("/pipelines/orders/alerts/0"), a -> !a.isMissingNode());
        assertEquals("HEARTBEAT_AGE_ABOVE", alert.get("condition").asText());
        assertEquals("PT10S", alert.get("observed").asText());
        assertEquals("> PT2S for PT0S", alert.get("bound").asText());
        assertEquals(1.0, Http.sample(http.get("/metrics").body(), gaugeName, "pipeline", "orders", "condition",
                "HEARTBEAT_AGE_ABOVE"));
        assertEquals(10_000, http.json("/status").at("/pipelines/orders/heartbeatAgeMillis").asLong());

        orders.pipeline().reportHeartbeat(now);
        Await.until(WAIT, "the alert resolved on /status",
                () -> http.json("/status").at("/pipelines/orders/alerts").size() == 0);
        assertEquals(0.0, Http.sample(http.get("/metrics").body(), gaugeName, "pipeline", "orders", "condition",
                "HEARTBEAT_AGE_ABOVE"));

        registry.stop("orders");
        assertNull(Http.sample(http.get("/metrics").body(), gaugeName, "pipeline", "orders", "condition",
                "HEARTBEAT_AGE_ABOVE"), "the gauge goes with its pipeline");
    }

    @Test
    void statusShowsTheServicesConfigurationSourceAndLastReloadWithoutSecrets() throws Exception {
        run("orders", 0);
        Http http = serve();
        assertTrue(http.json("/status").at("/service/configSource").isMissingNode(), "a registry without a service");

        registry.serviceStatus(new ServiceStatus("https://config.example.com/sync.json", Instant.parse("2026-01-01T00:00:00Z"),
                BinlogSyncService.PollResult.REFUSED, new PipelineSupervisor.Reload(Set.of(), Set.of("orders"), Set.of()),
                "pipelines.orders.sink: cannot reach " + SECRET_URL, Instant.parse("2026-01-01T00:01:00Z"), 3));
        JsonNode service = http.json("/status").at("/service");

        assertEquals("https://config.example.com/sync.json", service.at("/configSource").asText());
        assertEquals("2026-01-01T00:00:00Z", service.at("/lastReloadAt").asText());
        assertEquals("REFUSED", service.at("/lastReloadResult").asText());
        assertEquals("orders", service.at("/lastReload/replaced/0").asText());
        assertEquals(0, service.at("/lastReload/added").size());
        assertEquals("pipelines.orders.sink: cannot reach https://db.example.com/****",
                service.at("/lastReloadError").asText());
        assertEquals("2026-01-01T00:01:00Z", service.at("/lastReloadErrorAt").asText());
        assertEquals(3, service.at("/appliedConfigurations").asLong());
    }

    @Test
    void noAlertRulesMeansNoAlertGauge() throws Exception {
        run("orders", 0);
        Http http = serve();

        assertFalse(http.get("/metrics").body().contains("binlogsync_alert_active"));
        assertTrue(http.json("/status").at("/service/alertRules").isNull());
    }

    @Test
    void unknownPathIs404AndOtherMethodsThanGetAre405() throws Exception {
        Http http = serve();

        assertEquals(404, http.get("/nope").statusCode());
        assertEquals(404, http.get("/").statusCode());
        assertEquals(404, http.get("/status/extra").statusCode());
        HttpResponse<String> post = http.send("POST", "/health");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertEquals(405, http.send("DELETE", "/metrics").statusCode());
        HttpResponse<String> head = http.send("HEAD", "/health/live");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void anEndpointThatThrowsAnswers500WithAShortBodyAndNoSecret() throws Exception {
        PipelineRegistry broken = new PipelineRegistry() {
            @Override
            public Map<String, SyncPipeline> pipelines() {
                throw new IllegalStateException("registry broken, see " + SECRET_URL);
            }

            @Override
            public void addListener(Listener listener) {
            }
        };
        ServiceEndpoints endpoints = ServiceEndpoints.start(broken, null, ANY_PORT);
        toClose.add(endpoints);
        Http http = new Http(endpoints.address());

        HttpResponse<String> r = http.get("/status");
        assertEquals(500, r.statusCode());
        assertFalse(r.body().contains("hunter2"), r.body());
        assertFalse(r.body().contains("registry broken"), "the cause is in the log, not the answer");
        assertEquals(200, http.get("/health/live").statusCode(), "the server keeps serving");
    }

    @Test
    void aNonPositiveAlertIntervalIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceEndpoints.start(registry, null, ANY_PORT, Duration.ZERO));
        assertEquals("alertInterval must be > 0: PT0S", e.getMessage());
    }
}
