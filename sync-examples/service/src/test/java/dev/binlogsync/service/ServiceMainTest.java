package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ServiceMainTest {

    private static ConfigSource parse(Map<String, String> env, String... args) {
        return ServiceMain.parseArguments(args, env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static String usageError(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), args)).getMessage();
    }

    @Test
    void configNamesAWatchedFile() {
        ConfigSource s = parse(Map.of(), "--config", "/etc/binlog-sync/service.json");
        assertInstanceOf(FileConfigSource.class, s);
        assertEquals("file /etc/binlog-sync/service.json", s.describe());
    }

    @Test
    void configEnvNamesAVariable() {
        ConfigSource s = parse(Map.of(), "--config-env", "BINLOG_SYNC_CONFIG");
        assertEquals("environment variable BINLOG_SYNC_CONFIG", s.describe());
    }

    @Test
    void configUrlNamesAConfigurationCenterWithATokenFromTheEnvironment() {
        ConfigSource s = parse(Map.of("TOKEN", "t"), "--config-url", "https://config.example/sync?key=k",
                "--config-url-token-env", "TOKEN", "--config-url-timeout", "3s");
        assertEquals("configuration center https://config.example/sync?****", s.describe());
    }

    @Test
    void helpPrintsTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertNull(ServiceMain.parseArguments(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: java -jar sync-service.jar"));
    }

    @Test
    void rejectsBadArguments() {
        assertEquals("no configuration given: use --config, --config-env or --config-url", usageError());
        assertEquals("give only one of --config, --config-env and --config-url", usageError("--config", "a.json", "--config-env", "X"));
        assertEquals("unknown argument: --confg", usageError("--confg", "a.json"));
        assertEquals("--config needs a value", usageError("--config"));
        assertEquals("--config-url-token-env needs --config-url", usageError("--config", "a.json", "--config-url-token-env", "T"));
        assertEquals("environment variable T (--config-url-token-env) is not set",
                usageError("--config-url", "https://c/x", "--config-url-token-env", "T"));
        assertEquals("--config-url-timeout must be > 0: 0s", usageError("--config-url", "https://c/x", "--config-url-timeout", "0s"));
        assertEquals("--config-url is not a valid URL", usageError("--config-url", "https://u:p w@c/x"));
    }

    // ----------------------------------------------------------------- shutdown

    private final List<InMemorySource> sources = new CopyOnWriteArrayList<>();
    private final List<RecordingBulkSink> sinks = new CopyOnWriteArrayList<>();
    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final List<String> exits = new CopyOnWriteArrayList<>();

    private BinlogSyncService service(String shutdownTimeout, boolean holdBulks) throws Exception {
        String json = "{\"service\": {\"shutdownTimeout\": \"" + shutdownTimeout + "\", \"configPollInterval\": \"1h\"},"
                + " \"pipelines\": {\"orders\": {\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}],"
                + " \"settings\": {\"commitInterval\": \"1h\", \"drainTimeout\": \"20s\"}}}}";
        BinlogSyncService s = new BinlogSyncService(new EnvConfigSource("C", Map.of("C", json)), Map.of(), (name, d) -> {
            InMemorySource source = new InMemorySource();
            RecordingBulkSink sink = new RecordingBulkSink().manual(holdBulks);
            sources.add(source);
            sinks.add(sink);
            return SyncPipeline.builder().ruleSet(d.rules()).settings(d.settings()).threadName(name)
                    .source(source).sink(sink).build();
        }, BinlogSyncService.Endpoints.NONE);
        s.start();
        return s;
    }

    @Test
    void shutdownClosesTheServiceWithinItsBoundAndCommits() throws Exception {
        BinlogSyncService s = service("30s", false);
        var position = sources.get(0).append("p0", Events.insert("shop", "orders", Map.of("id", 1)));
        assertTrue(sources.get(0).awaitDelivered(Duration.ofSeconds(30)));
        ServiceMain.GracefulShutdown shutdown = new ServiceMain.GracefulShutdown(s, halts::add, () -> exits.add("exit"));

        shutdown.closeWithinBound();

        assertEquals(List.of(), halts);
        assertEquals(position, sources.get(0).committed("p0"));
        assertTrue(sources.get(0).isClosed());
    }

    @Test
    void shutdownHaltsWithStatusOneWhenTheBoundPasses() throws Exception {
        BinlogSyncService s = service("100ms", true); // the sink holds every bulk: the drain cannot finish
        sources.get(0).append("p0", Events.insert("shop", "orders", Map.of("id", 1)));
        Await.until(Duration.ofSeconds(30), "a bulk in flight",
                () -> !sinks.get(0).pending().isEmpty());
        ServiceMain.GracefulShutdown shutdown = new ServiceMain.GracefulShutdown(s, halts::add, () -> exits.add("exit"));

        shutdown.closeWithinBound();

        assertEquals(List.of(1), halts);
        assertEquals(PipelineState.RUNNING, s.supervisor().pipelines().get("orders").state());
        sinks.get(0).pending().forEach(RecordingBulkSink.Request::complete); // let the drain end
        Await.until(Duration.ofSeconds(30), "the drain ended",
                () -> s.supervisor().pipelines().isEmpty());
    }

    @Test
    void shutdownExitsWithStatusOneWhenAPipelineWasNotDrained() throws Exception {
        String json = "{\"service\": {\"shutdownTimeout\": \"60s\", \"configPollInterval\": \"1h\"},"
                + " \"pipelines\": {\"orders\": {\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}],"
                + " \"settings\": {\"drainTimeout\": \"100ms\"}}}}";
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.binlogsync.core.BulkSink neverCloses = new dev.binlogsync.core.BulkSink() {
            @Override
            public java.util.concurrent.CompletionStage<List<dev.binlogsync.core.ItemResult>> execute(
                    List<dev.binlogsync.core.DocumentAction> actions) {
                return new java.util.concurrent.CompletableFuture<>();
            }

            @Override
            public void close() {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        BinlogSyncService s = new BinlogSyncService(new EnvConfigSource("C", Map.of("C", json)), Map.of(),
                (name, d) -> SyncPipeline.builder().ruleSet(d.rules()).settings(d.settings()).threadName(name)
                        .source(new InMemorySource()).sink(neverCloses).build(), BinlogSyncService.Endpoints.NONE);
        s.start();
        try {
            new ServiceMain.GracefulShutdown(s, halts::add, () -> exits.add("exit")).closeWithinBound();

            assertEquals(List.of(1), halts);
            assertEquals(java.util.Set.of("orders"), s.supervisor().notDrained());
        } finally {
            release.countDown();
        }
    }

    @Test
    void theFirstSignalExitsAndTheSecondHalts() throws Exception {
        BinlogSyncService s = service("30s", false);
        ServiceMain.GracefulShutdown shutdown = new ServiceMain.GracefulShutdown(s, halts::add, () -> exits.add("exit"));

        shutdown.signal("SIGTERM");
        Await.until(Duration.ofSeconds(30), "exit requested", () -> exits.size() == 1);
        assertEquals(List.of(), halts);

        shutdown.signal("SIGTERM");
        assertEquals(List.of(2), halts);
        s.close();
    }

    @Test
    void httpExchangeBoundsAreSetUnlessTheUserGaveThem() {
        String req = System.getProperty("sun.net.httpserver.maxReqTime");
        String rsp = System.getProperty("sun.net.httpserver.maxRspTime");
        try {
            System.clearProperty("sun.net.httpserver.maxReqTime");
            System.setProperty("sun.net.httpserver.maxRspTime", "7");

            ServiceMain.boundHttpExchanges();

            assertEquals("30", System.getProperty("sun.net.httpserver.maxReqTime"));
            assertEquals("7", System.getProperty("sun.net.httpserver.maxRspTime"), "the user's value stays");
        } finally {
            restore("sun.net.httpserver.maxReqTime", req);
            restore("sun.net.httpserver.maxRspTime", rsp);
        }
    }

    @Test
    void aConfigurationUrlTakesBasicCredentialsFromTheEnvironment() {
        ConfigSource source = parse(Map.of("BINLOG_SYNC_CONFIG_USER", "reader", "BINLOG_SYNC_CONFIG_PASSWORD", "pw"),
                "--config-url", "https://center.example/sync.json");

        assertTrue(source instanceof HttpConfigSource, String.valueOf(source));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(
                Map.of("BINLOG_SYNC_CONFIG_USER", "reader"), "--config-url", "https://center.example/sync.json"));
        assertEquals("BINLOG_SYNC_CONFIG_USER is set but BINLOG_SYNC_CONFIG_PASSWORD is not", e.getMessage());
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
