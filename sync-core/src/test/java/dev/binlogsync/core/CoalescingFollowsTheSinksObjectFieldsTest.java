package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The pipeline asks its sink how partial writes merge objects ({@link BulkSink#replacesObjectFields()})
 * and coalesces buffered writes of one document the same way: the coalesced write leaves what the
 * writes one by one leave. Stored {@code j={b:0}}; A sets {@code j={b:2}}; B sets {@code j={c:3}}:
 * with a key-by-key merging sink one by one gives {@code {b:2,c:3}}, with a replacing one {@code {c:3}}.
 */
class CoalescingFollowsTheSinksObjectFieldsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A sink that answers {@code replaces} and passes everything else to a manual RecordingBulkSink. */
    private static final class ModeSink implements BulkSink {
        final RecordingBulkSink recording = new RecordingBulkSink().manual(true);
        final boolean replaces;

        ModeSink(boolean replaces) {
            this.replaces = replaces;
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            return recording.execute(actions);
        }

        @Override
        public boolean replacesObjectFields() {
            return replaces;
        }
    }

    private static Map<String, Object> coalescedDocument(boolean replaces) throws Exception {
        Rules rules = Rules.builder().rule(TableRule.builder().table("t").index("i").writeMode(WriteMode.UPSERT).build())
                .build();
        InMemorySource source = new InMemorySource();
        ModeSink sink = new ModeSink(replaces);
        try (SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink)
                .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(5)).build()) {
            pipeline.start();
            source.append("p", Events.insert("shop", "t", Map.of("id", 1, "j", Map.of("b", 0))));
            Await.until(WAIT, "first bulk sent", () -> sink.recording.pending().size() == 1);
            // the lane has a bulk out: the next two changes of the document wait in the buffer and coalesce
            source.append("p", Events.update("shop", "t", Map.of("id", 1, "j", Map.of("b", 2)), Map.of("j", Map.of("b", 0))));
            SourcePosition last = source.append("p",
                    Events.update("shop", "t", Map.of("id", 1, "j", Map.of("c", 3)), Map.of("j", Map.of("b", 2))));
            Await.until(WAIT, "coalesced", () -> pipeline.metrics().coalesced() == 1);
            sink.recording.pending().get(0).complete();
            Await.until(WAIT, "second bulk sent", () -> sink.recording.pending().size() == 1);
            List<DocumentAction> second = sink.recording.pending().get(0).actions();
            sink.recording.pending().get(0).complete();
            assertTrue(source.awaitCommitted("p", last.offset(), WAIT), "committed: " + pipeline.failure());
            assertEquals(1, second.size(), second.toString());
            return second.get(0).document();
        }
    }

    @Test
    void forASinkThatMergesObjectsKeyByKeyTheCoalescedUpsertMergesThemAtEveryDepth() throws Exception {
        assertEquals(Map.of("id", 1, "j", Map.of("b", 2, "c", 3)), coalescedDocument(false),
                "sent one by one, the doc merges leave j={b:2,c:3}");
    }

    @Test
    void forASinkThatReplacesObjectsTheCoalescedUpsertReplacesThemWhole() throws Exception {
        assertEquals(Map.of("id", 1, "j", Map.of("c", 3)), coalescedDocument(true));
    }
}
