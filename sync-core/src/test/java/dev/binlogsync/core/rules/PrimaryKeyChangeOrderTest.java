package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the README promises for primary-key changes ({@code UPDATE ... SET id = ...}) under
 * partition-by-key: Canal and Maxwell send the change in the <em>new</em> key's partition, so the
 * delete of the old id it implies can be applied before earlier changes of the old id that still
 * wait in the old key's partition. With external versions that grow with every change (a version
 * column the application bumps, or binlog time in different seconds) the result is right in either
 * order; these tests apply the partitions in the adversarial order. The simulated index compares
 * versions as Elasticsearch does.
 */
class PrimaryKeyChangeOrderTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String OLD_KEY_PARTITION = "p0";
    private static final String NEW_KEY_PARTITION = "p1";
    private static final long SECOND = 1_700_000_000_000L;

    private static ChangeEvent event(Operation op, Map<String, Object> row, Map<String, Object> old, long timeMillis) {
        return new ChangeEvent("shop", "items", op, row, old, List.of("id"), timeMillis, Events.pos());
    }

    /** Applies each (partition, change) in the given order, each written and committed before the next. */
    private static RecordingBulkSink apply(TableRule rule, Object... partitionAndChange) throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(Rules.builder().rule(rule).build())
                .sink(sink).commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(1)).build();
        try (pipeline) {
            pipeline.start();
            for (int i = 0; i < partitionAndChange.length; i += 2) {
                String partition = (String) partitionAndChange[i];
                SourcePosition at = source.append(partition, (ChangeEvent) partitionAndChange[i + 1]);
                assertTrue(source.awaitCommitted(partition, at.offset(), WAIT), "committed: " + pipeline.failure());
            }
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
        return sink;
    }

    private static final ChangeEvent INSERT_5 = event(Operation.INSERT, row("id", 5, "sku", "a", "updated_ms", 1000),
            Map.of(), SECOND);
    private static final ChangeEvent UPDATE_5 = event(Operation.UPDATE, row("id", 5, "sku", "b", "updated_ms", 2000),
            row("sku", "a", "updated_ms", 1000), SECOND + 1000);
    private static final ChangeEvent MOVE_5_TO_6 = event(Operation.UPDATE, row("id", 6, "sku", "b", "updated_ms", 3000),
            row("id", 5, "updated_ms", 2000), SECOND + 2000);
    private static final ChangeEvent REINSERT_5 = event(Operation.INSERT, row("id", 5, "sku", "c", "updated_ms", 4000),
            Map.of(), SECOND + 3000);

    @Test
    void aKeyChangeAppliedBeforeTheOldKeysEarlierChangesLeavesNoOldDocumentWithAVersionColumn() throws Exception {
        RecordingBulkSink sink = apply(TableRule.builder().table("items").index("items").writeMode(WriteMode.INDEX)
                        .versionColumn("updated_ms").build(),
                NEW_KEY_PARTITION, MOVE_5_TO_6,
                OLD_KEY_PARTITION, INSERT_5,
                OLD_KEY_PARTITION, UPDATE_5);
        // the old id's delete carries the key change's version (3000), so its late insert (1000) and
        // update (2000) are stale; with the before image's version (2000) external_gte accepted the update
        assertNull(sink.document("items", "5"), "the old id stays deleted");
        assertEquals(Map.of("id", 6, "sku", "b", "updated_ms", 3000), sink.document("items", "6"));
    }

    @Test
    void aKeyChangeAppliedBeforeTheOldKeysEarlierChangesLeavesNoOldDocumentWithBinlogTime() throws Exception {
        RecordingBulkSink sink = apply(TableRule.builder().table("items").index("items").writeMode(WriteMode.INDEX)
                        .versionFromBinlogTime().build(),
                NEW_KEY_PARTITION, MOVE_5_TO_6,
                OLD_KEY_PARTITION, INSERT_5,
                OLD_KEY_PARTITION, UPDATE_5);
        assertNull(sink.document("items", "5"), "the old id stays deleted");
        assertEquals("b", sink.document("items", "6").get("sku"));
    }

    @Test
    void aReInsertOfTheOldKeyThatOvertakesTheKeyChangeSurvivesItsDelete() throws Exception {
        RecordingBulkSink sink = apply(TableRule.builder().table("items").index("items").writeMode(WriteMode.INDEX)
                        .versionColumn("updated_ms").build(),
                OLD_KEY_PARTITION, INSERT_5,
                OLD_KEY_PARTITION, UPDATE_5,
                OLD_KEY_PARTITION, REINSERT_5,
                NEW_KEY_PARTITION, MOVE_5_TO_6);
        assertEquals(Map.of("id", 5, "sku", "c", "updated_ms", 4000), sink.document("items", "5"),
                "the key change's delete (3000) is older than the re-insert (4000)");
        assertEquals("b", sink.document("items", "6").get("sku"));
    }

    @Test
    void aRowLeavingTheFilterIsDeletedAtTheUpdatesVersionSoALateCopyOfItsPreviousWriteIsStale() throws Exception {
        ChangeEvent cancel = event(Operation.UPDATE, row("id", 5, "sku", "x", "updated_ms", 3000),
                row("sku", "b", "updated_ms", 2000), SECOND + 2000);
        RecordingBulkSink sink = apply(TableRule.builder().table("items").index("items").writeMode(WriteMode.INDEX)
                        .versionColumn("updated_ms").where("sku <> 'x'").build(),
                OLD_KEY_PARTITION, cancel,
                // a late copy of the write before the cancellation (as a zombie bulk or a re-read delivers it)
                OLD_KEY_PARTITION, UPDATE_5);
        assertNull(sink.document("items", "5"));
    }
}
