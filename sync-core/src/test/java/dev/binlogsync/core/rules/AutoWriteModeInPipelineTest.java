package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.delete;
import static dev.binlogsync.core.rules.Events.insert;
import static dev.binlogsync.core.rules.Events.row;
import static dev.binlogsync.core.rules.Events.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteMode#AUTO} through the engine into the recording sink's simulated index: the same
 * documents as {@link WriteMode#UPSERT} for an owned index, written as index and delete actions, and
 * the bulk buffer's coalescing of one document's changes when INDEX meets UPSERT or DELETE.
 */
class AutoWriteModeInPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String P = "p";

    private static ChangeEvent full(ChangeEvent e) {
        return e.withRowImage(RowImage.FULL);
    }

    /** Appends each record (a list of events) and waits until it is committed before the next. */
    private static RecordingBulkSink run(Rules rules, List<List<ChangeEvent>> records) throws Exception {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink)
                .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(1)).build();
        try (pipeline) {
            pipeline.start();
            for (List<ChangeEvent> record : records) {
                SourcePosition at = source.append(P, record);
                assertTrue(source.awaitCommitted(P, at.offset(), WAIT), "committed: " + pipeline.failure());
            }
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
        return sink;
    }

    private static Rules orders(WriteMode mode) {
        return Rules.builder().rule(TableRule.builder().table("orders").index("orders").writeMode(mode)
                .where("status <> 'deleted'").build()).build();
    }

    private static Map<String, Object> order(int id, String status, int amount) {
        return row("id", id, "status", status, "amount", amount);
    }

    @Test
    void anOwnedIndexGetsTheSameDocumentsAsWithUpsertWrittenByIndexAndDelete() throws Exception {
        List<List<ChangeEvent>> changes = List.of(
                List.of(full(insert("shop", "orders", order(1, "new", 10), "id"))),
                List.of(full(insert("shop", "orders", order(2, "new", 20), "id"))),
                List.of(full(update("shop", "orders", order(1, "paid", 10), row("status", "new"), "id"))),
                // order 2 leaves the filter (deleted), then comes back (written whole)
                List.of(full(update("shop", "orders", order(2, "deleted", 20), row("status", "new"), "id"))),
                List.of(full(update("shop", "orders", order(2, "refunded", 20), row("status", "deleted"), "id"))),
                List.of(full(insert("shop", "orders", order(3, "new", 30), "id"))),
                List.of(full(delete("shop", "orders", order(3, "new", 30), "id"))),
                // a primary-key change: the old id is deleted, the new one written
                List.of(full(update("shop", "orders", order(4, "paid", 10), row("id", 1), "id"))));
        RecordingBulkSink auto = run(orders(WriteMode.AUTO), changes);
        RecordingBulkSink upsert = run(orders(WriteMode.UPSERT), changes);

        assertEquals(upsert.documents(), auto.documents());
        assertEquals(Map.of("orders/2", order(2, "refunded", 20), "orders/4", order(4, "paid", 10)), auto.documents());
        Set<ActionType> autoTypes = EnumSet.noneOf(ActionType.class);
        auto.actions().forEach(a -> autoTypes.add(a.type()));
        assertEquals(EnumSet.of(ActionType.INDEX, ActionType.DELETE), autoTypes);
        Set<ActionType> upsertTypes = EnumSet.noneOf(ActionType.class);
        upsert.actions().forEach(a -> upsertTypes.add(a.type()));
        assertEquals(EnumSet.of(ActionType.UPSERT, ActionType.DELETE), upsertTypes);
    }

    @Test
    void changesOfOneDocumentInTheBufferCoalesceByTheBufferRules() throws Exception {
        RecordingBulkSink sink = run(orders(WriteMode.AUTO), List.of(
                // INDEX, then an UPSERT (a row of unknown image): one INDEX of the merged document
                List.of(full(insert("shop", "orders", order(1, "new", 10), "id")),
                        update("shop", "orders", row("id", 1, "status", "paid"), row("status", "new"), "id")),
                // INDEX, then DELETE: the DELETE
                List.of(full(insert("shop", "orders", order(2, "new", 20), "id")),
                        full(delete("shop", "orders", order(2, "new", 20), "id"))),
                // DELETE, then INDEX: the INDEX
                List.of(full(delete("shop", "orders", order(3, "new", 30), "id")),
                        full(insert("shop", "orders", order(3, "new", 31), "id"))),
                // UPSERT, then INDEX: the INDEX
                List.of(insert("shop", "orders", row("id", 4, "status", "new"), "id"),
                        full(update("shop", "orders", order(4, "paid", 40), row("status", "new"), "id")))));

        List<List<DocumentAction>> bulks = new ArrayList<>();
        sink.requests().forEach(r -> bulks.add(r.actions()));
        assertEquals(List.of(
                List.of(DocumentAction.index("orders", "1", order(1, "paid", 10))),
                List.of(DocumentAction.delete("orders", "2")),
                List.of(DocumentAction.index("orders", "3", order(3, "new", 31))),
                List.of(DocumentAction.index("orders", "4", order(4, "paid", 40)))), bulks);
        assertEquals(Map.of("orders/1", order(1, "paid", 10), "orders/3", order(3, "new", 31),
                "orders/4", order(4, "paid", 40)), sink.documents());
    }
}
