package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A row that exists but that the rules refuse when the verification renders it again (its routing
 * column became null after the chunk's select) does not block the verification of the chunk's
 * other rows: the copy of a row deleted meanwhile is still removed, and the refused row's document
 * is left as it is.
 */
class BackfillUnjudgedRowTest {

    @Test
    void aRowTheRulesNowRefuseLeavesItsDocumentAndTheChunksOtherCopiesAreStillJudged() {
        // the chunk's select sees rows 1, 2 and 3; when the verification selects them again, row 2
        // is gone and row 3's routing column is null
        List<Object[]> atSelect = List.of(new Object[] {1L, "a", 1L}, new Object[] {2L, "b", 2L},
                new Object[] {3L, "c", 3L});
        List<Object[]> atVerification = List.of(new Object[] {1L, "a", 1L}, new Object[] {3L, null, 3L});
        FakeSchemaDataSource db = BackfillFixture.keyedById().column("shop", "varchar", "varchar(8)");
        db.answer = BackfillFixture.oneChunk(atSelect, atVerification);
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("t").index("orders")
                .routing("shop").build()).build();
        RecordingBulkSink es = new RecordingBulkSink();
        Backfill backfill = Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es)
                .reader(BackfillFixture.liveDocumentsOf(es)).build();

        assertTrue(backfill.run(), "the run finishes");

        assertNull(es.document("orders", "2"), "the copy of the deleted row is removed");
        assertNotNull(es.document("orders", "1"));
        assertNotNull(es.document("orders", "3"), "the refused row's document is left alone");
        assertEquals(1, backfill.progress().resurrectionsRemoved());
    }

    @Test
    void aDeadlockOfTheLockingReSelectIsReadAgainAndTheChunkIsStillJudged() {
        List<Object[]> atSelect = List.of(new Object[] {1L, "a", 1L}, new Object[] {2L, "b", 2L});
        List<Object[]> atVerification = List.<Object[]>of(new Object[] {1L, "a", 1L});
        FakeSchemaDataSource db = BackfillFixture.keyedById().column("shop", "varchar", "varchar(8)");
        db.answer = BackfillFixture.oneChunk(atSelect, atVerification);
        int[] deadlocks = {2};
        db.failure = sql -> sql.contains("LOCK IN SHARE MODE") && deadlocks[0]-- > 0
                ? new java.sql.SQLException("Deadlock found when trying to get lock", "40001", 1213) : null;
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("t").index("orders")
                .routing("shop").build()).build();
        RecordingBulkSink es = new RecordingBulkSink();
        Backfill backfill = Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es)
                .retryBackoff(java.time.Duration.ofMillis(1)).reader(BackfillFixture.liveDocumentsOf(es)).build();

        assertTrue(backfill.run(), "the run finishes after the deadlocks");

        assertTrue(deadlocks[0] < 0, "both deadlocks were met");
        assertNull(es.document("orders", "2"), "the copy of the deleted row is removed");
        assertNotNull(es.document("orders", "1"));
    }
}
