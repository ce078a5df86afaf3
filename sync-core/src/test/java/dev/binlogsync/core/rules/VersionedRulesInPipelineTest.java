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
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * External versions through the engine into the simulated index, which compares versions as
 * Elasticsearch does. Each change is written (and committed) before the next is appended, so no
 * two are coalesced: every version reaches the index.
 */
class VersionedRulesInPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String P = "p";
    /** A binlog time: whole seconds, as Canal's {@code es} is. */
    private static final long SECOND = 1_700_000_000_000L;

    static ChangeEvent event(Operation op, Map<String, Object> row, Map<String, Object> old, long timeMillis) {
        return new ChangeEvent("shop", "users", op, row, old, List.of("id"), timeMillis, Events.pos());
    }

    /** Runs the changes one by one; returns the metrics at the end. */
    private static PipelineMetrics run(TableRule rule, RecordingBulkSink sink, ChangeEvent... changes) throws Exception {
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(Rules.builder().rule(rule).build())
                .sink(sink).commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(1)).build();
        try (pipeline) {
            pipeline.start();
            for (ChangeEvent change : changes) {
                SourcePosition at = source.append(P, change);
                assertTrue(source.awaitCommitted(P, at.offset(), WAIT), "committed: " + pipeline.failure());
            }
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
        return pipeline.metrics(); // final once closed
    }

    @Test
    void updatesOfOneRowWithinOneSecondAreAllAppliedWithBinlogTimeVersions() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        TableRule rule = TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionFromBinlogTime().build();
        PipelineMetrics m = run(rule, sink,
                event(Operation.INSERT, row("id", 1, "name", "a"), Map.of(), SECOND),
                event(Operation.UPDATE, row("id", 1, "name", "b"), row("name", "a"), SECOND),
                event(Operation.UPDATE, row("id", 1, "name", "c"), row("name", "b"), SECOND));
        assertEquals(3, sink.history("users", "1").size(), "every change applied");
        assertEquals(Map.of("id", 1, "name", "c"), sink.document("users", "1"));
        assertEquals(0, m.stale());
    }

    @Test
    void aWriteFromAnEarlierSecondIsRejectedAsStaleWithBinlogTimeVersions() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        TableRule rule = TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionFromBinlogTime().build();
        // a late delete from an earlier second (as the old id's delete of a primary-key change can
        // arrive from another partition) does not remove the newer row
        PipelineMetrics m = run(rule, sink,
                event(Operation.INSERT, row("id", 1, "name", "new"), Map.of(), SECOND + 1000),
                event(Operation.DELETE, row("id", 1, "name", "old"), Map.of(), SECOND));
        assertEquals(Map.of("id", 1, "name", "new"), sink.document("users", "1"));
        assertEquals(1, m.stale());
    }

    @Test
    void anEqualVersionColumnValueAppliesByDefaultAndIsStaleOnlyWithExternal() throws Exception {
        ChangeEvent first = event(Operation.INSERT, row("id", 1, "name", "a", "modified", "2024-03-05 10:00:00"),
                Map.of(), SECOND);
        ChangeEvent sameSecond = event(Operation.UPDATE, row("id", 1, "name", "b", "modified", "2024-03-05 10:00:00"),
                row("name", "a"), SECOND);

        RecordingBulkSink gte = new RecordingBulkSink();
        PipelineMetrics m = run(TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionColumn("modified").build(), gte, first, sameSecond);
        assertEquals("b", gte.document("users", "1").get("name"), "EXTERNAL_GTE (default) applies an equal version");
        assertEquals(0, m.stale());

        RecordingBulkSink strict = new RecordingBulkSink();
        m = run(TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionColumn("modified").versionType(VersionType.EXTERNAL).build(), strict, first, sameSecond);
        assertEquals("a", strict.document("users", "1").get("name"), "EXTERNAL rejects an equal version");
        assertEquals(1, m.stale());
    }

    @Test
    void aDeleteRemovesTheDocumentWithExternalVersionsThoughItCarriesTheStoredVersion() throws Exception {
        // the counter grows with every write; the DELETE's before image holds the last write's version
        RecordingBulkSink sink = new RecordingBulkSink();
        PipelineMetrics m = run(TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionColumn("ver").versionType(VersionType.EXTERNAL).build(), sink,
                event(Operation.INSERT, row("id", 1, "name", "a", "ver", 1), Map.of(), SECOND),
                event(Operation.UPDATE, row("id", 1, "name", "b", "ver", 2), row("name", "a", "ver", 1), SECOND),
                event(Operation.DELETE, row("id", 1, "name", "b", "ver", 2), Map.of(), SECOND));
        assertNull(sink.document("users", "1"), "the deleted row's document is gone");
        assertEquals(0, m.stale());
    }

    @Test
    void aLateCopyOfTheLastWriteAfterTheDeleteStaysRefusedWithExternalVersions() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        ChangeEvent write = event(Operation.INSERT, row("id", 1, "name", "a", "ver", 3), Map.of(), SECOND);
        PipelineMetrics m = run(TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                .versionColumn("ver").versionType(VersionType.EXTERNAL).build(), sink,
                write,
                event(Operation.DELETE, row("id", 1, "name", "a", "ver", 3), Map.of(), SECOND),
                write);
        assertNull(sink.document("users", "1"), "the tombstone's version refuses the replayed write");
        assertEquals(1, m.stale());
    }
}
