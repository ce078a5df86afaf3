package dev.binlogsync.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import javax.annotation.Nullable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/**
 * What the service's integration tests share: the in-process Kafka and Elasticsearch, service
 * configuration files with one pipeline per shop table (Canal messages on a topic of their own, two
 * partitions, documents in an index of their own), a producer of Canal changes that remembers each
 * row's last change (the expectation, computed here and not through the pipeline's code), and
 * readers of Elasticsearch and of Kafka's end offsets. Names carry a per-instance run id, so tests
 * sharing the servers do not meet.
 */
public final class ServiceTestBed {
    /** How long a test waits for the servers. */
    public static final Duration WAIT = Duration.ofMinutes(3);
    /** The in-process Kafka, shared by the tests of the JVM. */
    public static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();
    /** The in-process Elasticsearch, shared by the tests of the JVM. */
    public static final EmbeddedElasticsearch ES = EmbeddedElasticsearch.shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String run = Long.toString(System.nanoTime(), 36);

    /** @param dir where the configuration file is written */
    public ServiceTestBed(Path dir) {
        this.dir = dir;
    }

    // ------------------------------------------------------------ configuration

    /** The topic of {@code table}'s pipeline. */
    public String topic(String table) {
        return "svc-" + table + "-" + run;
    }

    /** The consumer group of {@code table}'s pipeline. */
    public String group(String table) {
        return "svc-" + table + "-" + run;
    }

    /** The index of {@code table}'s documents. */
    public String index(String table) {
        return "svc-" + table + "-" + run;
    }

    /** The heartbeat index of the pipeline for {@code table}. */
    public String heartbeatIndex(String table) {
        return "svc-hb-" + table + "-" + run;
    }

    /** One pipeline for shop.{table}; {@code ruleExtra} adds keys to its rule, {@code sinkExtra} to its sink. */
    public String pipeline(String table, String ruleExtra, String sinkExtra) {
        return pipeline(table, ruleExtra, sinkExtra, false);
    }

    /**
     * One pipeline for shop.{table} that also carries shop.heartbeat rows (Canal messages on the
     * same topic, see {@link #heartbeat}) into {@link #heartbeatIndex}, with a {@code heartbeat}
     * object naming that index.
     */
    public String pipelineWithHeartbeat(String table, String ruleExtra) {
        return pipeline(table, ruleExtra, "", true);
    }

    /**
     * One pipeline for shop.{table} that also carries shop.{alsoTable} (Canal messages on the same
     * topic, see {@link Producer#withUniqueInsertsOf}) into {@code index(alsoTable)}.
     */
    public String pipelineAlsoCarrying(String table, String ruleExtra, String alsoTable) {
        String p = pipeline(table, ruleExtra, "", false);
        String marker = "}], \"settings\"";
        int at = p.indexOf(marker);
        return p.substring(0, at) + "}, {\"database\": \"shop\", \"table\": \"" + alsoTable + "\", \"index\": \""
                + index(alsoTable) + "\"}" + p.substring(at + 1);
    }

    private String pipeline(String table, String ruleExtra, String sinkExtra, boolean heartbeat) {
        return "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": \"" + KAFKA.bootstrapServers() + "\","
                + " \"groupId\": \"" + group(table) + "\", \"topics\": [\"" + topic(table) + "\"], \"format\": \"canal\"},"
                + " \"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"" + ES.httpUrl() + "\"]" + sinkExtra + "},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"" + table + "\", \"index\": \"" + index(table) + "\""
                + ruleExtra + "}"
                + (heartbeat ? ", {\"database\": \"shop\", \"table\": \"heartbeat\", \"index\": \"" + heartbeatIndex(table)
                        + "\"}" : "") + "],"
                + (heartbeat ? " \"heartbeat\": {\"index\": \"" + heartbeatIndex(table) + "\"}," : "")
                // commits come only from a drain: a replaced or closed pipeline must commit what it wrote
                + " \"settings\": {\"commitInterval\": \"1h\", \"flushInterval\": \"50ms\"}}";
    }

    /** A service document: a short poll interval and a long shutdown bound, and the pipelines given as name, definition. */
    public static String document(String... entries) {
        return documentWithService("{\"configPollInterval\": \"200ms\", \"shutdownTimeout\": \"60s\"}", entries);
    }

    /** A service document with the {@code service} section given, and the pipelines given as name, definition. */
    public static String documentWithService(String service, String... entries) {
        StringBuilder b = new StringBuilder("{\"service\": " + service + ", \"pipelines\": {");
        for (int i = 0; i < entries.length; i += 2) {
            b.append(i == 0 ? "" : ", ").append('"').append(entries[i]).append("\": ").append(entries[i + 1]);
        }
        return b.append("}}").toString();
    }

