package dev.binlogsync.core.backfill;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.ForwardingCheckpointStore;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chunk loop's overlap: while a chunk's creates are in flight the next chunk is read and its
 * pending documents saved (together with the chunk in flight, not yet verified); a chunk is verified
 * while the next chunk's creates are in flight; one bulk of creates at a time; a failure meanwhile
 * ends the run only once the creates in flight have answered.
 */
class BackfillOverlapTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ROWS = 5;

    private final RecordingBulkSink es = new RecordingBulkSink().manual(true);
    private final FakeSchemaDataSource db = BackfillFixture.keyedById();
    private final List<Checkpoint> saved = Collections.synchronizedList(new ArrayList<>());
    /** Per re-select ({@code IN}) of the chunk's rows: its keys, and the create requests sent by then. */
    private final List<String> reselects = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() {
        thread.shutdownNow();
    }

    /** A table of ids 1..5 in chunks of 2, every save recorded. */
    private Backfill backfill() {
        db.answerWithParameters = BackfillFixture.idsUpTo(ROWS, id -> new Object[] {id},
                keys -> reselects.add(keys + " after " + es.requests().size() + " requests"));
        CheckpointStore store = new ForwardingCheckpointStore(new InMemoryCheckpointStore()) {
            @Override
            public void save(String table, Checkpoint checkpoint) {
                super.save(table, checkpoint);
                saved.add(checkpoint);
            }
        };
        return Backfill.builder().dataSource(db.dataSource()).rules(BackfillFixture.tableT()).sink(es).chunkSize(2)
                .restartFence(Duration.ZERO).retryBackoff(Duration.ofMillis(1)).checkpointStore(store)
                .reader(BackfillFixture.documentsOf(es)).build();
    }

    /** Answers every request until the run ends; its outcome. */
    private boolean answerUntilDone(Future<Boolean> run) throws Exception {
        Await.until(WAIT, "the run to end", () -> {
            es.pending().forEach(RecordingBulkSink.Request::complete);
            return run.isDone();
        });
        return run.get();
    }

    private static List<Long> keys(Checkpoint cp) {
        List<Long> out = new ArrayList<>();
        for (Checkpoint.Pending p : cp.pending()) {
            out.add((Long) p.key().get(0));
        }
        return out;
    }

    @Test
    void theNextChunkIsReadAndSavedPendingWithTheChunkInFlightWhileItsCreatesAreUnanswered() throws Exception {
        Backfill backfill = backfill();
        Future<Boolean> run = thread.submit(backfill::run);
        assertTrue(es.awaitPending(1, WAIT));
        RecordingBulkSink.Request first = es.requests().get(0);

        Await.until(WAIT, "chunk {3,4} saved pending", () -> saved.size() == 2);

        assertFalse(first.isCompleted(), "chunk {1,2}'s creates still unanswered");
        assertEquals(List.of(1L, 2L, 3L, 4L), keys(saved.get(1)), "chunk {1,2} is not verified yet: still pending");
        assertEquals(null, saved.get(1).lastKey());
        assertEquals(1, es.requests().size(), "one bulk of creates in flight at a time");
        assertTrue(answerUntilDone(run));
        for (long id = 1; id <= ROWS; id++) {
            assertEquals(Map.of("id", id), es.document("t", Long.toString(id)), "document " + id);
        }
        assertTrue(saved.get(saved.size() - 1).finished());
    }

    @Test
    void aChunkIsVerifiedWhileTheNextChunksCreatesAreInFlight() throws Exception {
        Backfill backfill = backfill();
        Future<Boolean> run = thread.submit(backfill::run);
        assertTrue(es.awaitPending(1, WAIT));
        es.requests().get(0).complete(); // chunk {1,2} created

        Await.until(WAIT, "chunk {1,2} verified", () -> !reselects.isEmpty());

        assertEquals("[1, 2] after 2 requests", reselects.get(0), "re-selected once {3,4}'s creates were sent");
        assertFalse(es.requests().get(1).isCompleted());
        Await.until(WAIT, "chunk {1,2} done", () -> backfill.progress() != null);
        assertEquals(2, backfill.progress().rowsDone());
        assertTrue(answerUntilDone(run));
        assertEquals(List.of("[1, 2] after 2 requests", "[3, 4] after 3 requests", "[5] after 3 requests"), reselects);
    }

    @Test
    void aFailureWhileCreatesAreInFlightEndsTheRunOnlyOnceTheyAnswered() throws Exception {
        AtomicInteger failed = new AtomicInteger();
        db.failure = sql -> {
            if (sql.contains(" > ")) {
                failed.incrementAndGet();
                return new java.sql.SQLException("the server went away");
            }
            return null;
        };
        Backfill backfill = backfill();
        Future<Boolean> run = thread.submit(backfill::run);
        assertTrue(es.awaitPending(1, WAIT));

        Await.until(WAIT, "the read of chunk {3,4} failing", () -> failed.get() > 0);

        assertFalse(run.isDone(), "the creates of chunk {1,2} are still in flight");
        es.requests().get(0).complete();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, run::get);
        assertInstanceOf(BackfillException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("reading a chunk after key [2]"), e.getCause().getMessage());
        assertEquals(List.of(1L, 2L), keys(saved.get(saved.size() - 1)), "chunk {1,2} stays pending for the next run");
    }
}
