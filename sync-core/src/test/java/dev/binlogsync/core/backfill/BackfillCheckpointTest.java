package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

/**
 * How a backfill uses its {@link CheckpointStore}: one save per chunk (the pending save of a chunk
 * also holds the chunk before it, whose creates are in flight and not yet verified, and records the
 * verified chunks as done), a save of the last done chunk at a stop, retries of saves and loads that
 * fail retryably, and a resume after a crash.
 */
class BackfillCheckpointTest {

    private static final int ROWS = 5;
    private final RecordingBulkSink es = new RecordingBulkSink();

    /** A store over an in-memory one that fails the calls it is told to, and records every save. */
    private static final class FlakyStore implements CheckpointStore {
        final InMemoryCheckpointStore inner = new InMemoryCheckpointStore();
        final List<Checkpoint> saved = new ArrayList<>();
        int failLoads;
        int failSaves;
        /** The save (counted from 1) that throws a non-retryable failure, as a crash; 0 for none. */
        int crashAtSave;
        int saves;
        @Nullable
        String table;

        @Override
        @Nullable
        public Checkpoint load(String table) {
            if (failLoads > 0) {
                failLoads--;
                throw new RetriableSyncException("checkpoint index unavailable");
            }
            return inner.load(table);
        }

        @Override
        public void save(String table, Checkpoint checkpoint) {
            if (failSaves > 0) {
                failSaves--;
                throw new RetriableSyncException("checkpoint index unavailable");
            }
            if (++saves == crashAtSave) {
                throw new SyncException("crash");
            }
            inner.save(table, checkpoint);
            this.table = table;
            saved.add(checkpoint);
        }

        Checkpoint current() {
            return inner.load(java.util.Objects.requireNonNull(table));
        }
    }

    /** A table of ids 1..5, paged by its key as the backfill's queries ask. */
    private Backfill.Builder backfill(CheckpointStore store) {
        FakeSchemaDataSource db = BackfillFixture.keyedById();
        db.answerWithParameters = BackfillFixture.idsUpTo(ROWS);
        return Backfill.builder().dataSource(db.dataSource()).rules(BackfillFixture.tableT()).sink(es).chunkSize(2)
                .retryBackoff(Duration.ofMillis(1)).restartFence(Duration.ZERO).checkpointStore(store)
                .reader(BackfillFixture.documentsOf(es));
    }

    private void assertAllRowsIndexed() {
        for (long id = 1; id <= ROWS; id++) {
            assertEquals(Map.of("id", id), es.document("t", Long.toString(id)), "document " + id);
        }
        assertEquals(ROWS, es.documents().size());
    }

    @Test
    void eachChunkIsSavedOnceItsPendingSaveHoldingTheChunkInFlightAndRecordingTheVerifiedOnesAsDone() {
        FlakyStore store = new FlakyStore();
        assertTrue(backfill(store).build().run());
        // chunks {1,2}, {3,4}, {5}: three pending saves, then the finished one; chunk {3,4} is saved
        // while {1,2} is not yet verified (its creates may be in flight), so both are pending
        List<List<Object>> lastKeys = new ArrayList<>();
        List<List<Long>> pendingKeys = new ArrayList<>();
        for (Checkpoint cp : store.saved) {
            lastKeys.add(cp.lastKey());
            List<Long> keys = new ArrayList<>();
            for (Checkpoint.Pending p : cp.pending()) {
                keys.add((Long) p.key().get(0));
            }
            pendingKeys.add(keys);
        }
        assertEquals(java.util.Arrays.asList(null, null, List.of(2L), List.of(5L)), lastKeys);
        assertEquals(List.of(List.of(1L, 2L), List.of(1L, 2L, 3L, 4L), List.of(3L, 4L, 5L), List.of()), pendingKeys);
        assertTrue(store.current().finished());
        assertAllRowsIndexed();
    }

