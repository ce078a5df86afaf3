package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The verification's pre-check: the chunk's whole rows, selected again after the creates and
 * rendered through the rules, spare the documents they produce at exactly their place the read,
 * the re-select and the delete; every other document goes through them.
 */
class BackfillPrecheckTest {

    /** {@code type = 1} only. */
    private final Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("t")
            .index("orders").where("type = 1").build()).build();
    private final RecordingBulkSink es = new RecordingBulkSink();
    /** Every document reference the backfill asked the reader for. */
    private final List<DocumentRef> read = new ArrayList<>();

    /** The chunk's SELECT sees {@code atSelect}; every select by key after it sees {@code later}. */
    private Backfill backfill(List<Object[]> atSelect, List<Object[]> later) {
        FakeSchemaDataSource db = BackfillFixture.keyedById().column("type", "int", "int(11)");
        db.answer = BackfillFixture.oneChunk(atSelect, later);
        DocumentReader documents = BackfillFixture.documentsOf(es);
        return Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es).reader(refs -> {
            read.addAll(refs);
            return documents.read(refs);
        }).build();
    }

    @Test
    void aChunkWhoseRowsStillProduceTheirDocumentsIsVerifiedWithoutReadingThem() {
        List<Object[]> table = List.of(new Object[] {1L, 1, 1L}, new Object[] {2L, 1, 2L});
        Backfill backfill = backfill(table, table);

        assertTrue(backfill.run());

        assertEquals(List.of(), read);
        assertEquals(Map.of("id", 1L, "type", 1), es.document("orders", "1"));
        assertEquals(Map.of("id", 2L, "type", 1), es.document("orders", "2"));
        assertEquals(0, backfill.progress().resurrectionsRemoved());
    }

    @Test
    void aRowFilteredOutAfterTheSelectButStillPresentByKeyHasItsResurrectedCopyRemoved() {
        // row 2 leaves the filter after the chunk's SELECT (the stream's delete of its document came
        // before the create, which then resurrected it); its key is still in the table
        Backfill backfill = backfill(List.of(new Object[] {1L, 1, 1L}, new Object[] {2L, 1, 2L}),
                List.of(new Object[] {1L, 1, 1L}, new Object[] {2L, 5, 2L}));

        assertTrue(backfill.run());

        assertEquals(List.of(new DocumentRef("orders", "2", null)), read, "only the unproduced document is read");
        List<DocumentAction> deletes = es.actions().stream().filter(a -> a.type() == ActionType.DELETE).toList();
        assertEquals(1, deletes.size(), String.valueOf(deletes));
        assertEquals("2", deletes.get(0).id());
        assertNull(es.document("orders", "2"));
        assertEquals(Map.of("id", 1L, "type", 1), es.document("orders", "1"));
        assertEquals(1, backfill.progress().resurrectionsRemoved());
    }
}
