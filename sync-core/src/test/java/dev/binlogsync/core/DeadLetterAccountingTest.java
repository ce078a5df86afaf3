package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dead letters: what they hold counts against maxBufferedBytes; a coalesced document's letters cover every record. */
@Timeout(60)
class DeadLetterAccountingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final List<SyncPipeline> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (SyncPipeline p : started) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private SyncPipeline start(SyncPipeline.Builder b) {
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    /** A dead-letter sink that acknowledges only when the test says so. */
    private static final class HoldingDeadLetterSink implements DeadLetterSink {
        private final List<CompletableFuture<Void>> held = new ArrayList<>();

        @Override
        public synchronized CompletionStage<Void> send(DeadLetter letter) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        synchronized int sent() {
            return held.size();
        }

        synchronized void acknowledgeAll() {
            for (CompletableFuture<Void> f : held) {
                f.complete(null);
            }
        }
    }

    @Test
    void deadLettersWaitingForTheirSinkCountAgainstMaxBufferedBytesAndPauseTheSource() throws Exception {
        InMemorySource source = new InMemorySource(true, 1);
        HoldingDeadLetterSink dlq = new HoldingDeadLetterSink();
        SyncPipeline p = start(SyncPipeline.builder().source(source).ruleSet(TestRules.byOperation()).sink(sink)
                .onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq)
                .maxBulkBytes(1_000).maxBufferedBytes(10_000).commitInterval(Duration.ZERO));
        String big = "x".repeat(2_000);
        for (int i = 0; i < 100; i++) {
            source.appendUndecodable(P, big, "not json");
        }
        // each held letter carries a 2,000-byte record: about five fit in 10,000 bytes
        assertTrue(source.awaitPaused(true, WAIT), "paused by the held dead letters");
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT));
        assertTrue(dlq.sent() <= 6, "letters held when paused: " + dlq.sent());
        assertTrue(p.metrics().bufferedBytes() >= 10_000, "the metric shows what paused it: " + p.metrics().bufferedBytes());
        assertTrue(source.undelivered() >= 90, "records held back: " + source.undelivered());
        Await.until(WAIT, "offset 99 committed while every letter is acknowledged", () -> {
            dlq.acknowledgeAll();
            return source.awaitCommitted(P, 99, Duration.ofMillis(10));
        });
        assertEquals(new SourcePosition(P, 99), source.committed(P));
        Await.value(WAIT, "letters no longer counted once acknowledged (0 buffered bytes, 100 dead-lettered)",
                p::metrics, m -> m.bufferedBytes() == 0 && m.deadLettered() == 100);
    }

    @Test
    void aRejectedCoalescedDocumentIsDeadLetteredOncePerSourceRecordWithItsOwnBytesAndPosition() throws Exception {
        InMemorySource source = new InMemorySource();
        RecordingDeadLetterSink dlq = new RecordingDeadLetterSink();
        sink.manual(true);
        SyncPipeline p = start(SyncPipeline.builder().source(source).ruleSet(TestRules.byOperation()).sink(sink)
                .onRejected(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq)
                .lanes(1).maxInFlightRequests(1).flushInterval(Duration.ofMillis(5)).commitInterval(Duration.ZERO));
        // document 0 goes out first and is held, so the changes of document 1 coalesce behind it
        source.append(P, Events.insert("shop", "orders", row(0)));
        assertTrue(sink.awaitPending(1, WAIT));
        List<SourcePosition> positions = new ArrayList<>();
        positions.add(source.append(P, Events.insert("shop", "orders", row(1, "a", 1))));
        positions.add(source.append(P, Events.update("shop", "orders", row(1, "b", 2), Map.of())));
        // one record with two changes of the document: it is one record to replay, so one letter
        positions.add(source.append(P, Events.update("shop", "orders", row(1, "c", 3), Map.of()),
                Events.update("shop", "orders", row(1, "d", 4), Map.of())));
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(source.awaitPolls(source.polls() + 2, WAIT));
        sink.defaultReply(Reply.permanent(a -> a.id().equals("1"), "failed to parse field [b]"));
        Await.until(WAIT, "offset 3 committed while every request is completed", () -> {
            sink.pending().forEach(RecordingBulkSink.Request::complete);
            return source.awaitCommitted(P, 3, Duration.ofMillis(10));
        });
        assertEquals(new SourcePosition(P, 3), source.committed(P));
        assertEquals(2, sink.requests().size(), "the three records of document 1 went out as one action");
        assertEquals(1, sink.requests().get(1).actions().size());

        List<DeadLetter> letters = dlq.letters();
        assertEquals(3, letters.size(), "one letter per source record: " + letters);
        for (int i = 0; i < 3; i++) {
            DeadLetter letter = letters.get(i);
            assertEquals(DeadLetter.Kind.REJECTED, letter.kind());
            assertEquals(positions.get(i), letter.record().position());
            assertEquals("record " + positions.get(i), new String(letter.record().value(), StandardCharsets.UTF_8),
                    "the letter carries its own record's bytes");
            assertEquals(positions, letter.positions(), "every letter names all the positions of the coalesced action");
            assertEquals("1", letter.action().id());
            assertEquals(Map.of("id", 1, "a", 1, "b", 2, "c", 3, "d", 4), letter.action().document());
            assertTrue(letter.reason().contains("failed to parse field [b]"), letter.reason());
            assertTrue(letter.reason().contains("record " + (i + 1) + " of 3"), letter.reason());
        }
        Await.value(WAIT, "three letters counted", p::metrics, m -> m.deadLettered() == 3);
    }

    @Test
    void aDeadLetterDestinationFailingRetriablyNeverSpendsMaxRetriesOrFailsThePipeline() throws Exception {
        // an outage of the dead-letter topic (or a full sender queue) says nothing about the letter:
        // it is retried until written, as a bulk failing as a whole is, whatever maxRetries says
        InMemorySource source = new InMemorySource();
        dev.binlogsync.core.testing.RecordingDeadLetterSink dlq = new dev.binlogsync.core.testing.RecordingDeadLetterSink();
        for (int i = 0; i < 6; i++) {
            dlq.failNext(new RetriableSyncException("dead-letter topic unavailable"));
        }
        SyncPipeline p = start(SyncPipeline.builder().source(source).ruleSet(TestRules.byOperation()).sink(sink)
                .onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq).maxRetries(1)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(5)).commitInterval(Duration.ZERO));
        SourcePosition at = source.appendUndecodable(P, "{", "not json");
        assertTrue(source.awaitCommitted(P, at.offset(), WAIT), "committed once written: " + p.failure());
        assertEquals(1, dlq.letters().size());
        assertEquals(7, dlq.attempts());
        assertEquals(PipelineState.RUNNING, p.state());
    }
}
