package dev.binlogsync.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeartbeatReporterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TestRegistry registry = new TestRegistry();
    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private SyncPipeline run(String name) {
        SyncPipeline p = SyncPipeline.builder().source(new InMemorySource()).ruleSet((e, out) -> { })
                .sink(new RecordingBulkSink()).threadName(name).clock(clock).pollTimeout(Duration.ofMillis(10)).build();
        toClose.add(p);
        p.start();
        registry.start(name, p);
        return p;
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.currentTimeMillis());
    }

    @Test
    void reportsEachPipelinesNewestHeartbeat() {
        SyncPipeline orders = run("orders");
        SyncPipeline users = run("users");
        Instant beat = now().minusSeconds(5);
        toClose.add(HeartbeatReporter.start(registry,
                name -> name.equals("orders") ? Optional.of(beat) : Optional.empty(), Duration.ofMillis(10)));

        Await.until(WAIT, "orders' heartbeat reported", () -> orders.metrics().heartbeatAge() != null);
        assertEquals(Duration.ofSeconds(5), orders.metrics().heartbeatAge());
        assertNull(users.metrics().heartbeatAge(), "no heartbeat found, none reported");
    }

    @Test
    void aProbeThatFailsLeavesTheLastHeartbeatSoItsAgeGrowsAndReportingGoesOn() {
        SyncPipeline orders = run("orders");
        AtomicReference<Instant> newest = new AtomicReference<>(now());
        AtomicInteger probes = new AtomicInteger();
        AtomicReference<Boolean> failing = new AtomicReference<>(false);
        toClose.add(HeartbeatReporter.start(registry, name -> {
            probes.incrementAndGet();
            if (failing.get()) {
                throw new IOException("connection refused: https://elastic:changeme@es.example:9200");
            }
            return Optional.of(newest.get());
        }, Duration.ofMillis(10)));
        Await.until(WAIT, "a heartbeat reported", () -> orders.metrics().heartbeatAge() != null);

        failing.set(true);
        int before = probes.get();
        Await.until(WAIT, "two failed probes", () -> probes.get() >= before + 2);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(30), orders.metrics().heartbeatAge(), "the age grows while it cannot be read");

        newest.set(now());
        failing.set(false);
        Await.until(WAIT, "the fresh heartbeat reported", () -> Duration.ZERO.equals(orders.metrics().heartbeatAge()));
    }

    @Test
    void aNonPositiveIntervalIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeartbeatReporter.start(registry, name -> Optional.empty(), Duration.ofMillis(-1)));
        assertEquals("interval must be > 0: PT-0.001S", e.getMessage());
    }
}
