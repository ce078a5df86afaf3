package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.INDEX;
import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SyncPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final RecordingDeadLetterSink dlq = new RecordingDeadLetterSink();
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
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(5))
                .threadName("test-pipeline");
    }

    private SyncPipeline start(SyncPipeline.Builder b) {
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    private static ChangeEvent insert(Object id, Object... kv) {
        return Events.insert("shop", "orders", row(id, kv));
    }

    private static ChangeEvent update(Object id, Object... kv) {
        return Events.update("shop", "orders", row(id, kv), Map.of());
    }

    private static ChangeEvent delete(Object id) {
        return Events.delete("shop", "orders", row(id));
    }

    @Test
    void commitsOffsetOnlyAfterBulkSucceeded() throws Exception {
        sink.manual(true);
        start(builder());
        source.append(P, insert(1));
        source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(sink.awaitPending(1, WAIT));
        assertTrue(source.awaitDelivered(WAIT));
        // the pipeline keeps polling while the bulk is out, and commits nothing
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertNull(source.committed(P));

        List<RecordingBulkSink.Request> pending = sink.pending();
        for (RecordingBulkSink.Request r : pending) {
            r.complete();
        }
        // more requests may follow if the records were split; complete them all
        Await.until(WAIT, "offset 2 committed while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return source.awaitCommitted(P, 2, Duration.ofMillis(50));
        });
        assertEquals(new SourcePosition(P, 2), source.committed(P));
        assertEquals(3, sink.documents().size());
    }

    @Test
    void noCommitPastPermanentlyFailedItemAndPipelineFailsNamingDocumentAndPosition() throws Exception {
        sink.manual(true);
        sink.defaultReply(Reply.permanent(a -> a.id().equals("2"), "failed to parse field [price]"));
        SyncPipeline p = start(builder().maxBulkActions(10));
        source.append(P, insert(1));
        source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(sink.awaitPending(1, WAIT));
        // complete everything the pipeline sends
        Await.until(WAIT, "pipeline terminated while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return p.awaitTermination(Duration.ofMillis(20));
        });
        assertEquals(PipelineState.FAILED, p.state());
        Throwable failure = p.failure();
        assertNotNull(failure);
        assertTrue(failure.getMessage().contains("idx/2"), failure.getMessage());
        assertTrue(failure.getMessage().contains(P + "@1"), failure.getMessage());
        assertTrue(failure.getMessage().contains("failed to parse field [price]"), failure.getMessage());
        // record 0 is done, record 1 failed: commit stops at 0 although record 2 was written
        assertEquals(new SourcePosition(P, 0), source.committed(P));
        assertTrue(source.isClosed());
        assertTrue(sink.isClosed());
    }

    @Test
    void deadLetteredItemsLetCommitAdvance() throws Exception {
        sink.defaultReply(Reply.permanent(a -> a.id().equals("2"), "failed to parse field [price]"));
        SyncPipeline p = start(builder().maxBulkActions(10).onRejected(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        SourcePosition failedAt = null;
        source.append(P, insert(1));
        failedAt = source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        List<DeadLetter> letters = dlq.letters();
        assertEquals(1, letters.size());
        DeadLetter letter = letters.get(0);
        assertEquals(DeadLetter.Kind.REJECTED, letter.kind());
        assertEquals(List.of(failedAt), letter.positions());
        assertEquals("2", letter.action().id());
        assertEquals(ItemResult.Outcome.PERMANENT, letter.result().outcome());
        assertTrue(letter.reason().contains("idx/2"), letter.reason());
        assertEquals(failedAt, letter.record().position());
    }

    @Test
    void deadLetterIsOnlyDoneWhenTheDeadLetterSinkAcknowledgesAndRetriesItsRetriableFailure() throws Exception {
        sink.enqueue(Reply.permanent(a -> a.id().equals("1"), "bad"));
        dlq.failNext(new RetriableSyncException("dlq topic unavailable"));
        dlq.failNext(new RetriableSyncException("dlq topic unavailable"));
        start(builder().onRejected(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(3, dlq.attempts());
        assertEquals(1, dlq.letters().size());
    }

    @Test
    void skipPolicyCountsRejectedItemAndCommitsPastIt() throws Exception {
        sink.defaultReply(Reply.permanent(a -> a.id().equals("1"), "bad"));
        SyncPipeline p = start(builder().onRejected(FailurePolicy.SKIP));
        source.append(P, insert(1));
        source.append(P, insert(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        Await.value(WAIT, "one skipped record counted", p::metrics, m -> m.skipped() == 1);
        assertEquals(PipelineState.RUNNING, p.state());
    }

    @Test
    void retryableItemIsRetriedAndCommittedOnlyAfterItSucceeds() throws Exception {
        sink.manual(true);
        sink.enqueue(Reply.retryable(a -> a.id().equals("1")));
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        assertTrue(sink.awaitPending(1, WAIT));
        sink.pending().get(0).complete();
        assertTrue(sink.awaitRequests(2, WAIT));
        assertNull(source.committed(P));
        sink.pending().get(0).complete();
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(1, sink.requests().get(1).actions().size());
        assertEquals("1", sink.requests().get(1).actions().get(0).id());
        Await.value(WAIT, "one retry counted", p::metrics, m -> m.retried() == 1);
    }

    @Test
    void wholeRequestRetriableFailureIsRetried() throws Exception {
        sink.enqueue(Reply.unavailable(), Reply.unavailable());
        start(builder().lanes(1).maxInFlightRequests(1));
        source.append(P, insert(1), insert(2));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(3, sink.requests().size());
        assertEquals(2, sink.documents().size());
    }

    @Test
    void exhaustedRetriesGoToTheRejectionPolicy() throws Exception {
        sink.defaultReply(Reply.retryable(a -> a.id().equals("1")));
        SyncPipeline p = start(builder().maxRetries(2));
        source.append(P, insert(1));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertTrue(p.failure().getMessage().contains("gave up after 2 retries"), p.failure().getMessage());
        assertEquals(3, sink.requests().size());
        assertNull(source.committed(P));
    }

    @Test
    void nonRetriableRequestFailureFailsThePipeline() throws Exception {
        sink.enqueue(Reply.failRequest(new SyncException("401 unauthorized")));
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertTrue(p.failure().getMessage().contains("401 unauthorized"), p.failure().getMessage());
        assertNull(source.committed(P));
    }

    @Test
    void undecodableRecordStopsThePipelineNamingItsPosition() throws Exception {
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        SourcePosition bad = source.appendUndecodable(P, "{not json", "unexpected character");
        source.append(P, insert(3));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertTrue(p.failure().getMessage().contains(bad.toString()), p.failure().getMessage());
        assertEquals(new SourcePosition(P, 0), source.committed(P));
        assertNull(sink.document(INDEX, "3"));
    }

    @Test
    void undecodableRecordGoesToDeadLetterSinkAndCommitAdvances() throws Exception {
        start(builder().onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        SourcePosition bad = source.appendUndecodable(P, "{not json", "unexpected character");
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        DeadLetter letter = dlq.letters().get(0);
        assertEquals(DeadLetter.Kind.UNDECODABLE, letter.kind());
        assertEquals(bad, letter.record().position());
        assertEquals("{not json", new String(letter.record().value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void ruleSetFailureOfOneEventDeadLettersThatEventAndKeepsTheOthers() throws Exception {
        RuleSet rules = (event, out) -> {
            if (event.row().get("id").equals(2)) {
                throw new SyncException("no id column configured for shop.orders");
            }
            TestRules.byOperation().apply(event, out);
        };
        start(builder().ruleSet(rules).onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1), insert(2), insert(3));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(DeadLetter.Kind.UNMAPPABLE, dlq.letters().get(0).kind());
        assertTrue(dlq.letters().get(0).reason().contains("shop.orders"), dlq.letters().get(0).reason());
        assertNotNull(sink.document(INDEX, "1"));
        assertNull(sink.document(INDEX, "2"));
        assertNotNull(sink.document(INDEX, "3"));
    }

    @Test
    void recordsWithoutActionsAreCommitted() throws Exception {
        start(builder().ruleSet((event, out) -> { }));
        source.append(P, insert(1));
        source.append(P, insert(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        assertTrue(sink.requests().isEmpty());
    }

    @Test
    void flushesOnTheIntervalOfTheInjectedClockWithoutSleeping() throws Exception {
        ManualClock clock = new ManualClock();
        start(builder().clock(clock).flushInterval(Duration.ofMillis(200)).maxBulkActions(100));
        source.append(P, insert(1));
        awaitProcessed();
        // several loop iterations later nothing was sent: the clock has not moved
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertTrue(sink.requests().isEmpty());
        clock.advance(Duration.ofMillis(199));
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertTrue(sink.requests().isEmpty());
        clock.advance(Duration.ofMillis(1));
        assertTrue(sink.awaitRequests(1, WAIT));
        assertEquals(1, sink.requests().get(0).actions().size());
    }

    @Test
    void flushesWhenALaneReachesMaxBulkActionsBeforeTheInterval() throws Exception {
        ManualClock clock = new ManualClock();
        start(builder().clock(clock).flushInterval(Duration.ofMillis(200)).maxBulkActions(3).lanes(1)
                .maxInFlightRequests(1));
        source.append(P, insert(1), insert(2), insert(3), insert(4));
        assertTrue(sink.awaitRequests(1, WAIT));
        assertEquals(3, sink.requests().get(0).actions().size());
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertEquals(1, sink.requests().size());
    }

    @Test
    void flushesWhenALaneReachesMaxBulkSizeBeforeTheInterval() throws Exception {
        ManualClock clock = new ManualClock();
        start(builder().clock(clock).flushInterval(Duration.ofMillis(200)).maxBulkBytes(1000).lanes(1)
                .maxInFlightRequests(1));
        String big = "x".repeat(600);
        source.append(P, insert(1, "note", big), insert(2, "note", big));
        // the lane passed 1000 bytes: the first document goes at once, alone, within the size limit
        assertTrue(sink.awaitRequests(1, WAIT));
        assertEquals(List.of("1"), sink.requests().get(0).actions().stream().map(DocumentAction::id).toList());
        // the rest is below the limit and waits for its interval
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertEquals(1, sink.requests().size());
        clock.advance(Duration.ofMillis(200));
        assertTrue(sink.awaitRequests(2, WAIT));
        assertEquals(List.of("2"), sink.requests().get(1).actions().stream().map(DocumentAction::id).toList());
    }

    @Test
    void bufferedBytesLimitPausesTheSource() throws Exception {
        InMemorySource small = new InMemorySource(true, 1);
        sink.manual(true);
        SyncPipeline p = start(builder().source(small).maxBulkBytes(2_000).maxBufferedBytes(4_000).lanes(1)
                .maxInFlightRequests(1));
        String big = "x".repeat(900);
        for (int i = 0; i < 50; i++) {
            small.append(P, insert(i, "note", big));
        }
        assertTrue(small.awaitPaused(true, WAIT));
        assertTrue(small.awaitPolls(small.polls() + 3, WAIT));
        assertTrue(p.metrics().bufferedBytes() < 4_000 + 1_100, "held " + p.metrics().bufferedBytes() + " bytes");
        assertTrue(small.undelivered() > 30);
        Await.until(WAIT, "offset 49 committed while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return small.awaitCommitted(P, 49, Duration.ofMillis(10));
        });
        assertEquals(new SourcePosition(P, 49), small.committed(P));
    }

    /**
     * Updates of one hot row coalesce into a single buffered action while the previous write is
     * out, so the action limits never trip; the records they came from must still stay bounded
     * (their raw bytes count against maxBufferedBytes), or an Elasticsearch outage under such a
     * workload would fill the heap.
     */
    @Test
    void recordsCoalescedIntoOneHotRowActionStillPauseTheSource() throws Exception {
        InMemorySource hot = new InMemorySource(true, 10);
        sink.manual(true);
        SyncPipeline p = start(builder().source(hot).maxBulkBytes(2_000).maxBufferedBytes(20_000).lanes(1).maxInFlightRequests(1));
        for (int i = 0; i < 2000; i++) {
            hot.append(P, update(1, "v", i));
        }
        assertTrue(hot.awaitPaused(true, WAIT), "paused by the pending records' bytes");
        assertTrue(hot.awaitPolls(hot.polls() + 3, WAIT));
        assertTrue(p.metrics().bufferedActions() <= 2, "one action in flight, one buffered: " + p.metrics().bufferedActions());
        Await.value(WAIT, "the metric shows what paused it (paused, >= 20,000 buffered bytes)", p::metrics,
                m -> m.paused() && m.bufferedBytes() >= 20_000);
        // each record is ~110 bytes raw + overhead: about 180 fit in 20,000 bytes, plus one poll of 10
        assertTrue(hot.undelivered() > 1500, "records held back: " + hot.undelivered());
        Await.until(WAIT, "offset 1999 committed while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return hot.awaitCommitted(P, 1999, Duration.ofMillis(10));
        });
        assertEquals(new SourcePosition(P, 1999), hot.committed(P));
        assertTrue(hot.resumeCount() >= 1);
        assertEquals(1999, sink.document(INDEX, "1").get("v"), "the last update wins");
    }

    @Test
    void fullBufferPausesTheSourceWhichResumesWhenThereIsRoom() throws Exception {
        InMemorySource small = new InMemorySource(true, 5);
        sink.manual(true);
        SyncPipeline p = start(builder().source(small).maxBufferedActions(20).maxBulkActions(10).lanes(2)
                .maxInFlightRequests(2));
        for (int i = 0; i < 200; i++) {
            small.append(P, insert(i));
        }
        assertTrue(small.awaitPaused(true, WAIT));
        // while paused the source is still polled and the held actions stay bounded
        assertTrue(small.awaitPolls(small.polls() + 3, WAIT));
        Await.value(WAIT, "the metrics show the pause", p::metrics, PipelineMetrics::paused);
        assertTrue(p.metrics().bufferedActions() <= 20 + 5, "held " + p.metrics().bufferedActions());
        assertTrue(small.undelivered() > 100);
        int[] maxHeld = {0};
        Await.until(WAIT, "offset 199 committed while every request is completed", () -> {
            maxHeld[0] = Math.max(maxHeld[0], (int) p.metrics().bufferedActions());
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return small.awaitCommitted(P, 199, Duration.ofMillis(10));
        });
        assertTrue(maxHeld[0] <= 25, "held at most " + maxHeld[0]);
        assertTrue(small.resumeCount() >= 1);
        assertEquals(200, sink.documents().size());
        assertTrue(p.metrics().pausedTime().compareTo(Duration.ZERO) > 0);
    }

    /** A user's clock that is not monotonic: it stays where {@link #set} puts it, also back. */
    private static final class SettableClock implements SyncClock {
        private final java.util.concurrent.atomic.AtomicLong nanos;

        SettableClock(Duration at) {
            nanos = new java.util.concurrent.atomic.AtomicLong(at.toNanos());
        }

        void set(Duration at) {
            nanos.set(at.toNanos());
        }

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        @Override
        public long currentTimeMillis() {
            return 1_767_225_600_000L + nanos.get() / 1_000_000;
        }
    }

    @Test
    void aClockThatGoesBackWhilePausedShowsNoPausedTimeInsteadOfFailingThePipeline() throws Exception {
        SettableClock clock = new SettableClock(Duration.ofSeconds(10));
        InMemorySource small = new InMemorySource(true, 5);
        sink.manual(true);
        // lanes(1) and 200 actions: every bulk is full (10 actions), none waits for the stopped clock's flush
        SyncPipeline p = start(builder().clock(clock).source(small).maxBufferedActions(20).maxBulkActions(10).lanes(1)
                .maxInFlightRequests(1));
        for (int i = 0; i < 200; i++) {
            small.append(P, insert(i));
        }
        assertTrue(small.awaitPaused(true, WAIT));

        clock.set(Duration.ZERO); // paused at 10 s, now 0 s: paused for -10 s by this clock
        // (commits wait for the clock to pass the last commit's time again, so documents are awaited)
        Await.until(WAIT, "every document written while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return sink.documents().size() == 200 && p.state() == PipelineState.RUNNING && !p.metrics().paused();
        });

        assertEquals(PipelineState.RUNNING, p.state(), String.valueOf(p.health()));
        assertTrue(small.resumeCount() >= 1);
        assertEquals(Duration.ZERO, p.metrics().pausedTime(), "a negative time shows as none");
    }

    @Test
    void closeDrainsBufferedAndInFlightActionsAndCommits() throws Exception {
        ManualClock clock = new ManualClock();
        sink.delay(Duration.ofMillis(20));
        SyncPipeline p = start(builder().clock(clock).flushInterval(Duration.ofHours(1)).commitInterval(Duration.ofHours(1)));
        for (int i = 0; i < 50; i++) {
            source.append(P, insert(i));
        }
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(sink.requests().isEmpty());
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertEquals(new SourcePosition(P, 49), source.committed(P));
        assertEquals(50, sink.documents().size());
        assertTrue(source.isClosed());
        assertTrue(sink.isClosed());
    }

    @Test
    void revokeFlushesWaitsAndCommitsBeforeReturning() throws Exception {
        ManualClock clock = new ManualClock();
        List<String> events = new CopyOnWriteArrayList<>();
        PipelineListener l = new PipelineListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<String> partitions) {
                events.add("revoked " + partitions + " committed=" + source.committed(P));
            }
        };
        sink.delay(Duration.ofMillis(10));
        start(builder().clock(clock).listener(l).flushInterval(Duration.ofHours(1)).commitInterval(Duration.ofHours(1)));
        source.append(P, insert(1));
        source.append(P, insert(2));
        source.append("other-0", insert(3));
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(sink.requests().isEmpty());
        source.revoke(P);
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        Await.until(WAIT, "the revocation heard by the listener", () -> !events.isEmpty());
        assertEquals(List.of("revoked [" + P + "] committed=" + P + "@1"), events);
        assertFalse(source.assignment().contains(P));
    }

    @Test
    void lossDropsStateWithoutCommittingAndReassignmentReadsAgain() throws Exception {
        ManualClock clock = new ManualClock();
        sink.manual(true);
        start(builder().clock(clock).flushInterval(Duration.ofHours(1)).commitInterval(Duration.ZERO).lanes(1)
                .maxInFlightRequests(1));
        source.append(P, insert(1));
        awaitProcessed();
        clock.advance(Duration.ofHours(1));
        assertTrue(sink.awaitPending(1, WAIT));
        source.append(P, insert(2)); // buffered, not sent
        awaitProcessed();
        source.lose(P);
        assertTrue(source.awaitPolls(source.polls() + 2, WAIT));
        sink.pending().get(0).complete(); // completes after the loss: ignored
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertNull(source.committed(P));
        assertEquals(1, sink.requests().size(), "the buffered action of the lost partition was dropped");

        source.assign(P);
        awaitProcessed();
        clock.advance(Duration.ofHours(1));
        assertTrue(sink.awaitPending(1, WAIT));
        List<DocumentAction> resent = sink.pending().get(0).actions();
        assertEquals(List.of("1", "2"), resent.stream().map(DocumentAction::id).sorted().toList());
        sink.pending().get(0).complete();
        assertTrue(source.awaitCommitted(P, 1, WAIT));
    }

    @Test
    void laterActionForTheSameDocumentInTheSameBulkIsRetriedWithAnEarlierRetryableOne() throws Exception {
        ManualClock clock = new ManualClock();
        sink.manual(true);
        start(builder().clock(clock).flushInterval(Duration.ofHours(1)).lanes(1).maxInFlightRequests(1)
                .retryInitialBackoff(Duration.ofNanos(1)).retryMaxBackoff(Duration.ofNanos(1)));
        // one document fed from two partitions: two actions, not coalesced, in one bulk
        source.append("a-0", update(1, "x", 1));
        source.append("b-0", update(1, "y", 2));
        awaitProcessed();
        clock.advance(Duration.ofHours(1));
        assertTrue(sink.awaitPending(1, WAIT));
        RecordingBulkSink.Request first = sink.pending().get(0);
        assertEquals(2, first.actions().size());
        first.complete(List.of(ItemResult.retryable(429, "es_rejected_execution_exception", "queue full"),
                ItemResult.success()));
        Await.until(WAIT, "the retried action sent again", () -> {
            clock.advance(Duration.ofSeconds(1)); // past the backoff, whenever the completion is handled
            return sink.awaitRequests(2, Duration.ofMillis(20));
        });
        assertEquals(2, sink.requests().size());
        RecordingBulkSink.Request second = sink.requests().get(1);
        // the upsert that succeeded is sent again after the retried one, or ES would end with y then x order
        assertEquals(first.actions(), second.actions());
        second.complete();
        assertTrue(source.awaitCommitted("b-0", 0, WAIT));
        assertTrue(source.awaitCommitted("a-0", 0, WAIT));
        List<DocumentAction> history = sink.history(INDEX, "1");
        assertEquals(Map.of("id", 1, "x", 1), history.get(history.size() - 2).document());
        assertEquals(Map.of("id", 1, "y", 2), history.get(history.size() - 1).document());
    }

    @Test
    void commitFailureIsRetriedByALaterCommit() throws Exception {
        source.failNextCommit(new RetriableSyncException("coordinator not available"));
        start(builder());
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        source.append(P, insert(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
    }

    @Test
    void aFatalCommitErrorFailsThePipelineNamingThePositions() throws Exception {
        source.failNextCommit(new SyncException("commit of [orders-0@0] failed for good: GroupAuthorizationException"));
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertTrue(p.failure().getMessage().contains("orders-0@0"), p.failure().getMessage());
    }

    @Test
    void aCommitRefusedBecauseThePartitionIsNoLongerOwnedIsRetriedByALaterCommit() throws Exception {
        source.failNextCommit(new PartitionNotOwnedException("commit of [orders-0@0] failed: no longer owned"));
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
    }

    @Test
    void closeTimeoutAbandonsUnacknowledgedWorkUncommitted() throws Exception {
        sink.manual(true);
        SyncPipeline p = start(builder());
        source.append(P, insert(1));
        assertTrue(sink.awaitPending(1, WAIT)); // never completed
        p.close(Duration.ofMillis(200));
        assertEquals(PipelineState.CLOSED, p.state());
        assertNull(source.committed(P));
        assertTrue(source.isClosed());
    }

    @Test
    void revokeThatCannotFinishWithinDrainTimeoutReleasesThePartitionUncommitted() throws Exception {
        sink.manual(true);
        start(builder().drainTimeout(Duration.ofMillis(200)).lanes(1).maxInFlightRequests(1));
        source.append(P, insert(1));
        assertTrue(sink.awaitPending(1, WAIT));
        source.revoke(P);
        Await.until(WAIT, P + " released", () -> !source.assignment().contains(P));
        assertFalse(source.assignment().contains(P));
        assertNull(source.committed(P));
        // the late acknowledgement is ignored, and the pipeline keeps working for other partitions
        sink.pending().get(0).complete();
        source.append("other-0", insert(2));
        Await.until(WAIT, "a request for other-0", () -> !sink.pending().isEmpty());
        sink.pending().get(0).complete();
        assertTrue(source.awaitCommitted("other-0", 0, WAIT));
        assertNull(source.committed(P));
    }

    @Test
    void skipDecodePolicyCountsTheRecordAndCommitsPastIt() throws Exception {
        SyncPipeline p = start(builder().onDecodeFailure(FailurePolicy.SKIP));
        source.appendUndecodable(P, "{", "truncated");
        source.append(P, insert(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        Await.value(WAIT, "one skipped record counted", p::metrics, m -> m.skipped() == 1);
        assertNotNull(sink.document(INDEX, "2"));
    }

    @Test
    void listenerHearsPauseAndResume() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        PipelineListener l = new PipelineListener() {
            @Override
            public void onPause() {
                heard.add("pause");
            }

            @Override
            public void onResume() {
                heard.add("resume");
            }
        };
        sink.manual(true);
        start(builder().listener(l).maxBufferedActions(1).maxBulkActions(1).lanes(1).maxInFlightRequests(1));
        source.append(P, insert(1));
        assertTrue(source.awaitPaused(true, WAIT));
        assertTrue(sink.awaitPending(1, WAIT));
        sink.pending().get(0).complete();
        assertTrue(source.awaitPaused(false, WAIT));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        Await.value(WAIT, "pause and resume heard", () -> List.copyOf(heard), h -> h.size() >= 2);
        assertEquals(List.of("pause", "resume"), heard);
    }

    @Test
    void closeBeforeStartClosesWithoutRunning() {
        SyncPipeline p = builder().build();
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertThrows(IllegalStateException.class, p::start);
        assertThrows(IllegalStateException.class, p::run);
        assertTrue(source.isClosed());
        assertFalse(source.isOpen());
    }

    @Test
    void startTwiceIsRejected() {
        SyncPipeline p = start(builder());
        IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
        assertTrue(e.getMessage().contains("RUNNING"), e.getMessage());
    }

    @Test
    void useAfterCloseIsRejected() throws Exception {
        SyncPipeline p = start(builder());
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertThrows(IllegalStateException.class, p::start);
        p.close(); // idempotent
        assertEquals(PipelineState.CLOSED, p.state());
    }

    @Test
    void listenerHearsStateChangesAndFailure() throws Exception {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        PipelineListener l = new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                heard.add(from + "->" + to);
            }

            @Override
            public void onFailure(Throwable failure) {
                heard.add("failure");
            }
        };
        SyncPipeline p = start(builder().listener(l));
        source.appendUndecodable(P, "x", "broken");
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(List.of("NEW->RUNNING", "failure", "RUNNING->FAILED"), heard);
    }

    @Test
    void runOnCallerThreadRethrowsTheFailure() {
        SyncPipeline p = builder().build();
        source.appendUndecodable(P, "x", "broken");
        SyncException e = assertThrows(SyncException.class, p::run);
        assertTrue(e.getMessage().contains(P + "@0"), e.getMessage());
        assertEquals(PipelineState.FAILED, p.state());
    }

    @Test
    void startedThreadIsANamedDaemon() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Thread> t = new java.util.concurrent.atomic.AtomicReference<>();
        start(builder().ruleSet((e, out) -> t.set(Thread.currentThread())));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals("test-pipeline", t.get().getName());
        assertTrue(t.get().isDaemon());
    }

    @Test
    void metricsCountEventsActionsAndBulks() throws Exception {
        SyncPipeline p = start(builder());
        source.append(P, insert(1), update(1, "x", 1), delete(2));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        Await.value(WAIT, "a bulk and a commit counted", p::metrics, m -> m.bulks() >= 1 && m.commits() >= 1);
        PipelineMetrics m = p.metrics();
        assertEquals(1, m.records());
        assertEquals(3, m.events());
        assertEquals(1, m.indexActions());
        assertEquals(1, m.upsertActions());
        assertEquals(1, m.deleteActions());
        assertEquals(1, m.coalesced());
        assertEquals(0, m.bufferedActions());
    }

    /** Waits until every record was polled and the pipeline thread finished processing it (it polled again). */
    private void awaitProcessed() throws InterruptedException {
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(source.awaitPolls(source.polls() + 2, WAIT));
    }

}
