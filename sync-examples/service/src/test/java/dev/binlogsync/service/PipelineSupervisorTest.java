package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The supervisor's diff over pipelines built on sync-core's fakes (definitions without source and sink sections). */
class PipelineSupervisorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Every pipeline the factory built, by name, in order. */
    private final Map<String, List<Built>> built = new ConcurrentHashMap<>();
    private final PipelineSupervisor supervisor = new PipelineSupervisor(this::fake);

    private record Built(SyncPipeline pipeline, InMemorySource source, RecordingBulkSink sink) {
    }

    /** When set, the next pipeline built gets this sink instead of its recording one (one shot). */
    private volatile BulkSink nextSink;

    private SyncPipeline fake(String name, dev.binlogsync.core.config.PipelineDefinition definition) {
        InMemorySource source = new InMemorySource();
        RecordingBulkSink sink = new RecordingBulkSink();
        BulkSink used = nextSink != null ? nextSink : sink;
        nextSink = null;
        SyncPipeline pipeline = SyncPipeline.builder()
                .ruleSet(definition.rules())
                .settings(definition.settings())
                .threadName(name)
                .source(source)
                .sink(used)
                .build();
        built.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(new Built(pipeline, source, sink));
        return pipeline;
    }

    private Built last(String name) {
        List<Built> list = built.get(name);
        return list.get(list.size() - 1);
    }

    @AfterEach
    void closeSupervisor() {
        supervisor.close();
    }

    /** A pipeline entry mapping shop.{table} to {index}; {@code settings} is the settings object's inside. */
    private static String pipeline(String table, String index, String settings) {
        return "{\"rules\": [{\"database\": \"shop\", \"table\": \"" + table + "\", \"index\": \"" + index + "\"}],"
                + " \"settings\": {\"commitInterval\": \"1h\"" + (settings.isEmpty() ? "" : ", " + settings) + "}}";
    }

    private static ServiceConfig config(String... entries) {
        StringBuilder b = new StringBuilder("{\"pipelines\": {");
        for (int i = 0; i < entries.length; i += 2) {
            b.append(i == 0 ? "" : ", ").append('"').append(entries[i]).append("\": ").append(entries[i + 1]);
        }
        return ServiceConfig.parse(b.append("}}").toString(), ServiceConfig.Format.JSON, Map.of());
    }

    @Test
    void startsOnePipelinePerEntryNamedAfterIt() {
        PipelineSupervisor.Reload reload = supervisor.apply(config("a", pipeline("orders", "orders", ""),
                "b", pipeline("users", "users", "")));

        assertEquals(List.of("a", "b"), List.copyOf(reload.added()));
        assertEquals(List.of("a", "b"), List.copyOf(supervisor.pipelines().keySet()));
        assertEquals("a", supervisor.pipelines().get("a").name());
        assertEquals(PipelineState.RUNNING, supervisor.pipelines().get("a").state());
        assertEquals(PipelineState.RUNNING, supervisor.pipelines().get("b").state());
    }

    @Test
    void replacesOnlyTheChangedPipelineAndLeavesTheOtherUntouched() {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        SyncPipeline oldA = supervisor.pipelines().get("a");
        SyncPipeline b = supervisor.pipelines().get("b");

        PipelineSupervisor.Reload reload = supervisor.apply(config("a", pipeline("orders", "orders-v2", ""),
                "b", pipeline("users", "users", "")));

        assertEquals(List.of("a"), List.copyOf(reload.replaced()));
        assertTrue(reload.added().isEmpty() && reload.removed().isEmpty(), reload.toString());
        assertEquals(PipelineState.CLOSED, oldA.state());
        assertNotSame(oldA, supervisor.pipelines().get("a"));
        assertSame(b, supervisor.pipelines().get("b"));
        assertEquals(PipelineState.RUNNING, b.state());
        assertEquals(2, supervisor.starts("a"));
        assertEquals(1, supervisor.starts("b"));
        assertEquals(1, built.get("b").size());
    }

    /** A pipeline entry with a backfill section whose Elasticsearch (port 1) cannot be reached: its runs fail at once. */
    private static String withBackfill(String backfillExtra) {
        return "{\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"http://127.0.0.1:1\"]},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}],"
                + " \"backfill\": {\"jdbc\": {\"url\": \"jdbc:mariadb://127.0.0.1:1/shop\"}" + backfillExtra + "}}";
    }

    @Test
    void runsABackfillBesideAPipelineWithTheSectionKeepsThePipelineWhenItFailsAndRunsItAgainWhenTheSectionChanges()
            throws Exception {
        supervisor.apply(config("a", withBackfill(""), "b", pipeline("users", "users", "")));
        BackfillRun first = supervisor.backfills().get("a");
        assertEquals(Set.of("a"), supervisor.backfills().keySet(), "only a pipeline with the section has one");
        Await.until(WAIT, "the first run failed", () -> first.status().state() == BackfillStatus.State.FAILED);
        SyncPipeline a = supervisor.pipelines().get("a");
        assertEquals(PipelineState.RUNNING, a.state(), "the stream keeps running");

        supervisor.apply(config("a", withBackfill(""), "b", pipeline("users", "users", "")));
        assertSame(first, supervisor.backfills().get("a"), "an unchanged definition leaves the failed run as it is");
        assertSame(a, supervisor.pipelines().get("a"));

        PipelineSupervisor.Reload reload = supervisor.apply(config("a", withBackfill(", \"chunkSize\": 50"),
                "b", pipeline("users", "users", "")));
        assertEquals(Set.of("a"), reload.replaced(), "the section is part of the definition");
        BackfillRun second = supervisor.backfills().get("a");
        assertNotSame(first, second);
        Await.until(WAIT, "the second run ended", () -> second.status().state() != BackfillStatus.State.RUNNING);
        assertEquals(BackfillStatus.State.FAILED, second.status().state());

        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        assertTrue(supervisor.backfills().isEmpty(), "no section, no backfill");
    }

    /** A sink that never answers and whose close blocks until {@code release} (it enters {@code entered} first). */
    private static BulkSink blockingSink(CountDownLatch entered, CountDownLatch release) {
        return new BulkSink() {
            @Override
            public CompletionStage<List<dev.binlogsync.core.ItemResult>> execute(List<dev.binlogsync.core.DocumentAction> actions) {
                return new CompletableFuture<>();
            }

            @Override
            public void close() {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** A listener writing "started a" / "stopped a" in the order it hears them. */
    private List<String> recordEvents() {
        List<String> events = new CopyOnWriteArrayList<>();
        supervisor.addListener(new PipelineRegistry.Listener() {
            @Override
            public void started(String name, SyncPipeline pipeline) {
                events.add("started " + name);
            }

            @Override
            public void stopped(String name, SyncPipeline pipeline) {
                events.add("stopped " + name);
            }
        });
        events.clear();
        return events;
    }

    @Test
    void stopsEveryRemovedAndChangedPipelineBeforeStartingAnyReplacement() {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", ""),
                "c", pipeline("items", "items", "")));
        List<String> events = recordEvents();

        supervisor.apply(config("a", pipeline("orders", "orders-v2", ""), "b", pipeline("users", "users-v2", ""),
                "d", pipeline("items", "items", "")));

        assertEquals(List.of("stopped c", "stopped a", "stopped b", "started a", "started b", "started d"), events);
    }

    @Test
    void aReplacedPipelineThatDoesNotTerminateStaysListedAndNothingStarts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        nextSink = blockingSink(new CountDownLatch(1), release);
        supervisor.apply(config("a", pipeline("orders", "orders", "\"drainTimeout\": \"100ms\""),
                "b", pipeline("users", "users", "")));
        SyncPipeline stuck = supervisor.pipelines().get("a");
        try {
            ConfigException e = assertThrows(ConfigException.class, () -> supervisor.apply(config(
                    "a", pipeline("orders", "orders-v2", ""), "b", pipeline("users", "users", ""),
                    "c", pipeline("items", "items", ""))));

            assertTrue(e.getMessage().startsWith("pipelines.a: pipeline(s) [a] did not terminate after their close"),
                    e.getMessage());
            assertSame(stuck, supervisor.pipelines().get("a"));
            assertEquals(List.of("a", "b"), List.copyOf(supervisor.pipelines().keySet()));
            assertEquals(1, supervisor.starts("a"));
            assertEquals(0, supervisor.starts("c"));
            assertEquals(PipelineState.CLOSED, last("a").pipeline().state(), "the replacement was closed unstarted");
            assertEquals(e.getMessage(), supervisor.lastReloadError());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aCloseDuringAnApplyStartsNoReplacement() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        nextSink = blockingSink(entered, release);
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        AtomicReference<Throwable> applyOutcome = new AtomicReference<>();
        Thread applier = new Thread(() -> {
            try {
                supervisor.apply(config("a", pipeline("orders", "orders-v2", ""), "b", pipeline("users", "users-v2", "")));
            } catch (Throwable t) {
                applyOutcome.set(t);
            }
        }, "applier");
        applier.start();
        assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the apply is stopping a");
        Thread closer = new Thread(supervisor::close, "closer");
        closer.start();
        Await.until(WAIT, "close waits for the apply", () -> closer.getState() == Thread.State.BLOCKED);

        release.countDown();
        applier.join(WAIT.toMillis());
        closer.join(WAIT.toMillis());

        assertTrue(applyOutcome.get() instanceof IllegalStateException, String.valueOf(applyOutcome.get()));
        assertEquals(1, supervisor.starts("a"));
        assertEquals(1, supervisor.starts("b"));
        assertEquals(PipelineState.CLOSED, last("a").pipeline().state());
        assertEquals(PipelineState.CLOSED, last("b").pipeline().state());
        assertEquals(2, built.get("b").size(), "b's replacement was built, then closed unstarted");
        assertTrue(supervisor.pipelines().isEmpty(), supervisor.pipelines().toString());
        assertTrue(supervisor.notDrained().isEmpty(), supervisor.notDrained().toString());
    }

    @Test
    void theReplacedPipelineDrainsAndCommitsBeforeItsReplacementStarts() throws Exception {
        supervisor.apply(config("a", pipeline("orders", "orders", "")));
        Built old = last("a");
        SourcePosition lastAppended = null;
        for (int id = 1; id <= 50; id++) {
            lastAppended = old.source().append("p0", Events.insert("shop", "orders", Map.of("id", id, "status", "new")));
        }
        assertTrue(old.source().awaitDelivered(WAIT), "the old pipeline read every record");
        List<String> seenAtStart = new CopyOnWriteArrayList<>();
        supervisor.addListener(new PipelineRegistry.Listener() {
            @Override
            public void started(String name, SyncPipeline pipeline) {
                if (pipeline != old.pipeline()) {
                    // the commit interval is an hour: only the drain commits
                    seenAtStart.add(old.pipeline().state() + " closed=" + old.source().isClosed()
                            + " committed=" + old.source().committed("p0"));
                }
            }

            @Override
            public void stopped(String name, SyncPipeline pipeline) {
            }
        });

        supervisor.apply(config("a", pipeline("orders", "orders-v2", "")));

        assertEquals(List.of("CLOSED closed=true committed=" + lastAppended), seenAtStart);
        assertEquals(50, old.sink().documents().size(), "every record the old pipeline read was written");
    }

    @Test
    void removesAPipelineNoLongerConfiguredAndStartsANewOne() {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        SyncPipeline a = supervisor.pipelines().get("a");

        PipelineSupervisor.Reload reload = supervisor.apply(config("b", pipeline("users", "users", ""),
                "c", pipeline("items", "items", "")));

        assertEquals(List.of("a"), List.copyOf(reload.removed()));
        assertEquals(List.of("c"), List.copyOf(reload.added()));
        assertEquals(PipelineState.CLOSED, a.state());
        assertTrue(last("a").source().isClosed());
        assertEquals(List.of("b", "c"), List.copyOf(supervisor.pipelines().keySet()));
        assertEquals(PipelineState.RUNNING, supervisor.pipelines().get("c").state());
    }

    @Test
    void refusesTheWholeConfigurationWhenOnePipelineCannotBeBuilt() {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        Map<String, SyncPipeline> before = supervisor.pipelines();

        // a's change is fine; b's dead_letter policy without a dead-letter sink is refused by build()
        ConfigException e = assertThrows(ConfigException.class, () -> supervisor.apply(config(
                "a", pipeline("orders", "orders-v2", ""),
                "b", pipeline("users", "users", "\"onRejected\": \"dead_letter\""),
                "c", pipeline("items", "items", ""))));

        assertTrue(e.getMessage().startsWith("pipelines.b: IllegalStateException: onRejected is DEAD_LETTER"), e.getMessage());
        assertEquals(e.getMessage(), supervisor.lastReloadError());
        assertEquals(before, supervisor.pipelines());
        before.values().forEach(p -> assertEquals(PipelineState.RUNNING, p.state()));
        assertEquals(PipelineState.CLOSED, last("a").pipeline().state(), "the replacement built for a was closed");
        assertTrue(last("a").source().isClosed());
        assertEquals(1, supervisor.starts("a"));
        assertEquals(0, supervisor.starts("c"));
    }

    @Test
    void aPipelineNamedOtherwiseThanItsKeyIsRefusedSoMetricsStatusAndAlertsAgreeOnTheName() {
        List<SyncPipeline> made = new CopyOnWriteArrayList<>();
        try (PipelineSupervisor misnaming = new PipelineSupervisor((name, d) -> {
            SyncPipeline p = SyncPipeline.builder().ruleSet(d.rules()).settings(d.settings()).threadName(name + "-worker")
                    .source(new InMemorySource()).sink(new RecordingBulkSink()).build();
            made.add(p);
            return p;
        })) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> misnaming.apply(config("a", pipeline("orders", "orders", ""))));

            assertEquals("pipelines.a: the factory named the pipeline 'a-worker'; it must be named after its key",
                    e.getMessage());
            assertTrue(misnaming.pipelines().isEmpty());
            assertEquals(PipelineState.CLOSED, made.get(0).state(), "the misnamed pipeline was closed");
        }
    }

    @Test
    void aGoodConfigurationAfterARefusedOneIsAppliedAndClearsTheError() {
        supervisor.apply(config("a", pipeline("orders", "orders", "")));
        assertThrows(ConfigException.class,
                () -> supervisor.apply(config("a", pipeline("orders", "orders", "\"onDecodeFailure\": \"dead_letter\""))));

        supervisor.apply(config("a", pipeline("orders", "orders-v2", "")));

        assertNull(supervisor.lastReloadError());
        assertEquals(2, supervisor.starts("a"));
        assertEquals(2, supervisor.appliedConfigurations());
    }

    @Test
    void theSameDefinitionWrittenDifferentlyIsNoChange() {
        supervisor.apply(config("a", "{\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}],"
                + " \"settings\": {\"flushInterval\": \"1s\", \"maxBulkActions\": 500}}"));
        SyncPipeline a = supervisor.pipelines().get("a");

        PipelineSupervisor.Reload reload = supervisor.apply(config("a",
                "{\"settings\": {\"maxBulkActions\": \"500\", \"flushInterval\": \"1000ms\"},"
                + " \"rules\": [{\"index\": \"orders\", \"table\": \"orders\", \"database\": \"shop\"}]}"));

        assertTrue(reload.isEmpty(), reload.toString());
        assertSame(a, supervisor.pipelines().get("a"));
        assertEquals(1, supervisor.starts("a"));
    }

    @Test
    void aFailedPipelineStaysVisibleAndIsRestartedOnlyByAChangedDefinition() throws Exception {
        supervisor.apply(config("a", pipeline("orders", "orders", "")));
        SyncPipeline failed = supervisor.pipelines().get("a");
        last("a").source().appendUndecodable("p0", "not json", "garbage");
        assertTrue(failed.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, failed.state());

        supervisor.apply(config("a", pipeline("orders", "orders", "")));
        assertSame(failed, supervisor.pipelines().get("a"), "an unchanged definition leaves it failed and visible");

        supervisor.apply(config("a", pipeline("orders", "orders", "\"onDecodeFailure\": \"skip\"")));
        assertNotSame(failed, supervisor.pipelines().get("a"));
        assertEquals(PipelineState.RUNNING, supervisor.pipelines().get("a").state());
    }

    @Test
    void listenersHearTheRunningPipelinesWhenAddedAndEveryStopAndStartAfter() {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        List<String> events = new ArrayList<>();
        supervisor.addListener(new PipelineRegistry.Listener() {
            @Override
            public void started(String name, SyncPipeline pipeline) {
                events.add("started " + name + " " + pipeline.state());
            }

            @Override
            public void stopped(String name, SyncPipeline pipeline) {
                events.add("stopped " + name + " " + pipeline.state());
            }
        });

        supervisor.apply(config("a", pipeline("orders", "orders-v2", "")));
        supervisor.close();

        assertEquals(List.of("started a RUNNING", "started b RUNNING",
                "stopped b CLOSED", "stopped a CLOSED", "started a RUNNING", "stopped a CLOSED"), events);
    }

    @Test
    void closeDrainsEveryPipelineAndRefusesLaterConfigurations() throws Exception {
        supervisor.apply(config("a", pipeline("orders", "orders", ""), "b", pipeline("users", "users", "")));
        SourcePosition lastA = last("a").source().append("p0", Events.insert("shop", "orders", Map.of("id", 1)));
        SourcePosition lastB = last("b").source().append("p0", Events.insert("shop", "users", Map.of("id", 2)));
        Await.until(WAIT, "both records read",
                () -> last("a").source().undelivered() == 0 && last("b").source().undelivered() == 0);
        // and taken in: each loop came back to poll after the poll that returned its record (a
        // record still in the poll's hands at close is not written, so rightly not committed)
        for (String name : new String[] {"a", "b"}) {
            assertTrue(last(name).source().awaitPolls(last(name).source().polls() + 2, WAIT), name + " polls");
        }

        supervisor.close();

        assertEquals(lastA, last("a").source().committed("p0"));
        assertEquals(lastB, last("b").source().committed("p0"));
        assertTrue(supervisor.pipelines().isEmpty());
        assertTrue(supervisor.notStopped().isEmpty());
        assertThrows(IllegalStateException.class, () -> supervisor.apply(config("a", pipeline("orders", "orders", ""))));
        assertFalse(last("a").pipeline().state() == PipelineState.RUNNING);
    }
}
