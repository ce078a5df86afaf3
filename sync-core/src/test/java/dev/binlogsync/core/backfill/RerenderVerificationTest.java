package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A chunk of the backfill, step by step as {@code Backfill} runs it (rows rendered by
 * {@link RowRenderer}, the verification decided by {@link ChunkVerifier}), against a table held in
 * memory, the stream applying each change at once through the same rules into a
 * {@link RecordingBulkSink}, and the test's changes made at the races the verification exists for.
 * Each case ends with the index compared with what the table's current rows should give, computed
 * by the test's own code (a plain predicate for the filter, the index name spelled out).
 */
class RerenderVerificationTest {
    private static final String DB = "shop";
    private static final String TABLE = "orders";

    /** {@code type IN (1,2)} into {@code orders-<region>}, routed by {@code shop}. */
    private final Rules rules = Rules.builder().rule(TableRule.builder().database(DB).table(TABLE)
            .index("orders-{region}").routing("shop").where("type IN (1,2)").build()).build();
    private final TreeMap<Long, Map<String, Object>> table = new TreeMap<>();
    private final RecordingBulkSink es = new RecordingBulkSink();
    private long position;
    private int removed;

    private static Map<String, Object> row(long id, int type, String region) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("type", type);
        row.put("region", region);
        row.put("shop", (int) (id % 5));
        row.put("name", "order " + id);
        return row;
    }

    // ------------------------------------------------------------ the stream

    private void stream(Operation op, Map<String, Object> row, Map<String, Object> old) {
        List<DocumentAction> actions = new ArrayList<>();
        rules.apply(new ChangeEvent(DB, TABLE, op, row, old, List.of("id"), 1L, new SourcePosition("binlog", position++),
                RowImage.FULL), actions::add);
        if (!actions.isEmpty()) {
            es.execute(actions).toCompletableFuture().join();
        }
    }

    private void insert(Map<String, Object> row) {
        table.put((Long) row.get("id"), row);
        stream(Operation.INSERT, row, Map.of());
    }

    private void update(long id, String column, Object value) {
        Map<String, Object> now = new HashMap<>(table.get(id));
        Object before = now.put(column, value);
        table.put(id, now);
        stream(Operation.UPDATE, now, Map.of(column, before));
    }

    private void delete(long id) {
        stream(Operation.DELETE, table.remove(id), Map.of());
    }

    // ------------------------------------------------------------ the backfill's chunk

    /** Steps of a chunk where the test's changes run. */
    private interface Meanwhile {
        void run();
    }

    private static final Meanwhile NOTHING = () -> { };

    private List<DocumentAction> render(Map<String, Object> row) {
        return RowRenderer.creates(rules, DB, TABLE, List.of("id"), row, List.of(row.get("id")), 0);
    }

    /**
     * Backfills every row of the table as one chunk: select, {@code afterSelect}, creates, then the
     * verification: the pre-check (the rows selected again and rendered; the documents they produce
     * at their place are done), then for the others read, {@code afterRead}, select again and render,
     * {@code beforeDeletes}, deletes.
     * The pending documents go through their checkpoint form, as a restart would read them.
     */
    private void backfillChunk(Meanwhile afterSelect, Meanwhile afterRead, Meanwhile beforeDeletes) {
        List<Checkpoint.Pending> pending = new ArrayList<>();
        List<DocumentAction> creates = new ArrayList<>();
        for (Map<String, Object> row : table.values()) {
            for (DocumentAction a : render(new HashMap<>(row))) {
                creates.add(a);
                pending.add(new Checkpoint.Pending(List.of(row.get("id")), DocumentRef.of(a)));
            }
        }
        pending = Checkpoint.fromJson(new Checkpoint(null, pending, false).toJson()).pending();
        afterSelect.run();
        if (!creates.isEmpty()) {
            es.execute(creates).toCompletableFuture().join();
        }
        // (0) the pre-check: the current rows, rendered; only the documents they do not produce go on
        pending = ChunkVerifier.unproduced(pending, produced(ChunkVerifier.keys(pending)));
        List<StoredDocument> stored = new ArrayList<>();
        for (DocumentRef r : ChunkVerifier.refs(pending)) {
            // the fake keeps one document per index and id, as a one-shard index does: a read at any
            // routing finds it, and says which routing it was written with
            List<DocumentAction> history = es.history(r.index(), r.id());
            stored.add(es.document(r.index(), r.id()) == null ? StoredDocument.missing(r)
                    : new StoredDocument(r, true, es.seqNo(r.index(), r.id()), 1, "{}",
                            history.get(history.size() - 1).routing()));
        }
        afterRead.run();
        List<DocumentAction> deletes = ChunkVerifier.staleCopies(stored, produced(ChunkVerifier.keys(pending)));
        beforeDeletes.run();
        if (!deletes.isEmpty()) {
            for (ItemResult r : es.execute(deletes).toCompletableFuture().join()) {
                if (r.outcome() == ItemResult.Outcome.SUCCESS) {
                    removed++;
                }
            }
        }
    }

    /** Where the table's current rows of {@code keys}, rendered through the rules, put their documents. */
    private Set<DocumentRef> produced(List<List<Object>> keys) {
        Set<DocumentRef> produced = new HashSet<>();
        for (List<Object> key : keys) {
            Map<String, Object> current = table.get(((Number) key.get(0)).longValue());
            if (current != null) {
                for (DocumentAction a : render(new HashMap<>(current))) {
                    produced.add(DocumentRef.of(a));
                }
            }
        }
        return produced;
    }

    /** The index the table's rows should give: type 1 or 2, in {@code orders-<region>}, as the row. */
    private Map<String, Map<String, Object>> expected() {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> row : table.values()) {
            int type = (Integer) row.get("type");
            if (type == 1 || type == 2) {
                out.put("orders-" + row.get("region") + "/" + row.get("id"), row);
            }
        }
        return out;
    }

    private void assertIndexEqualsTable() {
        assertEquals(expected(), new TreeMap<>(es.documents()));
        for (Map<String, Object> row : expected().values()) {
            List<DocumentAction> history = es.history("orders-" + row.get("region"), String.valueOf(row.get("id")));
            assertEquals(String.valueOf(row.get("shop")), history.get(history.size() - 1).routing(),
                    "the routing of " + row);
        }
    }

    /** The table before the backfill, with the stream having written nothing yet (the rows predate it). */
    @SafeVarargs
    private void given(Map<String, Object>... rows) {
        for (Map<String, Object> r : rows) {
            table.put((Long) r.get("id"), r);
        }
    }

    // ------------------------------------------------------------ the cases

    @Test
    void aRowFilteredOutAfterTheSelectWhoseDeleteTheStreamAppliedBeforeTheCreateIsRemoved() {
        given(row(1, 1, "eu"), row(2, 1, "eu"), row(3, 3, "eu"));
        // the row stops passing the filter; the stream deletes its document before the create lands
        backfillChunk(() -> update(2, "type", 5), NOTHING, NOTHING);
        assertEquals(1, removed, "the snapshot copy of the filtered-out row");
        assertIndexEqualsTable();
    }

    @Test
    void aRowMovedToAnotherIndexAfterTheSelectLeavesNoCopyInItsOldIndex() {
        given(row(1, 1, "eu"), row(2, 2, "eu"));
        // the stream deletes the document in orders-eu and indexes it in orders-us before the create
        backfillChunk(() -> update(2, "region", "us"), NOTHING, NOTHING);
        assertEquals(1, removed, "the snapshot copy in the old index");
        assertIndexEqualsTable();
    }

    @Test
    void aVersionedTablesVerificationDeletesWithTheVersionReadInsteadOfTheSeqNo() {
        DocumentRef gone = new DocumentRef("orders-eu", "1", "1");
        DocumentRef kept = new DocumentRef("orders-eu", "2", "2");
        List<StoredDocument> stored = List.of(new StoredDocument(gone, true, 7, 1, "{}", "1", 1234),
                new StoredDocument(kept, true, 8, 1, "{}", "2", 99));
        List<DocumentAction> deletes = ChunkVerifier.staleCopies(stored, Set.of(kept), true);
        assertEquals(List.of(new DocumentAction("orders-eu", "1", "1", dev.binlogsync.core.ActionType.DELETE, null,
                1234L, dev.binlogsync.core.VersionType.EXTERNAL_GTE)), deletes);
        assertEquals(List.of(new DocumentAction("orders-eu", "1", "1", dev.binlogsync.core.ActionType.DELETE, null,
                null, null, 7L, 1L)), ChunkVerifier.staleCopies(stored, Set.of(kept), false));
    }

    @Test
    void aRowWhoseRoutingMovedKeepsTheStreamsCopyThatAReadAtTheOldRoutingFinds() {
        given(row(1, 1, "eu"), row(2, 2, "eu"));
        // the stream deletes (orders-eu, 2, routing 2) and indexes (orders-eu, 2, routing 17); in one
        // shard that is the document the create then finds (kept) and the verification reads at
        // routing 2: it was written with routing 17, where the current row puts it
        backfillChunk(() -> update(2, "shop", 17), NOTHING, NOTHING);
        assertEquals(0, removed, "the stream's copy at the new routing must stay");
        assertIndexEqualsTable();
    }

    @Test
    void aRowMovedToAnotherRoutingAndThenFilteredOutLeavesNoCopy() {
        given(row(1, 1, "eu"), row(2, 2, "eu"));
        // moved to routing 17, then filtered out: the create (routing 2) resurrects the document
        backfillChunk(() -> {
            update(2, "shop", 17);
            update(2, "type", 4);
        }, NOTHING, NOTHING);
        assertEquals(1, removed);
        assertIndexEqualsTable();
    }

    @Test
    void aRowDeletedAfterTheSelectIsRemovedAndOneThatStartsPassingTheFilterIsTheStreams() {
        given(row(1, 1, "eu"), row(2, 2, "us"), row(3, 3, "us"));
        backfillChunk(() -> {
            delete(1);
            update(3, "type", 1);
        }, NOTHING, NOTHING);
        assertEquals(1, removed);
        assertIndexEqualsTable();
    }

    @Test
    void aRowThatMovesAwayAndBackBeforeTheReselectKeepsItsDocument() {
        given(row(1, 1, "eu"));
        // between the read and the select again: out of the filter and back in; the stream rewrote the
        // document, and the current row produces it: kept
        backfillChunk(NOTHING, () -> {
            update(1, "type", 7);
            update(1, "type", 2);
        }, NOTHING);
        assertEquals(0, removed);
        assertIndexEqualsTable();
    }

    @Test
    void aStreamWriteBetweenTheReadAndTheDeleteWinsOverTheVerification() {
        given(row(1, 1, "eu"), row(2, 1, "eu"));
        // the row is filtered out before the read (its copy is resurrected) and passes again after the
        // select again: the verification decides to delete, but the stream's write changed _seq_no
        backfillChunk(() -> update(2, "type", 9), NOTHING, () -> update(2, "type", 1));
        assertEquals(0, removed, "the conditional delete must not remove the stream's write");
        assertIndexEqualsTable();
    }

    @Test
    void rowsTheFilterLeavesOutAreNotWrittenAndUnchangedRowsAreKept() {
        given(row(1, 1, "eu"), row(2, 3, "eu"), row(3, 2, "asia"));
        backfillChunk(NOTHING, NOTHING, NOTHING);
        assertEquals(0, removed);
        assertIndexEqualsTable();
        assertTrue(es.document("orders-eu", "2") == null);
    }

    @Test
    void aRowInsertedAndMovedWhileTheStreamRunsEndsWhereItsRowIs() {
        given(row(1, 1, "eu"));
        backfillChunk(() -> {
            insert(row(5, 1, "eu"));
            update(1, "region", "us");
            update(1, "type", 2);
        }, NOTHING, NOTHING);
        assertEquals(1, removed);
        assertIndexEqualsTable();
    }
}
