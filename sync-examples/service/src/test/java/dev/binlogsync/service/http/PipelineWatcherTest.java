package dev.binlogsync.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertCondition;
import dev.binlogsync.core.alert.AlertEvent;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alert listener's bookkeeping for one pipeline. */
class PipelineWatcherTest {

    private static SyncPipeline pipeline(InMemorySource source) {
        return SyncPipeline.builder().source(source).ruleSet((e, out) -> {
            throw new IllegalStateException("unmappable");
        }).sink(new RecordingBulkSink()).threadName("orders").pollTimeout(Duration.ofMillis(10)).build();
    }

    private static AlertEvent healthFiring() {
        return new AlertEvent(AlertEvent.Type.FIRING, AlertCondition.HEALTH_NOT_HEALTHY, "orders", "STOPPED: closed",
                "not HEALTHY for PT0S", Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void aPipelineClosedByTheServiceRaisesNoHealthAlert() {
        SyncPipeline p = pipeline(new InMemorySource());
        p.start();
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        PipelineWatcher.Watched w = new PipelineWatcher.Watched("orders", p);

        w.onAlert(healthFiring());

        assertTrue(w.firing.isEmpty(), "an intended stop is not an incident");
    }

    @Test
    void aFailedPipelineRaisesTheHealthAlert() {
        InMemorySource source = new InMemorySource();
        source.append("orders-0", Events.insert("shop", "orders", Map.of("id", 1)));
        SyncPipeline p = pipeline(source);
        p.start();
        try {
            Await.until(Duration.ofSeconds(30), "the pipeline failed", () -> p.state() == PipelineState.FAILED);
            PipelineWatcher.Watched w = new PipelineWatcher.Watched("orders", p);

            w.onAlert(healthFiring());

            assertEquals(AlertCondition.HEALTH_NOT_HEALTHY, w.firing.get(AlertCondition.HEALTH_NOT_HEALTHY).condition());
        } finally {
            p.close();
        }
    }
}
