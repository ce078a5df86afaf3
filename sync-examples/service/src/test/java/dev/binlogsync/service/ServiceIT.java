package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.annotation.Nullable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against the in-process Kafka and Elasticsearch: two pipelines from a watched file,
 * reloaded under a steady stream of Canal messages, and a shutdown that commits.
 */
class ServiceIT {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();
    private static final EmbeddedElasticsearch ES = EmbeddedElasticsearch.shared();

    @TempDir
    Path dir;

    private final String run = Long.toString(System.nanoTime(), 36);

    // ------------------------------------------------------------ configuration

    private String topic(String table) {
        return "svc-" + table + "-" + run;
    }

    private String group(String table) {
        return "svc-" + table + "-" + run;
    }

    private String index(String table) {
        return "svc-" + table + "-" + run;
    }

    /** One pipeline for shop.{table}; {@code ruleExtra} adds keys to its rule, {@code sinkExtra} to its sink. */
    private String pipeline(String table, String ruleExtra, String sinkExtra) {
        return "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"" + KAFKA.bootstrapServers() + "\","
                + " \"groupId\": \"" + group(table) + "\", \"topics\": [\"" + topic(table) + "\"], \"format\": \"canal\"},"
                + " \"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"" + ES.httpUrl() + "\"]" + sinkExtra + "},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"" + table + "\", \"index\": \"" + index(table) + "\"" + ruleExtra + "}],"
                // commits come only from a drain: a replaced or closed pipeline must commit what it wrote
                + " \"settings\": {\"commitInterval\": \"1h\", \"flushInterval\": \"50ms\"}}";
    }

    private static String document(String... entries) {
        StringBuilder b = new StringBuilder("{\"service\": {\"configPollInterval\": \"200ms\", \"shutdownTimeout\": \"60s\"},"
                + " \"pipelines\": {");
        for (int i = 0; i < entries.length; i += 2) {
            b.append(i == 0 ? "" : ", ").append('"').append(entries[i]).append("\": ").append(entries[i + 1]);
        }
        return b.append("}}").toString();
    }

