package dev.binlogsync.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;

/** {@link PipelineLifecycle}'s place among Spring Boot's lifecycles, and that it runs once. */
class PipelineLifecycleTest {

    @Test
    void stopsBeforeTheWebServersGracefulShutdownSoTheEndpointsAnswerWhileItDrains() {
        SyncPipeline pipeline = PipelineHealthIndicatorTest.pipeline(new InMemorySource(), new RecordingBulkSink());
        try {
            // Spring stops lifecycles from the highest phase down (and starts them from the lowest up)
            assertTrue(new PipelineLifecycle(pipeline).getPhase() > WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE,
                    "phase " + PipelineLifecycle.PHASE + " must be above the web server's graceful shutdown, "
                            + WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
        } finally {
            pipeline.close();
        }
    }

    @Test
    void cannotStartAgainAfterAStopAndSaysWhy() {
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = PipelineHealthIndicatorTest.pipeline(source, new RecordingBulkSink());
        PipelineLifecycle lifecycle = new PipelineLifecycle(pipeline);
        lifecycle.start();
        lifecycle.stop();

        IllegalStateException e = assertThrows(IllegalStateException.class, lifecycle::start);
        assertTrue(e.getMessage().contains("unit-sync is CLOSED"), e.getMessage());
        assertTrue(e.getMessage().contains("runs once"), e.getMessage());
        assertFalse(lifecycle.isRunning());
        assertEquals(PipelineState.CLOSED, pipeline.state());
    }

    @Test
    void livenessIsDownOnlyWhenThePipelineFailed() {
        SyncPipeline healthy = PipelineHealthIndicatorTest.pipeline(new InMemorySource(), new RecordingBulkSink());
        PipelineLivenessIndicator liveness = new PipelineLivenessIndicator(healthy);
        assertEquals(Status.UP, liveness.health().getStatus(), "not started yet");
        PipelineLifecycle lifecycle = new PipelineLifecycle(healthy);
        lifecycle.start();
        assertEquals(Status.UP, liveness.health().getStatus(), "running");
        lifecycle.stop();
        assertEquals(Status.UP, liveness.health().getStatus(), "closed cleanly: the application is stopping");
        assertEquals("CLOSED", liveness.health().getDetails().get("state"));

        // Elasticsearch unreachable: not ready, but alive (a restart would not bring the cluster back)
        InMemorySource source = new InMemorySource();
        SyncPipeline unreachable = SyncPipeline.builder().source(source).ruleSet(PipelineHealthIndicatorTest.ORDERS)
                .sink(new RecordingBulkSink().defaultReply(RecordingBulkSink.Reply.unavailable()))
                .threadName("unit-outage").flushInterval(Duration.ofMillis(10)).retryInitialBackoff(Duration.ofMillis(10)).retryMaxBackoff(Duration.ofMillis(20))
                .sinkUnreachableAfter(Duration.ofMillis(100)).drainTimeout(Duration.ofMillis(200)).build();
        PipelineLifecycle outage = new PipelineLifecycle(unreachable);
        outage.start();
        try {
            source.append("p0", Events.insert("shop", "orders", Map.of("id", 1L)));
            Await.until(PipelineHealthIndicatorTest.WAIT, "SINK_UNREACHABLE",
                    () -> unreachable.health().status() == PipelineHealth.Status.SINK_UNREACHABLE);
            assertEquals(Status.DOWN, new PipelineHealthIndicator(unreachable).health().getStatus(), "not ready");
            assertEquals(Status.UP, new PipelineLivenessIndicator(unreachable).health().getStatus(), "alive");
        } finally {
            outage.stop();
        }
    }
}
