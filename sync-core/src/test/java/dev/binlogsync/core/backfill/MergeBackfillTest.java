package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rounds of a merged child chunk ({@link MergeBackfill}), with the rules' own rendering and
 * in-test parents and rows: parents read before the rows, updates conditional on what was read,
 * only where the field is absent, another round for conflicts and for rows whose parent moved.
 */
class MergeBackfillTest {
    /** shipping merged by its key into {@code orders-<region>} under {@code shipping}. */
    private static final Rules RULES = Rules.builder()
            .rule(TableRule.builder().database("shop").table("orders").index("orders-eu").build())
            .rule(TableRule.builder().database("shop").table("shipping").index("orders-{region}")
                    .mergeInto("order_id").nestUnder("shipping").build())
            .build();

    private static MergeBackfill.Row row(long id, String region, String tracking) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("order_id", id);
        values.put("region", region);
        values.put("tracking", tracking);
        return new MergeBackfill.Row(List.of(id), values);
    }

    private static List<DocumentAction> merges(MergeBackfill.Row r) {
        return RowRenderer.merges(RULES, "shop", "shipping", List.of("order_id"), r.values(), r.key(), 0);
    }

    /** Parents by ref: absent ones are not found; each read is logged. */
    private static final class Parents {
        final Map<DocumentRef, String> sources = new HashMap<>();
        final Map<DocumentRef, Long> seqNos = new HashMap<>();
        final List<List<DocumentRef>> reads = new ArrayList<>();

        List<StoredDocument> read(List<DocumentRef> refs) {
            reads.add(refs);
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                String source = sources.get(r);
                out.add(source == null ? StoredDocument.missing(r)
                        : new StoredDocument(r, true, seqNos.getOrDefault(r, 5L), 1, source));
            }
            return out;
        }
    }

    @Test
    void aRowWhoseParentMovedSinceTheChunksSelectHasItsNewParentReadBeforeItIsWritten() {
        Parents parents = new Parents();
        DocumentRef eu = new DocumentRef("orders-eu", "1", null);
        DocumentRef us = new DocumentRef("orders-us", "1", null);
        parents.sources.put(eu, "{\"id\":1}");
        parents.sources.put(us, "{\"id\":1}");
        parents.seqNos.put(us, 9L);
        List<DocumentAction> written = new ArrayList<>();
        MergeBackfill.Outcome o = MergeBackfill.load("shop.shipping", List.of(row(1, "eu", "T1")),
                keys -> List.of(row(1, "us", "T2")), MergeBackfillTest::merges, parents::read, actions -> {
                    written.addAll(actions);
                    return actions.stream().map(a -> ItemResult.success(200)).toList();
                }, 5);
        assertEquals(List.of(List.of(eu), List.of(us)), parents.reads, "the new parent is read in a second round");
        assertEquals(1, written.size());
        DocumentAction a = written.get(0);
        assertEquals(us.index(), a.index());
        assertEquals(ActionType.UPDATE, a.type());
        assertEquals(9L, a.ifSeqNo(), "conditional on the second round's read");
        assertEquals(Map.of("shipping", Map.of("order_id", 1L, "region", "us", "tracking", "T2")), a.document());
        assertEquals(new MergeBackfill.Outcome(1, 0), o);
    }

    @Test
    void aMissingParentAFieldAlreadyThereAndAGoneRowWriteNothing() {
        Parents parents = new Parents();
        parents.sources.put(new DocumentRef("orders-eu", "2", null), "{\"id\":2,\"shipping\":null}");
        parents.sources.put(new DocumentRef("orders-eu", "3", null), "{\"id\":3}");
        List<DocumentAction> written = new ArrayList<>();
        MergeBackfill.Outcome o = MergeBackfill.load("shop.shipping",
                List.of(row(1, "eu", "T1"), row(2, "eu", "T2"), row(3, "eu", "T3")),
                // row 3 is gone by the locking read
                keys -> List.of(row(1, "eu", "T1"), row(2, "eu", "T2")), MergeBackfillTest::merges, parents::read,
                actions -> {
                    written.addAll(actions);
                    return actions.stream().map(a -> ItemResult.success(200)).toList();
                }, 5);
        assertEquals(List.of(), written);
        assertEquals(new MergeBackfill.Outcome(0, 2), o);
    }

    @Test
    void aConflictIsJudgedAgainFromANewReadAndRoundsAreBounded() {
        Parents parents = new Parents();
        DocumentRef eu = new DocumentRef("orders-eu", "1", null);
        parents.sources.put(eu, "{\"id\":1}");
        List<Long> conditions = new ArrayList<>();
        MergeBackfill.Outcome o = MergeBackfill.load("shop.shipping", List.of(row(1, "eu", "T1")),
                keys -> List.of(row(1, "eu", "T1")), MergeBackfillTest::merges, refs -> {
                    List<StoredDocument> docs = parents.read(refs);
                    // the stream wrote the field between the first round's read and its update
                    parents.sources.put(eu, "{\"id\":1,\"shipping\":{\"tracking\":\"T1\"}}");
                    return docs;
                }, actions -> {
                    conditions.add(actions.get(0).ifSeqNo());
                    return List.of(ItemResult.conflict("changed"));
                }, 5);
        assertEquals(2, parents.reads.size(), "read again after the conflict");
        assertEquals(List.of(5L), conditions);
        assertEquals(new MergeBackfill.Outcome(0, 1), o, "the stream's field is kept");

        Parents unchanged = new Parents();
        unchanged.sources.put(eu, "{\"id\":1}");
        BackfillException e = assertThrows(BackfillException.class, () -> MergeBackfill.load("shop.shipping",
                List.of(row(1, "eu", "T1")), keys -> List.of(row(1, "eu", "T1")), MergeBackfillTest::merges,
                unchanged::read,
                actions -> List.of(ItemResult.conflict("changed")), 3));
        assertTrue(e.getMessage().contains("shop.shipping") && e.getMessage().contains("after 3 rounds"), e.getMessage());
    }
}
