package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.INDEX;
import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An outage (whole bulk requests failing retriably or in doubt) does not use up the per-item
 * {@code maxRetries}: only item-level retryable failures count against it.
 */
class OutageRetryBudgetTest {
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

    private SyncPipeline start(FailurePolicy onRejected) {
        SyncPipeline.Builder b = SyncPipeline.builder()
                .source(source)
                .ruleSet(TestRules.byOperation())
                .sink(sink)
                .lanes(1)
                .maxInFlightRequests(1)
                .flushInterval(Duration.ofMillis(5))
                .commitInterval(Duration.ZERO)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(2))
                .maxRetries(2)
                .onRejected(onRejected)
                .threadName("test-pipeline");
        if (onRejected == FailurePolicy.DEAD_LETTER) {
            b.deadLetterSink(dlq);
        }
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    private void appendThreeInserts() {
        source.append(P, Events.insert("shop", "orders", row(1)), Events.insert("shop", "orders", row(2)),
                Events.insert("shop", "orders", row(3)));
    }

    private static Reply[] times(int n, Reply r) {
        Reply[] out = new Reply[n];
        java.util.Arrays.fill(out, r);
        return out;
    }

    private void assertAllWritten(SyncPipeline p) throws InterruptedException {
        assertTrue(source.awaitCommitted(P, 0, WAIT), "offsets committed after the outage");
        assertEquals(PipelineState.RUNNING, p.state());
        for (int id = 1; id <= 3; id++) {
            assertNotNull(sink.document(INDEX, String.valueOf(id)), "document " + id + " written");
        }
        assertEquals(0, p.metrics().deadLettered(), "nothing dead-lettered");
        assertEquals(0, p.metrics().skipped(), "nothing skipped");
    }

    @Test
    void tenWholeRequestFailuresDoNotDeadLetterWithMaxRetriesTwo() throws Exception {
        sink.enqueue(times(10, Reply.unavailable()));
        SyncPipeline p = start(FailurePolicy.DEAD_LETTER);
        appendThreeInserts();
        assertAllWritten(p);
        assertEquals(List.of(), dlq.letters());
        assertEquals(11, sink.requests().size(), "ten failed requests, then the one that succeeded");
    }

    @Test
    void tenWholeRequestFailuresDoNotSkipWithMaxRetriesTwo() throws Exception {
        sink.enqueue(times(10, Reply.unavailable()));
        SyncPipeline p = start(FailurePolicy.SKIP);
        appendThreeInserts();
        assertAllWritten(p);
    }

    @Test
    void tenInDoubtFailuresDoNotUseUpTheItemBudget() throws Exception {
        sink.enqueue(times(10, Reply.failRequest(new RequestInDoubtException("test: read timed out", null,
                Duration.ZERO))));
        SyncPipeline p = start(FailurePolicy.DEAD_LETTER);
        appendThreeInserts();
        assertAllWritten(p);
        assertEquals(List.of(), dlq.letters());
    }

    @Test
    void itemLevelRetriesStillCountAfterAnOutage() throws Exception {
        List<Reply> replies = new ArrayList<>(List.of(times(5, Reply.unavailable())));
        replies.addAll(List.of(times(3, Reply.retryable(a -> a.id().equals("2")))));
        sink.enqueue(replies.toArray(new Reply[0]));
        SyncPipeline p = start(FailurePolicy.DEAD_LETTER);
        appendThreeInserts();
        assertTrue(dlq.awaitLetters(1, WAIT));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        assertEquals("2", dlq.letters().get(0).action().id());
        assertTrue(dlq.letters().get(0).reason().contains("gave up after 2 retries"), dlq.letters().get(0).reason());
        assertEquals(1, dlq.letters().size());
    }
}
