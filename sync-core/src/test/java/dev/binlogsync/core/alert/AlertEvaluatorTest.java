package dev.binlogsync.core.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertEvent.Type;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The alert hooks, driven by a manual clock and a fake metrics supplier (or a pipeline built from the fakes). */
@Timeout(60)
class AlertEvaluatorTest {
    private static final PipelineHealth HEALTHY = new PipelineHealth(PipelineHealth.Status.HEALTHY, "ok", null);

    private final ManualClock clock = new ManualClock();
    private final List<AlertEvent> events = new CopyOnWriteArrayList<>();
    private volatile PipelineMetrics metrics = PipelineMetrics.EMPTY;
    private volatile PipelineHealth health = HEALTHY;

    private AlertEvaluator evaluator(AlertRules rules) {
        return AlertEvaluator.of("orders", clock, () -> metrics, () -> health, rules, events::add);
    }

    private void latency(long p99Seconds) {
        Duration p99 = Duration.ofSeconds(p99Seconds);
        metrics = metrics.toBuilder().syncLatency(new PipelineMetrics.Timing(100, p99.multipliedBy(100), p99, p99, p99)).build();
    }

    private void lag(long total) {
        metrics = metrics.toBuilder().lag(Map.of("orders-0", total / 2, "orders-1", total - total / 2)).build();
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.currentTimeMillis());
    }

    private void advance(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void latencyP99AboveTheBoundFiresOnlyAfterItHeldForTheDurationAndOncePerEpisode() {
        AlertEvaluator alerts = evaluator(AlertRules.builder()
                .latencyP99Above(Duration.ofSeconds(2), Duration.ofSeconds(30)).build());
        latency(3);
        Instant since = now();
        alerts.evaluate();
        advance(29);
        alerts.evaluate();
        assertEquals(List.of(), events, "not before the duration");

        advance(1);
        alerts.evaluate();
        assertEquals(1, events.size());
        AlertEvent fired = events.get(0);
        assertEquals(AlertCondition.LATENCY_P99_ABOVE, fired.condition());
        assertEquals(Type.FIRING, fired.type());
        assertEquals("orders", fired.pipeline());
        assertEquals("PT3S", fired.observed());
        assertTrue(fired.bound().contains("PT2S"), fired.bound());
        assertEquals(since, fired.since());
        assertEquals(now(), fired.at());

        for (int i = 0; i < 5; i++) {
            advance(10);
            assertEquals(List.of(), alerts.evaluate(), "never again while it holds");
        }
        assertEquals(1, events.size());

        latency(1);
        advance(10);
        alerts.evaluate();
        assertEquals(2, events.size());
        AlertEvent resolved = events.get(1);
        assertEquals(Type.RESOLVED, resolved.type());
        assertEquals(AlertCondition.LATENCY_P99_ABOVE, resolved.condition());
        assertEquals("PT1S", resolved.observed());
        assertEquals(since, resolved.since());
        advance(10);
        alerts.evaluate();
        assertEquals(2, events.size(), "resolved once");
    }

    @Test
    void aNewEpisodeFiresAgainAfterRecoveryWithItsOwnStart() {
        AlertEvaluator alerts = evaluator(AlertRules.builder()
                .latencyP99Above(Duration.ofSeconds(2), Duration.ofSeconds(30)).build());
        latency(3);
        alerts.evaluate();
        advance(30);
        alerts.evaluate();
        latency(0);
        advance(5);
        alerts.evaluate();
        assertEquals(List.of(Type.FIRING, Type.RESOLVED), events.stream().map(AlertEvent::type).toList());

        latency(4);
        advance(5);
        Instant secondStart = now();
        alerts.evaluate();
        advance(20);
        alerts.evaluate();
        assertEquals(2, events.size(), "the new episode waits for its own duration");
        advance(10);
        alerts.evaluate();
        assertEquals(3, events.size());
        assertEquals(Type.FIRING, events.get(2).type());
        assertEquals(secondStart, events.get(2).since());
        assertEquals("PT4S", events.get(2).observed());
    }

    @Test
    void aConditionThatLapsesBeforeItsDurationStartsOver() {
        AlertEvaluator alerts = evaluator(AlertRules.builder()
                .latencyP99Above(Duration.ofSeconds(2), Duration.ofSeconds(30)).build());
        latency(3);
        alerts.evaluate();
        advance(20);
        alerts.evaluate();
        latency(2); // at the bound is not above it
        advance(1);
        alerts.evaluate();
        latency(3);
        advance(1);
        alerts.evaluate();
        advance(20);
        alerts.evaluate();
        assertEquals(List.of(), events, "two 20-second runs are not one 30-second run");
        advance(10);
        alerts.evaluate();
        assertEquals(1, events.size());
    }

    @Test
    void staleHeartbeatOfAPipelineBuiltFromTheFakesFiresAndResolvesWhenAFreshOneIsReported() {
        SyncPipeline pipeline = SyncPipeline.builder()
                .source(new InMemorySource())
                .ruleSet((event, out) -> { })
                .sink(new RecordingBulkSink())
                .clock(clock)
                .threadName("orders-sync")
                .build();
        AlertEvaluator alerts = AlertEvaluator.of(pipeline,
                AlertRules.builder().heartbeatAgeAbove(Duration.ofSeconds(30)).build(), events::add);
        alerts.evaluate();
        advance(120);
        alerts.evaluate();
        assertEquals(List.of(), events, "no heartbeat reported: nothing to judge");

        pipeline.reportHeartbeat(now());
        advance(30);
        alerts.evaluate();
        assertEquals(List.of(), events, "30 s is not above 30 s");
        advance(1);
        alerts.evaluate();
        assertEquals(1, events.size());
        AlertEvent fired = events.get(0);
        assertEquals(AlertCondition.HEARTBEAT_AGE_ABOVE, fired.condition());
        assertEquals(Type.FIRING, fired.type());
        assertEquals("orders-sync", fired.pipeline());
        assertEquals("PT31S", fired.observed());
        assertTrue(fired.bound().contains("PT30S"), fired.bound());
        assertEquals(now(), fired.since(), "no duration: it fires at the first evaluation that sees it");

        advance(60);
        alerts.evaluate();
        assertEquals(1, events.size());
        pipeline.reportHeartbeat(now());
        alerts.evaluate();
        assertEquals(2, events.size());
        assertEquals(Type.RESOLVED, events.get(1).type());
        assertEquals("PT0S", events.get(1).observed());
    }

    @Test
    void heartbeatAgeWithADurationWaitsForIt() {
        AlertEvaluator alerts = evaluator(AlertRules.builder()
                .heartbeatAgeAbove(Duration.ofSeconds(30), Duration.ofSeconds(60)).build());
        metrics = PipelineMetrics.builder().heartbeatAge(Duration.ofSeconds(45)).build();
        alerts.evaluate();
        advance(59);
        alerts.evaluate();
        assertEquals(List.of(), events);
        advance(1);
        alerts.evaluate();
        assertEquals(1, events.size());
    }

    @Test
    void lagGrowingFiresWhenTotalLagRoseAtEveryEvaluationForTheDuration() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().lagGrowingFor(Duration.ofSeconds(30)).build());
        lag(100);
        Instant since = now();
        alerts.evaluate();
        for (long total : new long[] {200, 300}) {
            advance(10);
            lag(total);
            alerts.evaluate();
        }
        assertEquals(List.of(), events, "20 s of growth is not 30");
        advance(10);
        lag(301);
        alerts.evaluate();
        assertEquals(1, events.size());
        AlertEvent fired = events.get(0);
        assertEquals(AlertCondition.LAG_GROWING, fired.condition());
        assertEquals(Type.FIRING, fired.type());
        assertEquals("301", fired.observed());
        assertTrue(fired.bound().contains("PT30S"), fired.bound());
        assertEquals(since, fired.since(), "the run starts at the evaluation it grew from");

        advance(10);
        lag(400);
        alerts.evaluate();
        assertEquals(1, events.size());
        advance(10);
        lag(400);
        alerts.evaluate();
        assertEquals(2, events.size(), "a steady lag is not growing");
        assertEquals(Type.RESOLVED, events.get(1).type());
        assertEquals("400", events.get(1).observed());
    }

    @Test
    void aHighButShrinkingLagIsNotGrowing() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().lagGrowingFor(Duration.ofSeconds(30)).build());
        for (long total = 1_000_000; total > 900_000; total -= 10_000) {
            lag(total);
            alerts.evaluate();
            advance(10);
        }
        assertEquals(List.of(), events);
    }

    @Test
    void lagThatDipsOnceStartsItsRunOver() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().lagGrowingFor(Duration.ofSeconds(30)).build());
        long[] totals = {100, 200, 300, 250, 260, 270};
        Instant dip = null;
        for (long total : totals) {
            lag(total);
            if (total == 250) {
                dip = now();
            }
            alerts.evaluate();
            advance(10);
        }
        assertEquals(List.of(), events, "the run restarted at 250, 20 s ago");
        lag(280);
        alerts.evaluate();
        assertEquals(1, events.size());
        assertEquals(dip, events.get(0).since());
    }

    @Test
    void unknownLagIsNeverGrowing() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().lagGrowingFor(Duration.ofSeconds(10)).build());
        for (int i = 0; i < 5; i++) {
            alerts.evaluate();
            advance(10);
        }
        assertEquals(List.of(), events);
    }

    @Test
    void healthNotHealthyFiresAfterItsDurationAndResolvesWhenHealthy() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().healthNotHealthy(Duration.ofMinutes(1)).build());
        alerts.evaluate();
        health = new PipelineHealth(PipelineHealth.Status.STALLED, "no commit progress for 5m", null);
        Instant since = now();
        alerts.evaluate();
        advance(59);
        alerts.evaluate();
        assertEquals(List.of(), events);
        health = new PipelineHealth(PipelineHealth.Status.SINK_UNREACHABLE, "every bulk failed", null);
        advance(1);
        alerts.evaluate();
        assertEquals(1, events.size(), "not healthy all along, whatever the status");
        AlertEvent fired = events.get(0);
        assertEquals(AlertCondition.HEALTH_NOT_HEALTHY, fired.condition());
        assertTrue(fired.observed().startsWith("SINK_UNREACHABLE"), fired.observed());
        assertTrue(fired.bound().contains("HEALTHY"), fired.bound());
        assertEquals(since, fired.since());

        health = HEALTHY;
        alerts.evaluate();
        assertEquals(2, events.size());
        assertEquals(Type.RESOLVED, events.get(1).type());
        assertEquals("HEALTHY", events.get(1).observed());
    }

    @Test
    void healthNotHealthyWithoutDurationFiresAtOnce() {
        AlertEvaluator alerts = evaluator(AlertRules.builder().healthNotHealthy().build());
        health = new PipelineHealth(PipelineHealth.Status.FAILED, "failed", new IllegalStateException("x"));
        alerts.evaluate();
        assertEquals(1, events.size());
        assertEquals(Type.FIRING, events.get(0).type());
    }

    @Test
    void aListenersExceptionIsLoggedWithItsClassAndFramesButNotTheSecretsItsMessageQuotes() {
        String message = "POST https://alerts:pw1secret@hooks.example.com/services/T0/B0/tok3nInPath?token=tok3nInQuery"
                + " failed: 401, Authorization: Bearer tok3nInHeader; api_key=tok3nInPair, status=401";
        AlertEvaluator alerts = AlertEvaluator.of("orders", clock, () -> metrics, () -> health,
                AlertRules.builder().healthNotHealthy().build(),
                event -> {
                    throw new IllegalStateException(message);
                });
        health = new PipelineHealth(PipelineHealth.Status.STALLED, "stalled", null);
        // slf4j-simple (the test binding) writes to the System.err of the moment it logs
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, alerts.evaluate().size());
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertTrue(log.contains("alert listener failed on FIRING HEALTH_NOT_HEALTHY of orders"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: POST https://hooks.example.com/****"
                + " failed: 401, Authorization: ****; api_key=****, status=401"), log);
        assertTrue(log.contains("at dev.binlogsync.core.alert.AlertEvaluatorTest"), "the listener's frames: " + log);
        assertFalse(log.contains("tok3n"), log);
        assertFalse(log.contains("pw1secret"), log);
    }

    @Test
    void aScheduledEvaluationsFailureIsLoggedWithoutTheSecretsItsMessageQuotes() throws Exception {
        String message = "GET https://ops:pw1secret@metrics.example.com/q?token=tok3nInQuery failed";
        AlertEvaluator alerts = AlertEvaluator.of("orders", clock, () -> metrics, () -> {
                    throw new IllegalStateException(message);
                }, AlertRules.builder().healthNotHealthy().build(), events::add);
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            alerts.start(Duration.ofMillis(20));
            dev.binlogsync.core.testing.Await.until(Duration.ofSeconds(30), "the failure logged",
                    () -> captured.toString(StandardCharsets.UTF_8).contains("metrics.example.com"));
        } finally {
            alerts.close();
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertTrue(log.contains("alert evaluation of orders failed"), log);
        assertTrue(log.contains("java.lang.IllegalStateException: GET https://metrics.example.com/**** failed"), log);
        assertFalse(log.contains("tok3n"), log);
        assertFalse(log.contains("pw1secret"), log);
    }

    @Test
    void aListenersExceptionWithoutSecretsOrMessageIsShownAsItIs() {
        assertEquals("java.lang.RuntimeException: connect timed out: status=504, host: hooks.example.com",
                dev.binlogsync.core.Secrets.describe(new RuntimeException("connect timed out: status=504, host: hooks.example.com")));
        assertEquals("java.lang.IllegalStateException", dev.binlogsync.core.Secrets.describe(new IllegalStateException()));
    }

    @Test
    void aThrowingListenerDoesNotStopEvaluationNorTheOtherEvents() {
        List<AlertEvent> seen = new CopyOnWriteArrayList<>();
        AlertEvaluator alerts = AlertEvaluator.of("orders", clock, () -> metrics, () -> health,
                AlertRules.builder()
                        .latencyP99Above(Duration.ofSeconds(1), Duration.ZERO)
                        .healthNotHealthy()
                        .build(),
                event -> {
                    seen.add(event);
                    throw new IllegalStateException("listener bug");
                });
        latency(5);
        health = new PipelineHealth(PipelineHealth.Status.STALLED, "stalled", null);
        List<AlertEvent> emitted = alerts.evaluate();
        assertEquals(2, emitted.size());
        assertEquals(2, seen.size(), "the second condition's event still reached the listener");

        latency(0);
        health = HEALTHY;
        alerts.evaluate();
        assertEquals(4, seen.size());
        assertTrue(seen.subList(2, 4).stream().allMatch(e -> e.type() == Type.RESOLVED));
    }

    @Test
    void theSchedulerEvaluatesOnANamedDaemonThreadUntilClosed() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        metrics = PipelineMetrics.builder().heartbeatAge(Duration.ofMinutes(5)).build();
        AlertEvaluator alerts = AlertEvaluator.of("orders", clock, () -> metrics, () -> health,
                AlertRules.builder().heartbeatAgeAbove(Duration.ofSeconds(30)).build(),
                event -> {
                    thread.set(Thread.currentThread());
                    fired.countDown();
                });
        alerts.start(Duration.ofMillis(10));
        assertThrows(IllegalStateException.class, () -> alerts.start(Duration.ofMillis(10)));
        assertTrue(fired.await(10, TimeUnit.SECONDS), "a scheduled evaluation fired");
        Thread t = thread.get();
        assertTrue(t.isDaemon());
        assertEquals("binlog-sync-alerts-orders", t.getName());

        alerts.close();
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(t.isAlive(), "close stopped the thread");
        assertThrows(IllegalStateException.class, alerts::evaluate);
        alerts.close(); // idempotent
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        AlertRules.Builder b = AlertRules.builder();
        assertMessage("latencyP99 bound must be > 0: PT0S",
                () -> b.latencyP99Above(Duration.ZERO, Duration.ofSeconds(1)));
        assertMessage("latencyP99 duration must be >= 0: PT-1S",
                () -> b.latencyP99Above(Duration.ofSeconds(1), Duration.ofSeconds(-1)));
        assertMessage("heartbeatAge bound must be > 0: PT-1S", () -> b.heartbeatAgeAbove(Duration.ofSeconds(-1)));
        assertMessage("heartbeatAge duration must be >= 0: PT-1S",
                () -> b.heartbeatAgeAbove(Duration.ofSeconds(1), Duration.ofSeconds(-1)));
        assertMessage("lagGrowing duration must be > 0: PT0S", () -> b.lagGrowingFor(Duration.ZERO));
        assertMessage("healthNotHealthy duration must be >= 0: PT-1S",
                () -> b.healthNotHealthy(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> b.latencyP99Above(null, Duration.ZERO));
        IllegalStateException empty = assertThrows(IllegalStateException.class, () -> AlertRules.builder().build());
        assertTrue(empty.getMessage().contains("no alert condition"), empty.getMessage());
        AlertEvaluator alerts = evaluator(AlertRules.builder().healthNotHealthy().build());
        assertMessage("interval must be > 0: PT0S", () -> alerts.start(Duration.ZERO));
    }

    @Test
    void rulesAreImmutableAndListTheirConditions() {
        AlertRules.Builder b = AlertRules.builder().lagGrowingFor(Duration.ofMinutes(5));
        AlertRules rules = b.build();
        b.healthNotHealthy();
        assertEquals(List.of(AlertCondition.LAG_GROWING), rules.conditions());
        assertEquals(Duration.ofMinutes(5), rules.lagGrowingDuration());
        assertEquals(null, rules.latencyP99Bound());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
