package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.binlogsync.service.ServiceTestBed.ES;
import static dev.binlogsync.service.ServiceTestBed.KAFKA;
import static dev.binlogsync.service.ServiceTestBed.document;
import static dev.binlogsync.service.ServiceTestBed.documents;
import static dev.binlogsync.service.ServiceTestBed.expected;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against the in-process Kafka and Elasticsearch: two pipelines from a watched file,
 * reloaded under a steady stream of Canal messages, and a shutdown that commits.
 */
class ServiceIT {
    private static final Duration WAIT = ServiceTestBed.WAIT;

    @TempDir
    Path dir;

    private ServiceTestBed bed;

    @BeforeEach
    void bed() {
        bed = new ServiceTestBed(dir);
    }

    // -------------------------------------------------------------------- tests

    @Test
    void reloadsUnderLoadLosingNothingAndLeavingTheUntouchedPipelineRunning() throws Exception {
        KAFKA.createTopic(bed.topic("orders"), 2);
        KAFKA.createTopic(bed.topic("users"), 2);
        Path file = bed.write(document("orders", bed.pipelineAlsoCarrying("orders", "", "ledger"),
                "users", bed.pipeline("users", "", "")));
        // every message also inserts a ledger row of its own id through the replaced pipeline: a loss is a missing document
        ServiceTestBed.Producer producer = bed.new Producer("orders", "users").withUniqueInsertsOf("ledger", "orders");
        Thread producing = new Thread(producer, "svc-it-producer");
        try (RestClient es = ES.newClient();
             BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), System.getenv(),
                     PipelineFactory.standard(), BinlogSyncService.Endpoints.NONE)) {
            service.start();
            PipelineSupervisor supervisor = service.supervisor();
            SyncPipeline users = supervisor.pipelines().get("users");
            List<SyncPipeline> ordersInstances = new ArrayList<>(List.of(supervisor.pipelines().get("orders")));
            producing.start();
            producer.awaitProduced(300);

            // orders' rule changes (a constant field); users is untouched
            bed.write(document("orders", bed.pipelineAlsoCarrying("orders", ", \"constants\": {\"rev\": \"2\"}", "ledger"),
                    "users", bed.pipeline("users", "", "")));
            Await.until(WAIT, "orders replaced", () -> supervisor.starts("orders") == 2);
            long afterRev2 = producer.seq();
            SyncPipeline orders2 = supervisor.pipelines().get("orders");
            ordersInstances.add(orders2);
            producer.awaitProduced(300);

            // a bad configuration: the sink of orders has an unknown key; refused, nothing stops
            bed.write(document("orders", bed.pipeline("orders", ", \"constants\": {\"rev\": \"3\"}", ", \"hostz\": 1"),
                    "users", bed.pipeline("users", "", "")));
            String error = Await.value(WAIT, "the bad configuration refused", supervisor::lastReloadError, e -> e != null);
            assertTrue(error.startsWith("pipelines.orders.sink.hostz: unknown key"), error);
            assertSame(orders2, supervisor.pipelines().get("orders"));
            assertEquals(PipelineState.RUNNING, orders2.state());
            producer.awaitProduced(300);

            // a good one
            bed.write(document("orders", bed.pipelineAlsoCarrying("orders", ", \"constants\": {\"rev\": \"3\"}", "ledger"),
                    "users", bed.pipeline("users", "", "")));
            Await.until(WAIT, "orders replaced again", () -> supervisor.starts("orders") == 3);
            long afterRev3 = producer.seq();
            ordersInstances.add(supervisor.pipelines().get("orders"));
            assertNull(supervisor.lastReloadError());
            producer.awaitProduced(300);
            producer.stopAndCheck(producing);

            // users: exactly the last change of every row, nothing else
            Map<String, Map<String, Object>> expectedUsers = expected(producer.last("users"));
            assertTrue(expectedUsers.size() > 20, "rows to check: " + expectedUsers.size());
            Await.until(WAIT, "users in Elasticsearch as last produced",
                    () -> documents(es, bed.index("users")).equals(expectedUsers));
            // orders: the same, plus the rev of the rule that wrote the last change
            Map<String, Map<String, Object>> expectedOrders = expected(producer.last("orders"));
            assertTrue(expectedOrders.size() > 20, "rows to check: " + expectedOrders.size());
            // a change produced after a replacement started can only be written by the new rule
            Await.until(WAIT, "orders in Elasticsearch as last produced", () -> ServiceTestBed.matchesWithRev(
                    documents(es, bed.index("orders")), expectedOrders, seq -> seq > afterRev3 ? Set.of("3")
                            : seq > afterRev2 ? Set.of("2", "3") : new HashSet<>(Arrays.asList(null, "2", "3"))));
            assertTrue(expectedOrders.values().stream().anyMatch(d -> (Long) d.get("seq") > afterRev3),
                    "some orders rows were last changed under the final rule");

            // ledger: every unique insert, produced across both replacements, is in Elasticsearch
            Set<String> ledgerIds = new HashSet<>();
            producer.uniqueIds().forEach(id -> ledgerIds.add(Long.toString(id)));
            assertTrue(ledgerIds.size() > 600, "ledger rows produced: " + ledgerIds.size());
            Await.until(WAIT, "every one of the " + ledgerIds.size() + " ledger inserts in Elasticsearch",
                    () -> documents(es, bed.index("ledger")).keySet().containsAll(ledgerIds));
            Map<String, Map<String, Object>> ledger = documents(es, bed.index("ledger"));
            assertEquals(ledgerIds, ledger.keySet(), "ledger documents are exactly the inserts produced");
            ledgerIds.forEach(id -> assertEquals(Map.of("id", Long.valueOf(id), "name", "unique-" + id, "seq", Long.valueOf(id)),
                    ledger.get(id), "ledger document " + id));
            // at-least-once: the three instances of orders together read every message of its topic
            long produced = producer.sentTo("orders");
            long read = ordersInstances.stream().mapToLong(p -> p.metrics().records()).sum();
            assertTrue(read >= produced, "the orders instances read " + read + " records of the " + produced
                    + " produced to its topic: " + (read - produced) + " duplicates (records read beyond produced)");

            assertEquals(1, supervisor.starts("users"), "users was never restarted");
            assertSame(users, supervisor.pipelines().get("users"));
            assertEquals(PipelineState.RUNNING, users.state());
        } finally {
            if (producing.isAlive()) {
                producer.stopAndCheck(producing);
            }
        }
    }

    @Test
    void theShutdownPathCommitsEverythingItWrote() throws Exception {
        KAFKA.createTopic(bed.topic("users"), 2);
        Path file = bed.write(document("users", bed.pipeline("users", "", "")));
        ServiceTestBed.Producer producer = bed.new Producer("users");
        for (int i = 0; i < 400; i++) {
            producer.produceOne();
        }
        List<Integer> halts = new ArrayList<>();
        try (RestClient es = ES.newClient()) {
            BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), System.getenv(),
                    PipelineFactory.standard(), BinlogSyncService.Endpoints.NONE);
            service.start();
            Map<String, Map<String, Object>> expected = expected(producer.last("users"));
            Await.until(WAIT, "users in Elasticsearch", () -> documents(es, bed.index("users")).equals(expected));
            assertEquals(Map.of(), KAFKA.committedOffsets(bed.group("users")), "the commit interval is an hour: nothing committed yet");

            new ServiceMain.GracefulShutdown(service, halts::add, () -> { }).closeWithinBound();

            assertEquals(List.of(), halts);
            assertEquals(bed.endOffsets("users"), KAFKA.committedOffsets(bed.group("users")));
        }
    }
}
