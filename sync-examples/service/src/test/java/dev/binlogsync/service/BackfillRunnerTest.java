package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's backfill run around a {@link dev.binlogsync.core.backfill.Backfill}: failures, stop, runAtStart. */
class BackfillRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Nothing listens on port 1: the run's sink cannot start. */
    private static final String UNREACHABLE = "{\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"http://127.0.0.1:1\"],"
            + " \"connectTimeout\": \"1s\"},"
            + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}], \"backfill\": {\"jdbc\":"
            + " {\"url\": \"jdbc:mariadb://admin:url-s3cret@127.0.0.1:1/shop\", \"password\": \"${DB_PASSWORD}\"}%s}}";

    private final SyncPipeline pipeline = SyncPipeline.builder().source(new InMemorySource())
            .ruleSet((event, out) -> { }).sink(new RecordingBulkSink()).threadName("orders").build();

    @AfterEach
    void close() {
        pipeline.close();
    }

    private static PipelineDefinition definition(String extra) {
        return ConfigLoader.create().withEnv(Map.of("DB_PASSWORD", "db-s3cret")).fromJson(String.format(UNREACHABLE, extra));
    }

    @Test
    void aBackfillThatCannotReachElasticsearchFailsVisiblyAndThePipelineKeepsRunning() throws Exception {
        pipeline.start();
        BackfillRunner runner = new BackfillRunner("orders", definition(""), pipeline);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.meters().bindTo(registry);
        runner.start();
        assertTrue(runner.awaitEnd(WAIT), "the run ended");

        BackfillStatus s = runner.status();
        assertEquals(BackfillStatus.State.FAILED, s.state());
        assertNotNull(s.error());
        assertFalse(s.error().contains("s3cret"), s.error());
        assertNotNull(s.startedAt());
        assertNotNull(s.endedAt());
        assertEquals(java.util.List.of(), s.tables(), "no table was reached");
        assertEquals(PipelineState.RUNNING, pipeline.state(), "the stream is not stopped by the backfill's failure");
        assertEquals(1.0, registry.find("binlogsync.backfill.failures").tags("pipeline", "orders").functionCounter().count());
        assertTrue(runner.stop(Duration.ofSeconds(1)), "an ended run stops at once");
    }

    @Test
    void runAtStartFalseLeavesTheBackfillNotStarted() {
        pipeline.start();
        BackfillRunner runner = new BackfillRunner("orders", definition(", \"runAtStart\": false"), pipeline);
        runner.start();

        BackfillStatus s = runner.status();
        assertEquals(BackfillStatus.State.NOT_STARTED, s.state());
        assertNull(s.startedAt());
        assertTrue(runner.stop(Duration.ofSeconds(1)));
    }

    @Test
    void aStoppedRunnerStartsNothing() {
        pipeline.start();
        BackfillRunner runner = new BackfillRunner("orders", definition(""), pipeline);
        assertTrue(runner.stop(Duration.ofSeconds(1)));
        runner.start();

        assertEquals(BackfillStatus.State.NOT_STARTED, runner.status().state());
    }
}
