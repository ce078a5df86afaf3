package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A document id is a row value anyone who writes the row chooses; the pipeline's own messages that
 * name a document (a permanent rejection, a failed request) must not let it start a log line or
 * fill the log.
 */
class UntrustedIdsInMessagesTest {

    @Test
    void aRejectedDocumentWhoseIdHoldsALineBreakIsNamedEscapedAndCapped() throws Exception {
        String id = "42\nINFO forged line" + "x".repeat(480);
        RecordingBulkSink sink = new RecordingBulkSink()
                .defaultReply(RecordingBulkSink.Reply.permanent(a -> true, "mapper_parsing_exception"));
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = SyncPipeline.builder().source(source)
                .ruleSet(Rules.builder().rule(TableRule.builder().table("users").index("users").build()).build())
                .sink(sink).flushInterval(Duration.ofMillis(1)).build();
        try (pipeline) {
            pipeline.start();
            source.append("p", new ChangeEvent("shop", "users", Operation.INSERT, Map.of("id", id, "name", "a"),
                    Map.of(), List.of("id"), 0, new SourcePosition("p", 0)));
            assertTrue(pipeline.awaitTermination(Duration.ofSeconds(30)), "STOP fails the pipeline");
        }
        assertEquals(PipelineState.FAILED, pipeline.state());
        Throwable failure = pipeline.failure();
        assertNotNull(failure);
        String message = failure.getMessage();
        assertTrue(message.contains("42\\nINFO forged line"), message);
        assertFalse(message.contains("\n"), "no raw line break: " + message.substring(0, 200));
        assertTrue(message.length() < 1_500, "capped: " + message.length());
    }

    @Test
    void anUnmappableEventsMessageEscapesTheRowValueAndTheTableItQuotes() throws Exception {
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = SyncPipeline.builder().source(source)
                .ruleSet(Rules.builder().rule(TableRule.builder().table("users\nx").index("users")
                        .writeMode(dev.binlogsync.core.rules.WriteMode.INDEX).versionColumn("v").build()).build())
                .sink(new RecordingBulkSink()).build();
        try (pipeline) {
            pipeline.start();
            source.append("p", new ChangeEvent("shop", "users\nx", Operation.INSERT,
                    Map.of("id", 1, "v", "x\nERROR forged line"), Map.of(), List.of("id"), 0, new SourcePosition("p", 0)));
            assertTrue(pipeline.awaitTermination(Duration.ofSeconds(30)), "STOP fails the pipeline");
        }
        String message = pipeline.failure().getMessage();
        assertTrue(message.contains("x\\nERROR forged line"), message);
        assertFalse(message.contains("\n"), "no raw line break: " + message);
    }
}
