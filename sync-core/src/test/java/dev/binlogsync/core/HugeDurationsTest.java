package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.INDEX;
import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A duration meaning "forever" ({@link ChronoUnit#FOREVER}, {@code Duration.ofSeconds(Long.MAX_VALUE)})
 * behaves as a very long time for every duration setting: never as already expired, never as an
 * arithmetic overflow from inside the pipeline.
 */
@Timeout(60)
class HugeDurationsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    private static final String P = "orders-0";

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
                .flushInterval(Duration.ofMillis(5))
                .commitInterval(Duration.ZERO)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(5));
    }

    private SyncPipeline start(SyncPipeline.Builder b) {
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    private static ChangeEvent insert(Object id) {
        return Events.insert("shop", "orders", row(id));
    }

    @Test
    void foreverFlushIntervalNeverExpiresButFullLanesAndCloseStillFlush() throws Exception {
        ManualClock clock = new ManualClock();
        SyncPipeline p = start(builder().clock(clock).flushInterval(FOREVER).maxBulkActions(2).lanes(1)
                .maxInFlightRequests(1));
        source.append(P, insert(1));
        assertTrue(source.awaitDelivered(WAIT));
        clock.advance(Duration.ofDays(10 * 365));
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertTrue(sink.requests().isEmpty(), "ten years are not forever");
        source.append(P, insert(2));
        assertTrue(sink.awaitRequests(1, WAIT), "a full lane goes at once");
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertEquals(new SourcePosition(P, 2), source.committed(P));
        assertNotNull(sink.document(INDEX, "3"));
    }

    @Test
    void foreverCommitIntervalCommitsOnCloseOnly() throws Exception {
        SyncPipeline p = start(builder().commitInterval(FOREVER));
        source.append(P, insert(1));
        assertTrue(sink.awaitRequests(1, WAIT));
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertNull(source.committed(P));
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertEquals(new SourcePosition(P, 0), source.committed(P));
    }

    @Test
    void foreverRetryBackoffMaxStillRetriesAfterTheInitialDelay() throws Exception {
        sink.enqueue(Reply.unavailable());
        SyncPipeline p = start(builder().retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(FOREVER));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(2, sink.requests().size());
        assertEquals(PipelineState.RUNNING, p.state());
    }

    @Test
    void foreverPollTimeoutStillWritesAndCommits() throws Exception {
        SyncPipeline p = start(builder().pollTimeout(FOREVER));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
    }

    @Test
    void foreverDrainTimeoutIsTheCloseTimeoutAndStillDrainsAndReturns() throws Exception {
        ManualClock clock = new ManualClock();
        SyncPipeline p = start(builder().clock(clock).drainTimeout(FOREVER).flushInterval(Duration.ofHours(1)));
        source.append(P, insert(1));
        assertTrue(source.awaitDelivered(WAIT));
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertEquals(new SourcePosition(P, 0), source.committed(P));
    }

    @Test
    void foreverDrainTimeoutStillFinishesARevoke() throws Exception {
        ManualClock clock = new ManualClock();
        SyncPipeline p = start(builder().clock(clock).drainTimeout(FOREVER).flushInterval(Duration.ofHours(1)));
        source.append(P, insert(1));
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(source.awaitPolls(source.polls() + 2, WAIT));
        assertTrue(sink.requests().isEmpty());
        // the revoke sends what is buffered, waits for it and commits before it returns
        source.revoke(P);
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        assertNotNull(sink.document(INDEX, "1"));
    }

    @Test
    void closeWithAForeverTimeoutDrainsAndReturns() throws Exception {
        ManualClock clock = new ManualClock();
        SyncPipeline p = start(builder().clock(clock).flushInterval(Duration.ofHours(1)));
        source.append(P, insert(1));
        assertTrue(source.awaitDelivered(WAIT));
        p.close(FOREVER);
        assertEquals(PipelineState.CLOSED, p.state());
        assertEquals(new SourcePosition(P, 0), source.committed(P));
        assertTrue(p.awaitTermination(FOREVER));
    }

    @Test
    void foreverHealthThresholdsAndSummaryIntervalBuildAndReportHealthy() throws Exception {
        SyncPipeline p = start(builder().summaryInterval(FOREVER).stalledAfter(FOREVER).sinkUnreachableAfter(FOREVER));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(PipelineHealth.Status.HEALTHY, p.health().status());
    }
}
