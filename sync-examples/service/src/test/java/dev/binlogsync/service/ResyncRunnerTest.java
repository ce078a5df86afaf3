package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's re-sync run around a {@link dev.binlogsync.elasticsearch.Resync}: failures, its meters, runAtStart. */
class ResyncRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Nothing listens on port 1: the run's sink cannot start. */
    private static final String UNREACHABLE = "{\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"http://127.0.0.1:1\"],"
            + " \"connectTimeout\": \"1s\"},"
            + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}], \"backfill\": {\"jdbc\":"
            + " {\"url\": \"jdbc:mariadb://admin:url-s3cret@127.0.0.1:1/shop\", \"password\": \"${DB_PASSWORD}\"}%s},"
            + " \"resync\": {\"alias\": \"orders\", \"newIndex\": \"orders-v2\"}}";

    private final RecordingBulkSink recording = new RecordingBulkSink();
    private final SyncPipeline pipeline = SyncPipeline.builder().source(new InMemorySource())
            .ruleSet((event, out) -> { }).sink(recording).threadName("orders").build();

    @AfterEach
    void close() {
        pipeline.close();
    }

    private static PipelineDefinition definition(String extra) {
        return ConfigLoader.create().withEnv(Map.of("DB_PASSWORD", "db-s3cret")).fromJson(String.format(UNREACHABLE, extra));
    }

    @Test
    void aResyncThatCannotReachElasticsearchFailsVisiblyCountedAsAResyncFailure() throws Exception {
        ResyncRunner.register(pipeline, ShadowWriteSink.wrap(recording), null);
        pipeline.start();
        ResyncRunner runner = new ResyncRunner("orders", definition(""), pipeline);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.bindMeters(registry);
        runner.start();
        assertTrue(runner.awaitEnd(WAIT), "the run ended");

        BackfillStatus s = runner.status();
        assertEquals(BackfillStatus.State.FAILED, s.state());
        assertNotNull(s.error());
        assertFalse(s.error().contains("s3cret"), s.error());
        assertEquals("orders", s.resync().alias());
        assertEquals("orders-v2", s.resync().newIndex());
        assertNull(s.resync().step(), "no state was read");
        assertEquals(PipelineState.RUNNING, pipeline.state(), "the stream is not stopped by the re-sync's failure");
        assertEquals(1.0, registry.find("binlogsync.resync.failures").tags("pipeline", "orders", "alias", "orders")
                .functionCounter().count());
        assertEquals(0.0, registry.find("binlogsync.resync.switched").gauge().value());
        assertNull(registry.find("binlogsync.backfill.failures").functionCounter(),
                "not counted as a backfill failure too (one alert per failure)");
        assertTrue(runner.stop(Duration.ofSeconds(1)));
    }

    @Test
    void aPipelineWithoutAShadowSinkFailsTheRunSayingWhy() throws Exception {
        pipeline.start();
        ResyncRunner runner = new ResyncRunner("orders", definition(""), pipeline);
        runner.start();
        assertTrue(runner.awaitEnd(WAIT), "the run ended");

        BackfillStatus s = runner.status();
        assertEquals(BackfillStatus.State.FAILED, s.state());
        assertTrue(s.error().contains("no ShadowWriteSink"), s.error());
    }

    @Test
    void runAtStartFalseHoldsTheResync() {
        ResyncRunner.register(pipeline, ShadowWriteSink.wrap(recording), null);
        pipeline.start();
        ResyncRunner runner = new ResyncRunner("orders", definition(", \"runAtStart\": false"), pipeline);
        runner.start();

        BackfillStatus s = runner.status();
        assertEquals(BackfillStatus.State.NOT_STARTED, s.state());
        assertNull(s.startedAt());
        assertTrue(runner.stop(Duration.ofSeconds(1)));
    }
}
