package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service over a watched file, with pipelines on sync-core's fakes. */
class BinlogSyncServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<InMemorySource> sources = new CopyOnWriteArrayList<>();
    private BinlogSyncService service;

    private SyncPipeline fake(String name, PipelineDefinition definition) {
        InMemorySource source = new InMemorySource();
        sources.add(source);
        return SyncPipeline.builder().ruleSet(definition.rules()).settings(definition.settings()).threadName(name)
                .source(source).sink(new RecordingBulkSink()).build();
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    private static String document(String pollInterval, String ordersIndex) {
        return "{\"service\": {\"configPollInterval\": \"" + pollInterval + "\"}, \"pipelines\": {"
                + "\"orders\": {\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"" + ordersIndex + "\"}]},"
                + "\"users\": {\"rules\": [{\"database\": \"shop\", \"table\": \"users\", \"index\": \"users\"}]}}}";
    }

    private Path write(String text) throws Exception {
        Path file = dir.resolve("service.json");
        Path tmp = Files.writeString(dir.resolve("service.json.tmp"), text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private BinlogSyncService service(Path file, BinlogSyncService.Endpoints endpoints) {
        service = new BinlogSyncService(new FileConfigSource(file), Map.of(), this::fake, endpoints);
        return service;
    }

    @Test
    void startsThePipelinesAndTheEndpointsOverTheRegistry() throws Exception {
        AtomicReference<PipelineRegistry> seen = new AtomicReference<>();
        AtomicBoolean endpointsClosed = new AtomicBoolean();
        BinlogSyncService s = service(write(document("1h", "orders")), started -> {
            seen.set(started.registry());
            assertEquals(Duration.ofHours(1), started.currentConfig().configPollInterval());
            return () -> endpointsClosed.set(true);
        });

        s.start();

        assertSame(s.registry(), seen.get());
        assertEquals(s.supervisor().pipelines(), seen.get().pipelines());
        assertEquals(List.of("orders", "users"), List.copyOf(s.supervisor().pipelines().keySet()));
        s.close();
        assertTrue(endpointsClosed.get());
        sources.forEach(src -> assertTrue(src.isClosed()));
    }

    @Test
    void aPollAppliesAChangedFileAndRefusesABadOneKeepingTheRunningPipelines() throws Exception {
        Path file = write(document("1h", "orders"));
        BinlogSyncService s = service(file, BinlogSyncService.Endpoints.NONE);
        s.start();
        SyncPipeline users = s.supervisor().pipelines().get("users");
        SyncPipeline orders = s.supervisor().pipelines().get("orders");

        assertEquals(BinlogSyncService.PollResult.UNCHANGED, s.poll());

        write(document("1h", "Not An Index"));
        assertEquals(BinlogSyncService.PollResult.UNCHANGED, s.poll(), "seen once, not yet stable");
        assertEquals(BinlogSyncService.PollResult.REFUSED, s.poll());
        assertTrue(s.supervisor().lastReloadError().startsWith("pipelines.orders.rules[0].index: "),
                s.supervisor().lastReloadError());
        assertSame(orders, s.supervisor().pipelines().get("orders"));
        assertEquals(PipelineState.RUNNING, orders.state());

        write(document("1h", "orders-v2"));
        assertEquals(BinlogSyncService.PollResult.UNCHANGED, s.poll(), "seen once, not yet stable");
        assertEquals(BinlogSyncService.PollResult.APPLIED, s.poll());
        assertNull(s.supervisor().lastReloadError());
        assertNotSame(orders, s.supervisor().pipelines().get("orders"));
        assertSame(users, s.supervisor().pipelines().get("users"));
        assertEquals(1, s.supervisor().starts("users"));
    }

    @Test
    void theRegistryTellsTheConfigurationSourceAndEachReloadsTimeResultChangesAndError() throws Exception {
        Path file = write(document("1h", "orders"));
        BinlogSyncService s = service(file, BinlogSyncService.Endpoints.NONE);
        assertEquals("file " + file, s.registry().serviceStatus().configSource());
        s.start();

        ServiceStatus first = s.registry().serviceStatus();
        assertEquals(BinlogSyncService.PollResult.APPLIED, first.lastReloadResult());
        assertEquals(List.of("orders", "users"), List.copyOf(first.lastReload().added()));
        assertNotNull(first.lastReloadAt());
        assertNull(first.lastReloadError());
        assertEquals(1, first.appliedConfigurations());

        write(document("1h", "Not An Index"));
        s.poll();
        s.poll();
        ServiceStatus refused = s.registry().serviceStatus();
        assertEquals(BinlogSyncService.PollResult.REFUSED, refused.lastReloadResult());
        assertEquals(s.supervisor().lastReloadError(), refused.lastReloadError());
        assertNotNull(refused.lastReloadErrorAt());
        assertEquals(first.lastReload(), refused.lastReload(), "the last applied changes stay");

        Files.delete(file);
        s.poll();
        ServiceStatus unreadable = s.registry().serviceStatus();
        assertEquals(BinlogSyncService.PollResult.UNREADABLE, unreadable.lastReloadResult());
        assertTrue(unreadable.lastReloadError().startsWith("cannot read the configuration from "),
                unreadable.lastReloadError());

        write(document("1h", "orders-v2"));
        s.poll();
        s.poll();
        ServiceStatus applied = s.registry().serviceStatus();
        assertEquals(BinlogSyncService.PollResult.APPLIED, applied.lastReloadResult());
        assertEquals(List.of("orders"), List.copyOf(applied.lastReload().replaced()));
        assertTrue(applied.lastReload().added().isEmpty() && applied.lastReload().removed().isEmpty());
        assertNull(applied.lastReloadError());
        assertNull(applied.lastReloadErrorAt());
        assertEquals(2, applied.appliedConfigurations());
    }

    @Test
    void anUnreadableFileKeepsTheRunningConfiguration() throws Exception {
        Path file = write(document("1h", "orders"));
        BinlogSyncService s = service(file, BinlogSyncService.Endpoints.NONE);
        s.start();
        Files.delete(file);

        assertEquals(BinlogSyncService.PollResult.UNREADABLE, s.poll());
        assertEquals(2, s.supervisor().pipelines().size());
    }

    @Test
    void thePollThreadPicksUpAChangedFile() throws Exception {
        Path file = write(document("50ms", "orders"));
        BinlogSyncService s = service(file, BinlogSyncService.Endpoints.NONE);
        s.start();

        write(document("50ms", "orders-v2"));

        Await.until(WAIT, "the changed file applied", () -> s.supervisor().starts("orders") == 2);
        assertEquals(1, s.supervisor().starts("users"));
    }

    @Test
    void anInvalidFirstConfigurationFailsTheStartAndRunsNothing() throws Exception {
        BinlogSyncService s = service(write("{\"pipelines\": {}}"), BinlogSyncService.Endpoints.NONE);

        ConfigException e = assertThrows(ConfigException.class, s::start);

        assertEquals("pipelines: must name at least one pipeline", e.getMessage());
        assertTrue(s.supervisor().pipelines().isEmpty());
    }

    @Test
    void endpointsThatCannotStartFailTheStartAndStopThePipelines() throws Exception {
        BinlogSyncService s = service(write(document("1h", "orders")), started -> {
            throw new BindException("Address already in use");
        });

        assertThrows(BindException.class, s::start);

        assertEquals(2, sources.size());
        sources.forEach(src -> assertTrue(src.isClosed()));
    }

    /** A started configuration center on loopback serving {@code body} with {@code status}. */
    private static HttpServer center(java.util.function.Supplier<String> body, AtomicInteger status) throws IOException {
        HttpServer center = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        center.createContext("/", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        center.start();
        return center;
    }

    /** Starts the test's service polling {@code center} for its configuration (closed after the test). */
    private BinlogSyncService serviceOf(HttpServer center) throws Exception {
        service = new BinlogSyncService(new HttpConfigSource(URI.create("http://127.0.0.1:"
                + center.getAddress().getPort() + "/sync.json"), Duration.ofSeconds(10), null), Map.of(), this::fake,
                BinlogSyncService.Endpoints.NONE);
        service.start();
        return service;
    }

    @Test
    void aConfigurationCenterIsPolledAndAFailedPollKeepsTheRunningConfiguration() throws Exception {
        AtomicReference<String> served = new AtomicReference<>(document("1h", "orders"));
        AtomicInteger status = new AtomicInteger(200);
        HttpServer center = center(served::get, status);
        try {
            serviceOf(center);
            SyncPipeline orders = service.supervisor().pipelines().get("orders");

            status.set(503);
            assertEquals(BinlogSyncService.PollResult.UNREADABLE, service.poll());
            assertSame(orders, service.supervisor().pipelines().get("orders"));

            status.set(200);
            served.set(document("1h", "orders-v2"));
            assertEquals(BinlogSyncService.PollResult.APPLIED, service.poll());
            assertNotSame(orders, service.supervisor().pipelines().get("orders"));
            assertEquals(BinlogSyncService.PollResult.UNCHANGED, service.poll());
        } finally {
            center.stop(0);
        }
    }

    @Test
    void theSameDocumentReadableAgainAfterAFailedReadClearsTheReadError() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer center = center(() -> document("1h", "orders"), status);
        try {
            serviceOf(center);
            status.set(503);
            assertEquals(BinlogSyncService.PollResult.UNREADABLE, service.poll());
            assertEquals(BinlogSyncService.PollResult.UNREADABLE, service.registry().serviceStatus().lastReloadResult());

            status.set(200);
            assertEquals(BinlogSyncService.PollResult.UNCHANGED, service.poll());

            ServiceStatus after = service.registry().serviceStatus();
            assertEquals(BinlogSyncService.PollResult.UNCHANGED, after.lastReloadResult());
            assertNull(after.lastReloadError());
            assertNull(after.lastReloadErrorAt());
        } finally {
            center.stop(0);
        }
    }

    @Test
    void aDocumentRefusedBecauseAPipelineCouldNotBeBuiltIsTriedAgainAtTheNextPoll() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(0);
        Path file = write(document("1h", "orders"));
        service = new BinlogSyncService(new FileConfigSource(file), Map.of(), (name, d) -> {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("cannot resolve host dlq-kafka"); // a passing failure
            }
            return fake(name, d);
        }, BinlogSyncService.Endpoints.NONE);
        service.start();
        write(document("1h", "orders-v2"));
        assertEquals(BinlogSyncService.PollResult.UNCHANGED, service.poll(), "seen once, not yet stable");
        failuresLeft.set(1);

        assertEquals(BinlogSyncService.PollResult.REFUSED, service.poll());
        assertEquals(1, service.supervisor().starts("orders"));

        assertEquals(BinlogSyncService.PollResult.APPLIED, service.poll(), "the same document, tried again");
        assertEquals(2, service.supervisor().starts("orders"));
        assertEquals(BinlogSyncService.PollResult.UNCHANGED, service.poll());
    }

    @Test
    void theFirstReadOfAnEnvironmentVariableStartsTheService() throws Exception {
        service = new BinlogSyncService(new EnvConfigSource("CFG", Map.of("CFG", document("1h", "orders"))), Map.of(),
                this::fake, BinlogSyncService.Endpoints.NONE);

        service.start();

        assertNotNull(service.currentConfig());
        assertEquals(2, service.supervisor().pipelines().size());
        assertEquals(BinlogSyncService.PollResult.UNCHANGED, service.poll());
    }
}
