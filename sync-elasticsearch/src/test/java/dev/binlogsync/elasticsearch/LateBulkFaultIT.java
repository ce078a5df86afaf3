package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.FaultProxy;
import dev.binlogsync.testing.FaultProxy.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/**
 * A bulk the client gave up on (socket timeout, 502/504 from a proxy, connection reset after
 * sending) may still be applied by the node later. Through {@link FaultProxy} as one of two hosts
 * (the node itself is the other), such late originals must never overwrite a newer write of the
 * same document: the index ends equal to the changes' final state, computed here from the
 * generated changes alone.
 */
class LateBulkFaultIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String INDEX = "late-bulk";
    private static final String PARTITION = "rows-0";
    private static final int DOCS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random;
    private final long seed;
    /** The expected final state, from the generated changes: id -> row, absent when deleted. */
    private final Map<String, Map<String, Object>> expected = new TreeMap<>();
    private long seq;
    private SourcePosition last;

    LateBulkFaultIT() {
        seed = Long.getLong("lateBulk.seed", System.nanoTime());
        random = new Random(seed);
    }

    /** Insert and update index the row, delete deletes: nothing else, so the oracle above is the whole truth. */
    private static final RuleSet RULES = (event, out) -> {
        String id = String.valueOf(event.row().get("id"));
        if (event.operation() == Operation.DELETE) {
            out.collect(DocumentAction.delete(INDEX, id));
        } else {
            out.collect(DocumentAction.index(INDEX, id, Map.copyOf(event.row())));
        }
    };

    @Test
    void aBulkAppliedLateAfterATimeoutAGatewayErrorOrAResetNeverOverwritesANewerWrite() throws Exception {
        EmbeddedElasticsearch es = EmbeddedElasticsearch.shared();
        List<Fault> faults = List.of(
                Fault.holdThenForward(Duration.ofMillis(2000), false),
                Fault.errorWhileForwarding(502, Duration.ofMillis(1000)),
                Fault.errorWhileForwarding(504, Duration.ofMillis(1000)),
                Fault.resetAfterSend(Duration.ofMillis(1000)),
                Fault.stallReads(Duration.ofMillis(2000), false));
        try (FaultProxy proxy = FaultProxy.start(es.httpHost().getHostName(), es.httpHost().getPort());
                RestClient client = es.newClient()) {
            EsDocs.createIndex(client, INDEX, "{\"id\":{\"type\":\"keyword\"},\"v\":{\"type\":\"long\"}}");
            ElasticsearchSink sink = ElasticsearchSink.builder().hosts(proxy.url(), es.httpUrl())
                    .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofMillis(1000))
                    .lateWriteFence(Duration.ofMillis(2500)).build();
            InMemorySource source = new InMemorySource();
            SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(RULES).sink(sink)
                    .maxBulkActions(10).maxInFlightRequests(4).flushInterval(Duration.ofMillis(20))
                    .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(500)).commitInterval(Duration.ZERO).build();
            pipeline.start();
            try {
                for (Fault fault : faults) {
                    proxy.inject(fault, 1);
                    // the writes one bulk of which takes the fault (rounds until one went through the proxy)
                    do {
                        appendRound(source);
                    } while (!Await.holdsWithin(Duration.ofSeconds(3), () -> !proxy.faultPending()));
                    // newer writes of the same documents: they must land after the late original
                    appendRound(source);
                    appendRound(source);
                    assertTrue(source.awaitCommitted(PARTITION, last.offset(), WAIT), "all written after " + fault
                            + "; " + rerun());
                    assertTrue(proxy.awaitLateForwards(WAIT), "the proxy forwarded what it held");
                }
                assertEquals(PipelineState.RUNNING, pipeline.state());
                assertTrue(pipeline.metrics().failedBulks() >= faults.size(), "every fault failed a bulk: "
                        + pipeline.metrics().failedBulks());
            } finally {
                pipeline.close();
            }
            compare(client);
        }
    }

    /** One change for every document: insert if absent; else update or (one in three) delete. */
    private void appendRound(InMemorySource source) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < DOCS; i++) {
            String id = "d" + i;
            Map<String, Object> row = Map.of("id", id, "v", ++seq);
            Map<String, Object> before = expected.get(id);
            if (before == null) {
                events.add(Events.insert("shop", "rows", row));
                expected.put(id, row);
            } else if (random.nextInt(3) == 0) {
                events.add(Events.delete("shop", "rows", before));
                expected.remove(id);
            } else {
                events.add(Events.update("shop", "rows", row, Map.of("v", before.get("v"))));
                expected.put(id, row);
            }
        }
        // one record per change, shuffled across documents (each document's own order kept: one change each)
        Collections.shuffle(events, random);
        for (ChangeEvent e : events) {
            last = source.append(PARTITION, e);
        }
    }

    private void compare(RestClient client) throws Exception {
        client.performRequest(new Request("POST", "/" + INDEX + "/_refresh"));
        Request search = new Request("GET", "/" + INDEX + "/_search");
        search.addParameter("size", "10000");
        Response r = client.performRequest(search);
        Map<String, Object> body = JSON.readValue(r.getEntity().getContent(), new TypeReference<Map<String, Object>>() { });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> hits = (List<Map<String, Object>>) ((Map<String, Object>) body.get("hits")).get("hits");
        Map<String, Map<String, Object>> actual = new TreeMap<>();
        for (Map<String, Object> hit : hits) {
            @SuppressWarnings("unchecked")
            Map<String, Object> src = (Map<String, Object>) hit.get("_source");
            Map<String, Object> doc = new TreeMap<>(src);
            doc.put("v", ((Number) doc.get("v")).longValue());
            actual.put((String) hit.get("_id"), doc);
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
            Map<String, Object> got = actual.get(e.getKey());
            if (got == null) {
                missing.add(e.getKey());
            } else if (!got.equals(new TreeMap<>(e.getValue()))) {
                stale.add(e.getKey() + " is " + got + ", expected " + e.getValue());
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                extra.add(id + " " + actual.get(id));
            }
        }
        String report = "missing " + missing.size() + " " + head(missing) + ", extra " + extra.size() + " "
                + head(extra) + ", stale " + stale.size() + " " + head(stale) + "; " + rerun();
        assertTrue(missing.isEmpty() && extra.isEmpty() && stale.isEmpty(), report);
    }

    private static List<String> head(List<String> l) {
        return l.subList(0, Math.min(3, l.size()));
    }

    private String rerun() {
        return "rerun with -DlateBulk.seed=" + seed;
    }
}
