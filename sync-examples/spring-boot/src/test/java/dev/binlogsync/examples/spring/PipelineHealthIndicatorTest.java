package dev.binlogsync.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** {@link PipelineHealthIndicator} and {@link PipelineLifecycle} over the library's in-memory fakes. */
class PipelineHealthIndicatorTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final RuleSet ORDERS = (event, out) ->
            out.collect(DocumentAction.index("orders", String.valueOf(event.row().get("id")), event.row()));

    static SyncPipeline pipeline(InMemorySource source, RecordingBulkSink sink) {
        return SyncPipeline.builder().source(source).ruleSet(ORDERS).sink(sink).threadName("unit-sync")
                .flushInterval(Duration.ofMillis(10)).commitInterval(Duration.ofMillis(10)).build();
    }

    @Test
    void followsThePipelineFromUnknownToUpToOutOfServiceWithItsDetails() {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        SyncPipeline pipeline = pipeline(source, sink);
        PipelineHealthIndicator indicator = new PipelineHealthIndicator(pipeline);
        PipelineLifecycle lifecycle = new PipelineLifecycle(pipeline);

        assertEquals(Status.UNKNOWN, indicator.health().getStatus(), "built, not started");
        lifecycle.start();
        assertTrue(lifecycle.isRunning());
        source.append("p0", Events.insert("shop", "orders", Map.of("id", 1L, "status", "paid")));
        Await.until(WAIT, "orders/1 written", () -> sink.document("orders", "1") != null);

        Health up = indicator.health();
        assertEquals(Status.UP, up.getStatus(), up.toString());
        assertEquals("unit-sync", up.getDetails().get("pipeline"));
        assertEquals("RUNNING", up.getDetails().get("state"));
        assertEquals("HEALTHY", up.getDetails().get("status"));
        assertEquals("ok", up.getDetails().get("reason"));
        assertFalse(up.getDetails().containsKey("lastError"), up.toString());

        lifecycle.stop();
        assertFalse(lifecycle.isRunning());
        assertTrue(source.isClosed(), "stop closed the pipeline and its source");
        assertEquals(Status.OUT_OF_SERVICE, indicator.health().getStatus());
    }

    @Test
    void isDownWithTheFailureAndNeverShowsTheCredentialsOfAUrlInIt() {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink().defaultReply(RecordingBulkSink.Reply.failRequest(
                new IllegalStateException("bulk to https://sync:hunter2@es.example:9200 was refused")));
        SyncPipeline pipeline = pipeline(source, sink);
        PipelineHealthIndicator indicator = new PipelineHealthIndicator(pipeline);
        PipelineLifecycle lifecycle = new PipelineLifecycle(pipeline);
        lifecycle.start();
        try {
            source.append("p0", Events.insert("shop", "orders", Map.of("id", 1L)));
            Health down = Await.value(WAIT, "health DOWN after the failed bulk", indicator::health,
                    h -> h.getStatus().equals(Status.DOWN));
            assertEquals("FAILED", down.getDetails().get("status"), down.toString());
            String lastError = String.valueOf(down.getDetails().get("lastError"));
            assertTrue(lastError.contains("https://es.example:9200"), lastError); // the host stays, the credentials go
            assertFalse(down.toString().contains("hunter2"), down.toString());
            assertEquals(Status.DOWN, new PipelineLivenessIndicator(pipeline).health().getStatus(),
                    "a failed pipeline never runs again: restart");
        } finally {
            lifecycle.stop();
        }
        assertEquals(Status.DOWN, indicator.health().getStatus(), "a failed pipeline stays failed after the stop");
    }
}