    @Test
    void aStopFinishesTheChunkInFlightAndSavesTheLastDoneChunkWithNothingPending() {
        FlakyStore store = new FlakyStore();
        Backfill[] backfill = new Backfill[1];
        backfill[0] = backfill(store).listener(new BackfillListener() {
            @Override
            public void chunkDone(BackfillProgress progress) {
                backfill[0].stop();
            }
        }).build();
        assertFalse(backfill[0].run());
        // stopped when chunk {1,2} was done, while the creates of {3,4} were in flight: that chunk is
        // finished (verified) too, and saved done
        assertEquals(new Checkpoint(List.of(4L), List.of(), false), store.current());
        assertEquals(4, backfill[0].progress().rowsDone());
        assertEquals(2, backfill[0].progress().chunksDone());
    }

    @Test
    void everyListenerHearsEveryCallInTheOrderAddedAlsoAfterAnEarlierOneThrows() {
        List<String> heard = new ArrayList<>();
        BackfillListener first = new BackfillListener() {
            @Override
            public void chunkDone(BackfillProgress progress) {
                heard.add("first " + progress.rowsDone());
            }
        };
        BackfillListener throwing = new BackfillListener() {
            @Override
            public void chunkDone(BackfillProgress progress) {
                throw new IllegalStateException("a listener's bug");
            }

            @Override
            public void tableFinished(BackfillProgress progress) {
                throw new IllegalStateException("a listener's bug");
            }
        };
        BackfillListener last = new BackfillListener() {
            @Override
            public void chunkDone(BackfillProgress progress) {
                heard.add("last " + progress.rowsDone());
            }

            @Override
            public void tableFinished(BackfillProgress progress) {
                heard.add("last finished " + progress.rowsDone());
            }
        };
        assertTrue(backfill(new FlakyStore()).listener(first).listener(throwing).listener(last).build().run());
        assertEquals(List.of("first 2", "last 2", "first 4", "last 4", "first 5", "last 5", "last finished 5"), heard);
        assertAllRowsIndexed();
    }

    @Test
    void checkpointLoadsAndSavesThatFailRetryablyAreRetried() {
        FlakyStore store = new FlakyStore();
        store.failLoads = 2;
        store.failSaves = 3;
        assertTrue(backfill(store).maxRetries(5).build().run());
        assertTrue(store.current().finished());
        assertAllRowsIndexed();
    }

    @Test
    void aStoreStillFailingAfterTheRetriesStopsTheRunNamingTheTableWithTheRetriableCause() {
        FlakyStore store = new FlakyStore();
        store.failSaves = 100;
        BackfillException e = assertThrows(BackfillException.class, () -> backfill(store).maxRetries(2).build().run());
        assertTrue(e.getMessage().contains("shop.t") && e.getMessage().contains("saving the checkpoint")
                && e.getMessage().contains("after 2 retries"), e.getMessage());
        assertInstanceOf(RetriableSyncException.class, e.getCause());
    }

    @Test
    void aRunThatCrashedAfterAChunkResumesFromTheLastVerifiedChunkAndVerifiesTheOnesThatWerePending() {
        FlakyStore store = new FlakyStore();
        store.crashAtSave = 3; // the pending save of chunk {5}: {1,2} verified, the creates of {3,4} sent
        assertThrows(SyncException.class, () -> backfill(store).build().run());
        List<Checkpoint.Pending> pending = new ArrayList<>();
        for (long id = 1; id <= 4; id++) {
            pending.add(new Checkpoint.Pending(List.of(id), new DocumentRef("t", Long.toString(id), null)));
        }
        assertEquals(new Checkpoint(null, pending, false), store.current());
        store.crashAtSave = 0;
        store.saved.clear();
        assertTrue(backfill(store).build().run());
        assertEquals(new Checkpoint(null, List.of(), false), store.saved.get(0), "the pending chunks verified");
        assertTrue(store.current().finished());
        assertAllRowsIndexed();
    }
}