    /** Replaces the file the way editors and ConfigMaps do: a new file renamed over the old. */
    private Path write(String text) throws IOException {
        Path file = dir.resolve("service.json");
        Path tmp = Files.writeString(dir.resolve("service.json.tmp"), text);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ----------------------------------------------------------------- producer

    /** A row's last change: its values, or null when deleted; with the sequence number of that change. */
    private record Last(@Nullable Map<String, Object> row, long seq) {
    }

    /**
     * Writes Canal flat messages for shop.orders and shop.users at a steady rate, keyed to a
     * partition by id, and remembers each row's last change (the expectation, computed here and not
     * through the pipeline's code).
     */
    private final class Producer implements Runnable {
        private final Map<String, Map<Long, Last>> last = new ConcurrentHashMap<>();
        private final AtomicLong seq = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Random random = new Random(42);
        private final List<String> tables;
        @Nullable private volatile Throwable failure;

        Producer(String... tables) {
            this.tables = List.of(tables);
            for (String t : tables) {
                last.put(t, new ConcurrentHashMap<>());
            }
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    produceOne();
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos()); // pacing, not synchronisation
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        void produceOne() {
            String table = tables.get(random.nextInt(tables.size()));
            long id = 1 + random.nextInt(60);
            long n = seq.incrementAndGet();
            Last before = last.get(table).get(id);
            String column = table.equals("orders") ? "status" : "name";
            String value = column + "-" + n;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put(column, value);
            row.put("seq", n);
            byte[] message;
            Last after;
            if (before == null || before.row() == null) {
                message = canal("INSERT", table, column, id, value, n, null);
                after = new Last(row, n);
            } else if (random.nextInt(10) < 8) {
                message = canal("UPDATE", table, column, id, value, n, before.row());
                after = new Last(row, n);
            } else {
                Map<String, Object> old = before.row();
                message = canal("DELETE", table, column, id, (String) old.get(column), (Long) old.get("seq"), null);
                after = new Last(null, n);
            }
            KAFKA.send(topic(table), (int) (id % 2), Long.toString(id).getBytes(StandardCharsets.UTF_8), message, null);
            last.get(table).put(id, after);
        }

        long seq() {
            return seq.get();
        }

        void stopAndCheck(Thread thread) throws InterruptedException {
            stop.set(true);
            thread.join();
            if (failure != null) {
                throw new AssertionError("the producer failed", failure);
            }
        }
    }

    /** A Canal flat message as Canal writes it: values as strings, fields in alphabetical order. */
    private static byte[] canal(String type, String table, String column, long id, String value, long seq,
            @Nullable Map<String, Object> oldRow) {
        String old = oldRow == null ? "null"
                : "[{\"" + column + "\":\"" + oldRow.get(column) + "\",\"seq\":\"" + oldRow.get("seq") + "\"}]";
        return ("{\"data\":[{\"id\":\"" + id + "\",\"" + column + "\":\"" + value + "\",\"seq\":\"" + seq + "\"}],"
                + "\"database\":\"shop\",\"es\":1700000000000,\"id\":" + seq + ",\"isDdl\":false,"
                + "\"mysqlType\":{\"id\":\"bigint(20)\",\"" + column + "\":\"varchar(64)\",\"seq\":\"bigint(20)\"},"
                + "\"old\":" + old + ",\"pkNames\":[\"id\"],\"sql\":\"\","
                + "\"sqlType\":{\"id\":-5,\"" + column + "\":12,\"seq\":-5},\"table\":\"" + table + "\","
                + "\"ts\":1700000000123,\"type\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------ elasticsearch

    /** Every document of {@code index}: id to source, numbers as longs. */
    private static Map<String, Map<String, Object>> documents(RestClient client, String index) {
        try {
            Request exists = new Request("HEAD", "/" + index);
            exists.addParameter(RestClient.IGNORE_RESPONSE_CODES_PARAM, "404");
            if (client.performRequest(exists).getStatusLine().getStatusCode() == 404) {
                return Map.of();
            }
            client.performRequest(new Request("POST", "/" + index + "/_refresh"));
            Request search = new Request("GET", "/" + index + "/_search");
            search.addParameter("size", "10000");
            Response r = client.performRequest(search);
            Map<String, Object> body = JSON.readValue(r.getEntity().getContent(), new TypeReference<Map<String, Object>>() { });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> hits = (List<Map<String, Object>>) ((Map<String, Object>) body.get("hits")).get("hits");
            Map<String, Map<String, Object>> out = new HashMap<>();
            for (Map<String, Object> hit : hits) {
                @SuppressWarnings("unchecked")
                Map<String, Object> source = (Map<String, Object>) hit.get("_source");
                Map<String, Object> normalised = new HashMap<>();
                source.forEach((k, v) -> normalised.put(k, v instanceof Integer i ? Long.valueOf(i) : v));
                out.put((String) hit.get("_id"), normalised);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents {@code last} says should exist: the rows not deleted, by id. */
    private static Map<String, Map<String, Object>> expected(Map<Long, Last> last) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        last.forEach((id, l) -> {
            if (l.row() != null) {
                out.put(Long.toString(id), new HashMap<>(l.row()));
            }
        });
        return out;
    }

    private Map<TopicPartition, Long> endOffsets(String table) {
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("svc-probe-" + run)) {
            return c.endOffsets(List.of(new TopicPartition(topic(table), 0), new TopicPartition(topic(table), 1)));
        }
    }

    // -------------------------------------------------------------------- tests

    @Test
    void reloadsUnderLoadLosingNothingAndLeavingTheUntouchedPipelineRunning() throws Exception {
        KAFKA.createTopic(topic("orders"), 2);
        KAFKA.createTopic(topic("users"), 2);
        Path file = write(document("orders", pipeline("orders", "", ""), "users", pipeline("users", "", "")));
        Producer producer = new Producer("orders", "users");
        Thread producing = new Thread(producer, "svc-it-producer");
        try (RestClient es = ES.newClient();
             BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), System.getenv(),
                     PipelineFactory.standard(), BinlogSyncService.Endpoints.NONE)) {
            service.start();
            PipelineSupervisor supervisor = service.supervisor();
            SyncPipeline users = supervisor.pipelines().get("users");
            producing.start();
            awaitProduced(producer, 300);

            // orders' rule changes (a constant field); users is untouched
            write(document("orders", pipeline("orders", ", \"constants\": {\"rev\": \"2\"}", ""),
                    "users", pipeline("users", "", "")));
            Await.until(WAIT, "orders replaced", () -> supervisor.starts("orders") == 2);
            long afterRev2 = producer.seq();
            SyncPipeline orders2 = supervisor.pipelines().get("orders");
            awaitProduced(producer, 300);

            // a bad configuration: the sink of orders has an unknown key; refused, nothing stops
            write(document("orders", pipeline("orders", ", \"constants\": {\"rev\": \"3\"}", ", \"hostz\": 1"),
                    "users", pipeline("users", "", "")));
            String error = Await.value(WAIT, "the bad configuration refused", supervisor::lastReloadError, e -> e != null);
            assertTrue(error.startsWith("pipelines.orders.sink.hostz: unknown key"), error);
            assertSame(orders2, supervisor.pipelines().get("orders"));
            assertEquals(PipelineState.RUNNING, orders2.state());
            awaitProduced(producer, 300);

            // a good one
            write(document("orders", pipeline("orders", ", \"constants\": {\"rev\": \"3\"}", ""),
                    "users", pipeline("users", "", "")));
            Await.until(WAIT, "orders replaced again", () -> supervisor.starts("orders") == 3);
            long afterRev3 = producer.seq();
            assertNull(supervisor.lastReloadError());
            awaitProduced(producer, 300);
            producer.stopAndCheck(producing);

            // users: exactly the last change of every row, nothing else
            Map<String, Map<String, Object>> expectedUsers = expected(producer.last.get("users"));
            assertTrue(expectedUsers.size() > 20, "rows to check: " + expectedUsers.size());
            Await.until(WAIT, "users in Elasticsearch as last produced",
                    () -> documents(es, index("users")).equals(expectedUsers));
            // orders: the same, plus the rev of the rule that wrote the last change
            Map<String, Map<String, Object>> expectedOrders = expected(producer.last.get("orders"));
            assertTrue(expectedOrders.size() > 20, "rows to check: " + expectedOrders.size());
            Await.until(WAIT, "orders in Elasticsearch as last produced", () -> {
                Map<String, Map<String, Object>> actual = documents(es, index("orders"));
                if (!actual.keySet().equals(expectedOrders.keySet())) {
                    return false;
                }
                for (Map.Entry<String, Map<String, Object>> e : expectedOrders.entrySet()) {
                    Map<String, Object> doc = new HashMap<>(actual.get(e.getKey()));
                    Object rev = doc.remove("rev");
                    long seq = (Long) e.getValue().get("seq");
                    // a change produced after a replacement started can only be written by the new rule
                    Set<Object> allowed = seq > afterRev3 ? Set.of("3") : seq > afterRev2 ? Set.of("2", "3")
                            : new HashSet<>(Arrays.asList(null, "2", "3"));
                    if (!doc.equals(e.getValue()) || !allowed.contains(rev)) {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(expectedOrders.values().stream().anyMatch(d -> (Long) d.get("seq") > afterRev3),
                    "some orders rows were last changed under the final rule");

            assertEquals(1, supervisor.starts("users"), "users was never restarted");
            assertSame(users, supervisor.pipelines().get("users"));
            assertEquals(PipelineState.RUNNING, users.state());
        } finally {
            if (producing.isAlive()) {
                producer.stopAndCheck(producing);
            }
        }
    }

    private static void awaitProduced(Producer producer, long more) {
        long target = producer.seq() + more;
        Await.until(WAIT, "the producer wrote " + more + " more messages", () -> producer.seq() >= target);
    }

    @Test
    void theShutdownPathCommitsEverythingItWrote() throws Exception {
        KAFKA.createTopic(topic("users"), 2);
        Path file = write(document("users", pipeline("users", "", "")));
        Producer producer = new Producer("users");
        for (int i = 0; i < 400; i++) {
            producer.produceOne();
        }
        List<Integer> halts = new ArrayList<>();
        try (RestClient es = ES.newClient()) {
            BinlogSyncService service = new BinlogSyncService(new FileConfigSource(file), System.getenv(),
                    PipelineFactory.standard(), BinlogSyncService.Endpoints.NONE);
            service.start();
            Map<String, Map<String, Object>> expected = expected(producer.last.get("users"));
            Await.until(WAIT, "users in Elasticsearch", () -> documents(es, index("users")).equals(expected));
            assertEquals(Map.of(), KAFKA.committedOffsets(group("users")), "the commit interval is an hour: nothing committed yet");

            new ServiceMain.GracefulShutdown(service, halts::add, () -> { }).closeWithinBound();

            assertEquals(List.of(), halts);
            assertEquals(endOffsets("users"), KAFKA.committedOffsets(group("users")));
        }
    }
}