    /** Replaces the file the way editors and ConfigMaps do: a new file renamed over the old. */
    public Path write(String text) throws IOException {
        Path file = dir.resolve("service.json");
        Path tmp = Files.writeString(dir.resolve("service.json.tmp"), text);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ----------------------------------------------------------------- producer

    /** A row's last change: its values, or null when deleted; with the sequence number of that change. */
    public record Last(@Nullable Map<String, Object> row, long seq) {
    }

    /**
     * Writes Canal flat messages for shop.{tables} at a steady rate (when run on a thread), keyed to
     * a partition by id, and remembers each row's last change.
     */
    public final class Producer implements Runnable {
        private final Map<String, Map<Long, Last>> last = new ConcurrentHashMap<>();
        private final AtomicLong seq = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Random random = new Random(42);
        private final List<String> tables;
        private final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        private final Set<Long> uniqueIds = ConcurrentHashMap.newKeySet();
        @Nullable private volatile String uniqueTable;
        @Nullable private volatile String uniqueTopicOf;
        private final AtomicLong uniqueSeq = new AtomicLong();
        @Nullable private volatile Throwable failure;

        public Producer(String... tables) {
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

        /**
         * With each change, also inserts a new row (a unique id, never changed again) into
         * shop.{table}, on the topic of {@code topicOf}'s pipeline: a lost message shows as a
         * missing document.
         */
        public Producer withUniqueInsertsOf(String table, String topicOf) {
            uniqueTable = table;
            uniqueTopicOf = topicOf;
            return this;
        }

        /** Produces one change of a random row of a random table (and a unique insert, if asked). */
        public void produceOne() {
            String unique = uniqueTable;
            String uniqueTopic = uniqueTopicOf;
            if (unique != null && uniqueTopic != null) {
                long id = uniqueSeq.incrementAndGet();
                KAFKA.send(topic(uniqueTopic), (int) (id % 2), Long.toString(id).getBytes(StandardCharsets.UTF_8),
                        canal("INSERT", unique, "name", id, "unique-" + id, id, null), null);
                uniqueIds.add(id);
                sent.computeIfAbsent(uniqueTopic, t -> new AtomicLong()).incrementAndGet();
            }
            produceChange();
        }

        /** The ids of the unique inserts produced. */
        public Set<Long> uniqueIds() {
            return Set.copyOf(uniqueIds);
        }

        /** How many messages were sent to the topic of {@code table}'s pipeline. */
        public long sentTo(String table) {
            AtomicLong n = sent.get(table);
            return n == null ? 0 : n.get();
        }

        private void produceChange() {
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
            sent.computeIfAbsent(table, t -> new AtomicLong()).incrementAndGet();
            last.get(table).put(id, after);
        }

        /** The sequence number of the last change produced. */
        public long seq() {
            return seq.get();
        }

        /** Each row's last change of {@code table}, by id. */
        public Map<Long, Last> last(String table) {
            return last.get(table);
        }

        /** Waits until {@code more} changes were produced after this call. */
        public void awaitProduced(long more) {
            long target = seq() + more;
            Await.until(WAIT, "the producer wrote " + more + " more messages", () -> seq() >= target);
        }

        /** Stops the producing thread, waits for it, and fails if it failed. */
        public void stopAndCheck(Thread thread) throws InterruptedException {
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

    /**
     * A Canal flat message inserting one row into shop.{table} with a varchar key column and a
     * bigint column; values as Canal writes them (strings).
     */
    public static byte[] canalInsert(String table, String keyColumn, String key, String column, String value,
            long eventMillis) {
        return ("{\"data\":[{\"" + keyColumn + "\":\"" + key + "\",\"" + column + "\":\"" + value + "\"}],"
                + "\"database\":\"shop\",\"es\":" + eventMillis + ",\"id\":1,\"isDdl\":false,"
                + "\"mysqlType\":{\"" + keyColumn + "\":\"varchar(32)\",\"" + column + "\":\"bigint(20)\"},"
                + "\"old\":null,\"pkNames\":[\"" + keyColumn + "\"],\"sql\":\"\","
                + "\"sqlType\":{\"" + keyColumn + "\":12,\"" + column + "\":-5},\"table\":\"" + table + "\","
                + "\"ts\":" + eventMillis + ",\"type\":\"INSERT\"}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes one heartbeat row (shop.heartbeat, key {@code source}, {@code beat_ms} now) to partition
     * 0 of the topic of {@code table}'s pipeline.
     */
    public void heartbeat(String table) {
        long now = System.currentTimeMillis();
        KAFKA.send(topic(table), 0, "hb".getBytes(StandardCharsets.UTF_8),
                canalInsert("heartbeat", "source", "svc", "beat_ms", Long.toString(now), now), null);
    }

    // ------------------------------------------------------------ elasticsearch

    /** Every document of {@code index}: id to source, numbers as longs. */
    public static Map<String, Map<String, Object>> documents(RestClient client, String index) {
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
    public static Map<String, Map<String, Object>> expected(Map<Long, Last> last) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        last.forEach((id, l) -> {
            if (l.row() != null) {
                out.put(Long.toString(id), new HashMap<>(l.row()));
            }
        });
        return out;
    }

    /**
     * Whether {@code actual} holds exactly the documents of {@code expected}, each with a
     * {@code rev} field (a rule's constant; absent is null) among those {@code allowedRev} allows
     * for the document's {@code seq}.
     */
    public static boolean matchesWithRev(Map<String, Map<String, Object>> actual,
            Map<String, Map<String, Object>> expected, LongFunction<Set<Object>> allowedRev) {
        if (!actual.keySet().equals(expected.keySet())) {
            return false;
        }
        for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
            Map<String, Object> doc = new HashMap<>(actual.get(e.getKey()));
            Object rev = doc.remove("rev");
            if (!doc.equals(e.getValue()) || !allowedRev.apply((Long) e.getValue().get("seq")).contains(rev)) {
                return false;
            }
        }
        return true;
    }

    /** The end offsets of both partitions of {@code table}'s topic. */
    public Map<TopicPartition, Long> endOffsets(String table) {
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("svc-probe-" + run)) {
            return c.endOffsets(List.of(new TopicPartition(topic(table), 0), new TopicPartition(topic(table), 1)));
        }
    }
}
