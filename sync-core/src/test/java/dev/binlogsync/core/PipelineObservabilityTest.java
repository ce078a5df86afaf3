package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Metrics completeness and health, driven by the manual clock: no sleeps, no timing assertions. */
@Timeout(60)
class PipelineObservabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final ManualClock clock = new ManualClock();
    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final List<SyncPipeline> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (SyncPipeline p : started) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private SyncPipeline.Builder builder() {
        return SyncPipeline.builder()
                .source(source)
                .ruleSet(TestRules.byOperation())
                .sink(sink)
                .clock(clock)
                .maxBulkActions(1)
                .maxBufferedActions(1)
                .commitInterval(Duration.ZERO)
                .pollTimeout(Duration.ofMillis(10))
                .summaryInterval(Duration.ZERO)
                .threadName("obs-test");
    }

    private SyncPipeline start(SyncPipeline.Builder b) {
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    private ChangeEvent insertAt(long eventTimeMillis, Object id) {
        return new ChangeEvent("shop", "orders", Operation.INSERT, row(id), Map.of(), List.of("id"), eventTimeMillis,
                new SourcePosition("unpositioned", 0));
    }

    private static void await(SyncPipeline p, Predicate<SyncPipeline> condition, String what) {
        // observes nothing once the condition holds, else the state a failure message should show
        Await.value(WAIT, what, () -> condition.test(p) ? null : "metrics " + p.metrics() + ", health " + p.health(),
                Objects::isNull);
    }

    @Test
    void recordsSyncLatencyFromBinlogEventTimeToAcknowledgement() throws Exception {
        sink.manual(true);
        SyncPipeline p = start(builder());
        long eventTime = clock.currentTimeMillis() - 1_000;
        source.append(P, insertAt(eventTime, 1));
        assertTrue(sink.awaitPending(1, WAIT));
        clock.advance(Duration.ofMillis(500)); // acknowledged 1.5 s after the binlog event
        sink.pending().get(0).complete();
        await(p, x -> x.metrics().syncLatency().count() == 1, "one latency sample");

        PipelineMetrics.Timing latency = p.metrics().syncLatency();
        assertEquals(Duration.ofMillis(1_500), latency.max());
        assertEquals(Duration.ofMillis(1_500), latency.p50());
        assertEquals(Duration.ofMillis(1_500), latency.p99());
        assertEquals(Duration.ofMillis(1_500), latency.total());
    }

    @Test
    void latencyPercentilesCoverTheLastMinuteWhileCountAndTotalStaySinceTheStart() throws Exception {
        sink.manual(true);
        SyncPipeline p = start(builder());
        source.append(P, insertAt(clock.currentTimeMillis() - 2_000, 1));
        assertTrue(sink.awaitPending(1, WAIT));
        sink.pending().get(0).complete();
        await(p, x -> x.metrics().syncLatency().count() == 1, "the first sample");
        assertEquals(Duration.ofMillis(2_000), p.metrics().syncLatency().p99());

        clock.advance(Duration.ofMinutes(2)); // the loop moves the window on its next iteration
        await(p, x -> x.metrics().syncLatency().max().isZero(), "the old sample to leave the window");
        PipelineMetrics.Timing old = p.metrics().syncLatency();
        assertEquals(1, old.count());
        assertEquals(Duration.ofMillis(2_000), old.total());
        assertEquals(Duration.ZERO, old.p50());
        assertEquals(Duration.ZERO, old.p99());

        source.append(P, insertAt(clock.currentTimeMillis() - 300, 2));
        assertTrue(sink.awaitPending(1, WAIT));
        sink.pending().get(0).complete();
        await(p, x -> x.metrics().syncLatency().count() == 2, "the second sample");
        PipelineMetrics.Timing now = p.metrics().syncLatency();
        assertEquals(Duration.ofMillis(300), now.max(), "only the recent sample is in the window");
        assertEquals(Duration.ofMillis(300), now.p99());
        assertEquals(Duration.ofMillis(2_300), now.total());
    }

    @Test
    void eventsWithoutBinlogTimeAreNotCountedAsLatency() throws Exception {
        SyncPipeline p = start(builder());
        source.append(P, insertAt(0, 1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        await(p, x -> x.metrics().bulks() == 1, "the bulk");
        assertEquals(PipelineMetrics.Timing.EMPTY, p.metrics().syncLatency());
    }

    @Test
    void reportsBulkSizesAndDurations() throws Exception {
        sink.manual(true);
        SyncPipeline p = start(builder().maxBulkActions(3).maxBufferedActions(3).maxInFlightRequests(1));
        source.append(P, insertAt(0, 1), insertAt(0, 2), insertAt(0, 3));
        assertTrue(sink.awaitPending(1, WAIT));
        clock.advance(Duration.ofMillis(40));
        sink.pending().get(0).complete();
        await(p, x -> x.metrics().bulks() == 1, "the bulk");

        PipelineMetrics m = p.metrics();
        assertEquals(new PipelineMetrics.Sizes(1, 3, 3, 3, 3), m.bulkActions());
        assertEquals(1, m.bulkBytes().count());
        assertTrue(m.bulkBytes().total() > 0);
        assertEquals(Duration.ofMillis(40), m.bulkDuration().max());
        assertEquals(1, m.bulkDuration().count());
    }

    @Test
    void exposesPerPartitionLagFromTheSource() throws Exception {
        InMemorySource slow = new InMemorySource(true, 1);
        sink.manual(true);
        SyncPipeline p = start(builder().source(slow));
        for (int i = 0; i < 5; i++) {
            slow.append(P, insertAt(0, i));
        }
        assertTrue(sink.awaitPending(1, WAIT));
        assertTrue(slow.awaitPaused(true, WAIT)); // buffer of one action is full: the rest waits
        clock.advance(Duration.ofSeconds(1)); // the lag is sampled at most once a second
        await(p, x -> x.metrics().lag().getOrDefault(P, 0L) == 4L, "a lag of 4 records");
        assertEquals(4, p.metrics().totalLag());
    }

    @Test
    void aNegativeLagFromTheSourceIsReportedAsNothingLeftToRead() throws Exception {
        // a consumer whose position is past the end offset (a log truncated under it) reports a negative lag
        Source negativeLag = new dev.binlogsync.core.testing.ForwardingSource(source) {
            @Override
            public Map<String, Long> lag() {
                return Map.of(P, -3L, "orders-1", 2L);
            }
        };
        SyncPipeline p = start(builder().source(negativeLag));
        await(p, x -> x.metrics().lag().containsKey(P), "the lag sampled");
        assertEquals(Map.of(P, 0L, "orders-1", 2L), p.metrics().lag());
        assertEquals(2, p.metrics().totalLag());
    }

    @Test
    void heartbeatAgeGrowsFromTheReportedHeartbeat() {
        SyncPipeline p = builder().build();
        started.add(p);
        assertNull(p.metrics().heartbeatAge());
        p.reportHeartbeat(Instant.ofEpochMilli(clock.currentTimeMillis() - 4_000));
        assertEquals(Duration.ofSeconds(4), p.metrics().heartbeatAge());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(5), p.metrics().heartbeatAge());
    }

    @Test
    void healthIsFailedWithTheCauseAfterAPermanentRejection() throws Exception {
        sink.defaultReply(Reply.permanent(a -> true, "failed to parse field [price]"));
        SyncPipeline p = start(builder());
        source.append(P, insertAt(0, 1));
        assertTrue(p.awaitTermination(WAIT));
        PipelineHealth h = p.health();
        assertEquals(PipelineHealth.Status.FAILED, h.status());
        assertSame(p.failure(), h.cause());
        assertTrue(h.reason().contains("failed to parse field [price]"), h.reason());
    }

    @Test
    void healthIsSinkUnreachableOnlyAfterRequestsFailedLongerThanTheThreshold() throws Exception {
        sink.defaultReply(Reply.unavailable());
        SyncPipeline p = start(builder().sinkUnreachableAfter(Duration.ofSeconds(30))
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(10)));
        source.append(P, insertAt(0, 1));
        await(p, x -> x.metrics().failedBulks() >= 1, "a failed request");
        assertTrue(p.health().isHealthy(), "within the threshold: " + p.health());

        clock.advance(Duration.ofSeconds(31));
        PipelineHealth h = p.health();
        assertEquals(PipelineHealth.Status.SINK_UNREACHABLE, h.status());
        assertTrue(h.reason().contains("connection refused"), h.reason());
        assertTrue(h.cause() instanceof RetriableSyncException);

        sink.defaultReply(Reply.success()); // the sink is back: the next retry succeeds
        // A retry sent before the reply changed may still fail and schedule another one on the manual clock,
        // so keep moving the clock past the backoff until a retry succeeds.
        await(p, x -> {
            clock.advance(Duration.ofMillis(20));
            return x.health().isHealthy();
        }, "healthy again");
        assertTrue(source.awaitCommitted(P, 0, WAIT));
    }

    @Test
    void healthIsStalledWhenRecordsWaitWithoutCommitProgress() throws Exception {
        sink.manual(true); // the sink never answers
        SyncPipeline p = start(builder().stalledAfter(Duration.ofMinutes(2)));
        source.append(P, insertAt(0, 1));
        assertTrue(sink.awaitPending(1, WAIT));
        clock.advance(Duration.ofMinutes(1));
        assertTrue(p.health().isHealthy(), "within the threshold: " + p.health());

        clock.advance(Duration.ofMinutes(2));
        await(p, x -> x.health().status() == PipelineHealth.Status.STALLED, "stalled");
        assertTrue(p.health().reason().contains("no commit progress"), p.health().reason());

        sink.pending().get(0).complete();
        await(p, x -> x.health().isHealthy(), "healthy after the commit");
        assertEquals(0, source.committed(P).offset());
    }

    @Test
    void aQuietPipelineWithNothingWaitingStaysHealthy() throws Exception {
        SyncPipeline p = start(builder().stalledAfter(Duration.ofMinutes(1)));
        source.append(P, insertAt(0, 1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        clock.advance(Duration.ofHours(1));
        long polls = source.polls();
        assertTrue(source.awaitPolls(polls + 2, WAIT)); // the loop saw the advanced clock
        assertTrue(p.health().isHealthy(), p.health().toString());
    }

    @Test
    void logsAOneLineSummaryAtInfoEverySummaryInterval() throws Exception {
        // slf4j-simple (the test binding) writes to the System.err of the moment it logs
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            SyncPipeline p = start(builder().summaryInterval(Duration.ofSeconds(30)).threadName("summary-test"));
            source.append(P, insertAt(clock.currentTimeMillis() - 40, 1), insertAt(clock.currentTimeMillis() - 40, 2));
            assertTrue(source.awaitCommitted(P, 0, WAIT));
            await(p, x -> x.metrics().bulks() == 2, "both bulks");
            String before = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(!before.contains("pipeline summary-test:"), "no summary before the interval: " + before);
            clock.advance(Duration.ofSeconds(30));
            String log = Await.value(WAIT, "a summary line in the log",
                    () -> captured.toString(java.nio.charset.StandardCharsets.UTF_8), l -> l.contains("pipeline summary-test:"));
            String line = null;
            for (String l : log.split("\n")) {
                if (l.contains("pipeline summary-test:")) {
                    line = l;
                }
            }
            assertTrue(line.contains(" INFO "), line);
            assertTrue(line.contains("(events 2, actions 2,"), line);
            assertTrue(line.contains(", stale 0, missing 0, retried 0,") && line.contains(", in doubt 0, fenced writes 0)"), line);
            assertTrue(line.contains("sync latency over the last minute p50 40 ms p99 40 ms max 40 ms"), line);
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void healthIsStartingBeforeStartAndStoppedAfterClose() {
        SyncPipeline p = builder().build();
        assertEquals(PipelineHealth.Status.STARTING, p.health().status());
        p.close();
        assertEquals(PipelineHealth.Status.STOPPED, p.health().status());
    }

    @Test
    void aMetricsSnapshotBuiltWithOnlySomeValuesHasTheRestZeroOrEmpty() {
        PipelineMetrics m = PipelineMetrics.builder().indexActions(3).upsertActions(4).deleteActions(5)
                .updateActions(6).lag(Map.of("t-0", 7L, "t-1", 8L)).build();
        assertEquals(18, m.actions());
        assertEquals(15, m.totalLag());
        assertEquals(0, m.records());
        assertEquals(Duration.ZERO, m.pausedTime());
        assertEquals(PipelineMetrics.Timing.EMPTY, m.syncLatency());
        assertEquals(PipelineMetrics.Sizes.EMPTY, m.bulkBytes());
        assertNull(m.heartbeatAge());
        assertEquals(PipelineMetrics.EMPTY, PipelineMetrics.builder().build());
    }

    @Test
    void aMetricsSnapshotCopiedThroughItsBuilderIsEqualToIt() {
        PipelineMetrics m = PipelineMetrics.builder().records(1).events(2).coalesced(3).stale(4).missing(5)
                .retried(6).deadLettered(7).skipped(8).bulks(9).failedBulks(10).commits(11).inFlightRequests(12)
                .bufferedActions(13).bufferedBytes(14).paused(true).pausedTime(Duration.ofSeconds(15))
                .syncLatency(new PipelineMetrics.Timing(1, Duration.ofMillis(16), Duration.ofMillis(16),
                        Duration.ofMillis(16), Duration.ofMillis(16)))
                .bulkActions(new PipelineMetrics.Sizes(1, 17, 17, 17, 17)).heartbeatAge(Duration.ofSeconds(18))
                .build();
        assertEquals(m, m.toBuilder().build());
        assertEquals(m.hashCode(), m.toBuilder().build().hashCode());
        assertNotEquals(m, m.toBuilder().paused(false).build());
        assertTrue(m.toString().contains("heartbeatAge=PT18S"), m.toString());
    }

    @Test
    void inDoubtBulksAndFencedWritesAreCopiedComparedAndShown() {
        PipelineMetrics m = PipelineMetrics.builder().failedBulks(3).inDoubtBulks(2).fencedWrites(5).build();
        assertEquals(2, m.inDoubtBulks());
        assertEquals(5, m.fencedWrites());
        assertEquals(m, m.toBuilder().build());
        assertEquals(m.hashCode(), m.toBuilder().build().hashCode());
        assertNotEquals(m, m.toBuilder().inDoubtBulks(1).build());
        assertNotEquals(m, m.toBuilder().fencedWrites(4).build());
        assertTrue(m.toString().contains("inDoubtBulks=2, fencedWrites=5"), m.toString());
        assertEquals(0, PipelineMetrics.EMPTY.inDoubtBulks());
        assertEquals(0, PipelineMetrics.EMPTY.fencedWrites());
    }

    @Test
    void rejectsBadObservabilitySettings() {
        SyncPipeline.Builder b = SyncPipeline.builder();
        assertEquals("summaryInterval must be >= 0: PT-1S",
                assertThrows(IllegalArgumentException.class, () -> b.summaryInterval(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals("stalledAfter must be > 0: PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.stalledAfter(Duration.ZERO)).getMessage());
        assertEquals("sinkUnreachableAfter must be > 0: PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.sinkUnreachableAfter(Duration.ZERO))
                        .getMessage());
    }
}
