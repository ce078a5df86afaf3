package dev.binlogsync.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mapping failures from the rules reach the engine's failure policy with their clear message. */
class RulesInPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static ChangeEvent noPk(String table, int n) {
        return new ChangeEvent("shop", table, Operation.INSERT, Events.row("msg", "m" + n), Map.of(), List.of(), 1L,
                new SourcePosition("p", 0));
    }

    static ChangeEvent order(int id) {
        return Events.insert("shop", "orders", Events.row("id", id), "id");
    }

    static Rules rules() {
        return Rules.builder()
                .rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("logs").index("logs").build())
                .build();
    }

    @Test
    void rowWithoutPrimaryKeyStopsThePipelineByDefaultNamingTableAndPosition() throws Exception {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        source.append("p", order(1));
        SourcePosition bad = source.append("p", noPk("logs", 1));
        source.append("p", order(2));
        try (SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules()).sink(sink)
                .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(10)).build()) {
            pipeline.start();
            assertTrue(pipeline.awaitTermination(WAIT));
            assertEquals(PipelineState.FAILED, pipeline.state());
            String message = String.valueOf(pipeline.failure().getMessage()) + " / " + pipeline.failure().getCause();
            assertTrue(message.contains("shop.logs has no primary key"), message);
            assertNull(sink.document("orders", "2"), "nothing after the failed record is written");
            assertTrue(source.committed("p") == null || source.committed("p").offset() < bad.offset());
        }
    }

    @Test
    void rowWithoutPrimaryKeyGoesToTheDeadLetterSinkAndTheRestIsWritten() throws Exception {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        RecordingDeadLetterSink dlq = new RecordingDeadLetterSink();
        source.append("p", order(1));
        source.append("p", noPk("logs", 1));
        SourcePosition last = source.append("p", order(2));
        try (SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules()).sink(sink)
                .deadLetterSink(dlq).onDecodeFailure(FailurePolicy.DEAD_LETTER)
                .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(10)).build()) {
            pipeline.start();
            assertTrue(source.awaitCommitted("p", last.offset(), WAIT));
        }
        assertEquals(1, dlq.letters().size());
        DeadLetter letter = dlq.letters().get(0);
        assertEquals(DeadLetter.Kind.UNMAPPABLE, letter.kind());
        assertTrue(letter.reason().contains("shop.logs has no primary key"), letter.reason());
        assertEquals(Map.of("id", 2), sink.document("orders", "2"));
    }
}
