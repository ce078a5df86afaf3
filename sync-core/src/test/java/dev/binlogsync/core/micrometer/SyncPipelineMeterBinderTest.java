package dev.binlogsync.core.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SyncPipelineMeterBinderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SyncPipeline pipeline = SyncPipeline.builder()
            .source(source)
            .ruleSet((event, out) -> {
                String id = String.valueOf(event.row().get("id"));
                out.collect(event.operation() == Operation.DELETE ? DocumentAction.delete("idx", id)
                        : event.operation() == Operation.UPDATE ? DocumentAction.upsert("idx", id, event.row())
                        : DocumentAction.index("idx", id, event.row()));
            })
            .sink(sink)
            .clock(clock)
            .maxBulkActions(1)
            .maxBufferedActions(1)
            .commitInterval(Duration.ZERO)
            .pollTimeout(Duration.ofMillis(10))
            .summaryInterval(Duration.ZERO)
            .threadName("orders-sync")
            .build();

    @AfterEach
    void close() {
        pipeline.close(Duration.ofSeconds(5));
    }

    private ChangeEvent event(Operation op, int id) {
        return new ChangeEvent("shop", "orders", op, Map.of("id", id), Map.of(), List.of("id"),
                clock.currentTimeMillis() - 250, new SourcePosition("x", 0));
    }

    @Test
    void bindsCountersTimersAndGaugesWithThePipelineTag() throws Exception {
        new SyncPipelineMeterBinder(pipeline, Tags.of("env", "test")).bindTo(registry);
        pipeline.reportHeartbeat(Instant.ofEpochMilli(clock.currentTimeMillis() - 3_000));
        pipeline.start();
        source.append("orders-0", event(Operation.INSERT, 1));
        source.append("orders-0", event(Operation.UPDATE, 2));
        source.append("orders-1", event(Operation.DELETE, 3));
        assertTrue(source.awaitCommitted("orders-0", 1, WAIT));
        assertTrue(source.awaitCommitted("orders-1", 0, WAIT));
        Await.value(WAIT, "three acknowledged actions", pipeline::metrics,
                m -> m.syncLatency().count() >= 3 && m.bulks() >= 3);
        clock.advance(Duration.ofMillis(150)); // the binder's 100 ms snapshot cache expires

        assertEquals(3.0, registry.get("binlogsync.events").tags("pipeline", "orders-sync", "env", "test")
                .functionCounter().count());
        assertEquals(1.0, registry.get("binlogsync.actions").tag("operation", "index").functionCounter().count());
        assertEquals(1.0, registry.get("binlogsync.actions").tag("operation", "upsert").functionCounter().count());
        assertEquals(1.0, registry.get("binlogsync.actions").tag("operation", "delete").functionCounter().count());
        assertEquals(3.0, registry.get("binlogsync.bulk.requests").tag("outcome", "completed").functionCounter()
                .count());
        assertEquals(3.0, registry.get("binlogsync.bulk.actions").functionCounter().count());

        assertEquals(3, registry.get("binlogsync.sync.latency").functionTimer().count(), 0.0);
        assertEquals(250.0, registry.get("binlogsync.sync.latency.max").timeGauge().value(TimeUnit.MILLISECONDS));
        assertEquals(250.0, registry.get("binlogsync.sync.latency.percentile").tag("phi", "0.99").timeGauge()
                .value(TimeUnit.MILLISECONDS));
        // reported 3 s before the start, and the clock has moved 150 ms since
        assertEquals(3_150.0, registry.get("binlogsync.heartbeat.age").timeGauge().value(TimeUnit.MILLISECONDS));
        assertEquals(1.0, registry.get("binlogsync.health").gauge().value());
        assertEquals(0.0, registry.get("binlogsync.buffered.actions").gauge().value());

        clock.advance(Duration.ofSeconds(1)); // the lag is sampled at most once a second
        Await.value(WAIT, "lag sampled", () -> pipeline.metrics().lag(), lag -> lag.containsKey("orders-1"));
        clock.advance(Duration.ofMillis(150));
        assertEquals(0.0, registry.get("binlogsync.source.lag.total").gauge().value());
        assertEquals(0.0, registry.get("binlogsync.source.lag").tag("partition", "orders-1").gauge().value());
        for (Meter m : registry.getMeters()) {
            assertTrue(m.getId().getName().startsWith("binlogsync."), m.getId().toString());
            assertEquals("orders-sync", m.getId().getTag("pipeline"), m.getId().toString());
        }
    }

    @Test
    void aLatencyTotalBeyond292YearsIsReportedNotAnOverflowThatFailsTheScrape() throws Exception {
        new SyncPipelineMeterBinder(pipeline).bindTo(registry);
        pipeline.start();
        long eventTime = 1; // 1970: each change acknowledged some 56 years late; six pass Long.MAX_VALUE nanoseconds
        for (int id = 1; id <= 6; id++) {
            source.append("orders-0", new ChangeEvent("shop", "orders", Operation.INSERT, Map.of("id", id), Map.of(),
                    List.of("id"), eventTime, new SourcePosition("x", 0)));
        }
        Await.value(WAIT, "six acknowledged actions", pipeline::metrics, m -> m.syncLatency().count() == 6);
        clock.advance(Duration.ofMillis(150)); // the binder's 100 ms snapshot cache expires

        long each = clock.currentTimeMillis() - 150 - eventTime; // the clock stood still while they were written
        assertEquals(6.0 * each / 1000, registry.get("binlogsync.sync.latency").functionTimer().totalTime(TimeUnit.SECONDS),
                1.0);
        assertEquals(each / 1000.0, registry.get("binlogsync.sync.latency.max").timeGauge().value(TimeUnit.SECONDS), 1.0);
    }

    @Test
    void keepsThePerPartitionLagRowsRegisteredWhileTheAssignmentIsUnchanged() throws Exception {
        // a Prometheus registry that saw a row removed and registered again during one scrape
        // renders it twice and fails the scrape (DuplicateLabelsException): a read must not do that
        List<Meter.Id> removed = new CopyOnWriteArrayList<>();
        registry.config().onMeterRemoved(m -> removed.add(m.getId()));
        new SyncPipelineMeterBinder(pipeline).bindTo(registry);
        pipeline.start();
        source.append("orders-0", event(Operation.INSERT, 1));
        assertTrue(source.awaitCommitted("orders-0", 0, WAIT));
        clock.advance(Duration.ofSeconds(1)); // the lag is sampled at most once a second
        Await.value(WAIT, "lag sampled", () -> pipeline.metrics().lag(), lag -> lag.containsKey("orders-0"));
        clock.advance(Duration.ofMillis(150));
        Gauge total = registry.get("binlogsync.source.lag.total").gauge();
        total.value(); // registers the rows
        Gauge row = registry.get("binlogsync.source.lag").tag("partition", "orders-0").gauge();

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(150));
            assertEquals(0.0, total.value());
        }

        assertSame(row, registry.get("binlogsync.source.lag").tag("partition", "orders-0").gauge());
        assertEquals(List.of(), removed);
    }

    @Test
    void readsTheSnapshotAtMostEvery100msOfThePipelinesClock() throws Exception {
        new SyncPipelineMeterBinder(pipeline).bindTo(registry);
        assertEquals(0.0, registry.get("binlogsync.records").functionCounter().count());
        pipeline.start();
        source.append("orders-0", event(Operation.INSERT, 1));
        assertTrue(source.awaitCommitted("orders-0", 0, WAIT));
        Await.until(WAIT, "the record counted", () -> pipeline.metrics().records() >= 1);
        assertEquals(0.0, registry.get("binlogsync.records").functionCounter().count(), "still the cached snapshot");
        clock.advance(Duration.ofMillis(100));
        assertEquals(0.0, registry.get("binlogsync.records").functionCounter().count(), "100 ms: still cached");
        clock.advance(Duration.ofNanos(1));
        assertEquals(1.0, registry.get("binlogsync.records").functionCounter().count());
    }

    @Test
    void healthGaugeDropsToZeroWhenThePipelineFailed() throws Exception {
        new SyncPipelineMeterBinder(pipeline).bindTo(registry);
        sink.defaultReply(RecordingBulkSink.Reply.permanent(a -> true, "mapping conflict"));
        pipeline.start();
        source.append("orders-0", event(Operation.INSERT, 1));
        assertTrue(pipeline.awaitTermination(WAIT));
        assertEquals(0.0, registry.get("binlogsync.health").gauge().value());
    }

    @Test
    void countsInDoubtBulksAndWritesHeldBackByTheirFence() throws Exception {
        sink.enqueue(RecordingBulkSink.Reply.failRequest(new RequestInDoubtException("test: socket timeout", null,
                Duration.ofSeconds(10))));
        new SyncPipelineMeterBinder(pipeline, Tags.of("env", "test")).bindTo(registry);
        assertEquals(0.0, registry.get("binlogsync.bulk.in.doubt").functionCounter().count());
        assertEquals(0.0, registry.get("binlogsync.writes.fenced").functionCounter().count());
        pipeline.start();
        source.append("orders-0", event(Operation.INSERT, 1));
        assertTrue(sink.awaitRequests(1, WAIT));
        Await.until(WAIT, "the in-doubt failure counted", () -> pipeline.metrics().inDoubtBulks() == 1);
        source.append("orders-0", event(Operation.UPDATE, 1));
        clock.advance(Duration.ofSeconds(1)); // the retry is due; the fence (10 s) is not over
        Await.until(WAIT, "the update held back", () -> pipeline.metrics().fencedWrites() == 1);
        clock.advance(Duration.ofMillis(150)); // the binder's 100 ms snapshot cache expires

        assertEquals(1.0, registry.get("binlogsync.bulk.in.doubt").tags("pipeline", "orders-sync", "env", "test")
                .functionCounter().count());
        assertEquals(1.0, registry.get("binlogsync.writes.fenced").tags("pipeline", "orders-sync", "env", "test")
                .functionCounter().count());
        assertEquals(1.0, registry.get("binlogsync.bulk.requests").tag("outcome", "failed").functionCounter()
                .count());
        assertEquals(2, sink.requests().size(), () -> "the update waits for the fence: " + sink.requests());

        clock.advance(Duration.ofSeconds(10)); // the fence ends: the update goes
        assertTrue(source.awaitCommitted("orders-0", 1, WAIT));
    }
}
