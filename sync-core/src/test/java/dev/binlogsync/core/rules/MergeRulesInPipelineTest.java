package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Merge rules through the engine into the simulated index: a child row's change never creates
 * its parent's document.
 */
class MergeRulesInPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String P = "p";

    static Rules shop(MergeDelete onDelete) {
        return Rules.builder()
                .rule(TableRule.builder().table("orders").index("orders").where("status <> 'CANCELLED'").build())
                .rule(TableRule.builder().table("order_shipping").index("orders").mergeInto("order_id")
                        .nestUnder("shipping").include("carrier").onMergedRowDelete(onDelete).build())
                .build();
    }

    static ChangeEvent event(Operation op, String table, Map<String, Object> row, Map<String, Object> old) {
        return new ChangeEvent("shop", table, op, row, old, List.of("id"), 1_700_000_000_000L, Events.pos());
    }

    static Map<String, Object> order(int id, String status) {
        return row("id", id, "status", status);
    }

    static Map<String, Object> shipping(int id, int orderId, String carrier) {
        return row("id", id, "order_id", orderId, "carrier", carrier);
    }

    private PipelineMetrics metrics = PipelineMetrics.EMPTY;

    /**
     * Runs the changes through a pipeline into a simulated index. {@code oneByOne}: each change is
     * committed before the next is appended, so none is coalesced with another in the buffer and
     * every action reaches the index; otherwise they are appended at once and may coalesce.
     */
    private RecordingBulkSink run(Rules rules, boolean oneByOne, ChangeEvent... changes) throws Exception {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink)
                .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(5)).build();
        try (pipeline) {
            pipeline.start();
            SourcePosition last = null;
            for (ChangeEvent change : changes) {
                last = source.append(P, change);
                if (oneByOne) {
                    assertTrue(source.awaitCommitted(P, last.offset(), WAIT), "committed: " + pipeline.failure());
                }
            }
            assertTrue(source.awaitCommitted(P, last.offset(), WAIT), "all committed: " + pipeline.failure());
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
        metrics = pipeline.metrics(); // final once closed
        return sink;
    }

    @Test
    void childUpdateAfterTheParentWasDeletedDoesNotRecreateTheParent() throws Exception {
        for (boolean oneByOne : new boolean[] {true, false}) {
            RecordingBulkSink sink = run(shop(MergeDelete.IGNORE), oneByOne,
                    event(Operation.INSERT, "orders", order(1, "NEW"), Map.of()),
                    event(Operation.INSERT, "order_shipping", shipping(50, 1, "ups"), Map.of()),
                    event(Operation.DELETE, "orders", order(1, "NEW"), Map.of()),
                    event(Operation.UPDATE, "order_shipping", shipping(50, 1, "dhl"), row("carrier", "ups")));
            assertNull(sink.document("orders", "1"), "no phantom parent: " + sink.document("orders", "1"));
            assertEquals(0, metrics.skipped() + metrics.deadLettered());
            if (oneByOne) {
                assertEquals(1, metrics.missing(), "the update found no document: " + metrics);
            }
        }
    }

    @Test
    void childDeleteClearingAfterTheParentStoppedMatchingDoesNotRecreateTheParent() throws Exception {
        for (boolean oneByOne : new boolean[] {true, false}) {
            RecordingBulkSink sink = run(shop(MergeDelete.CLEAR), oneByOne,
                    event(Operation.INSERT, "orders", order(2, "NEW"), Map.of()),
                    event(Operation.INSERT, "order_shipping", shipping(51, 2, "ups"), Map.of()),
                    // the order is cancelled: it leaves the index; then its shipping row is deleted (CLEAR)
                    event(Operation.UPDATE, "orders", order(2, "CANCELLED"), row("status", "NEW")),
                    event(Operation.DELETE, "order_shipping", shipping(51, 2, "ups"), Map.of()));
            assertNull(sink.document("orders", "2"), "no phantom parent: " + sink.document("orders", "2"));
        }
    }

    @Test
    void childUpdateOfAParentNotWrittenYetIsDoneAsMissingAndCreatesNothing() throws Exception {
        RecordingBulkSink sink = run(shop(MergeDelete.CLEAR), true,
                event(Operation.INSERT, "order_shipping", shipping(53, 4, "ups"), Map.of()));
        assertNull(sink.document("orders", "4"));
        assertEquals(1, metrics.missing(), "counted as missing: " + metrics);
        assertEquals(1, metrics.updateActions());
    }

    @Test
    void childChangesMergeIntoAnExistingParent() throws Exception {
        RecordingBulkSink sink = run(shop(MergeDelete.CLEAR), true,
                event(Operation.INSERT, "orders", order(3, "NEW"), Map.of()),
                event(Operation.INSERT, "order_shipping", shipping(52, 3, "ups"), Map.of()),
                event(Operation.UPDATE, "orders", order(3, "PAID"), row("status", "NEW")));
        assertEquals(Map.of("id", 3, "status", "PAID", "shipping", Map.of("carrier", "ups")),
                sink.document("orders", "3"));
    }

    static Rules withJsonShipping() {
        return Rules.builder()
                .rule(TableRule.builder().table("orders").index("orders").build())
                .rule(TableRule.builder().table("order_shipping").index("orders").mergeInto("order_id")
                        .nestUnder("shipping").exclude("order_id").build())
                .build();
    }

    @Test
    void aFullChildRowReplacesTheWholeNestedObjectSoAKeyItsJsonColumnLostGoes() throws Exception {
        for (boolean oneByOne : new boolean[] {true, false}) {
            RecordingBulkSink sink = run(withJsonShipping(), oneByOne,
                    event(Operation.INSERT, "orders", order(4, "NEW"), Map.of()),
                    event(Operation.INSERT, "order_shipping",
                            row("id", 60, "order_id", 4, "box", Map.of("w", 1, "h", 2)), Map.of()).withRowImage(RowImage.FULL),
                    event(Operation.UPDATE, "order_shipping",
                            row("id", 60, "order_id", 4, "box", Map.of("w", 1)), row("box", Map.of("w", 1, "h", 2)))
                            .withRowImage(RowImage.FULL));
            assertEquals(Map.of("id", 4, "status", "NEW", "shipping", Map.of("id", 60, "box", Map.of("w", 1))),
                    sink.document("orders", "4"), "one by one: " + oneByOne);
        }
    }

    @Test
    void aChildRowThatMayLackColumnsReplacesOnlyTheColumnsItCarries() throws Exception {
        for (boolean oneByOne : new boolean[] {true, false}) {
            RecordingBulkSink sink = run(withJsonShipping(), oneByOne,
                    event(Operation.INSERT, "orders", order(5, "NEW"), Map.of()),
                    event(Operation.INSERT, "order_shipping",
                            row("id", 61, "order_id", 5, "carrier", "dhl", "box", Map.of("w", 1, "h", 2)), Map.of()),
                    event(Operation.UPDATE, "order_shipping",
                            row("id", 61, "order_id", 5, "box", Map.of("w", 1)), row("box", Map.of("w", 1, "h", 2))));
            assertEquals(Map.of("id", 5, "status", "NEW",
                            "shipping", Map.of("id", 61, "carrier", "dhl", "box", Map.of("w", 1))),
                    sink.document("orders", "5"), "one by one: " + oneByOne);
        }
    }
}
