package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-document order under many lanes, random completion order and random retryable failures:
 * a seeded stream of inserts, updates and deletes over a few documents goes through the pipeline;
 * the test thread completes the bulk requests in random order, failing random items (and whole
 * requests) retryably. The recorded sink writes, replayed in completion order, must give every
 * document the state a one-by-one replay of the stream gives, each document's writes must appear
 * in stream order, and no document may ever be in two requests in flight.
 */
@Timeout(120)
class PerDocumentOrderRandomizedTest {
    private static final int PARTITIONS = 3;
    private static final int DOCS = 40;
    private static final int EVENTS = Boolean.getBoolean("stress") ? 40_000 : 4_000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20261125L})
    void everyDocumentEndsInItsStreamStateAndItsWritesKeepStreamOrder(long seed) throws Exception {
        run(seed, false, false);
    }

    /**
     * The same with partitions revoked, lost and assigned again at random while bulks are out:
     * records after the last commit are read and written again (at-least-once), so the history
     * may repeat itself, but every document still ends in its stream state.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7L, 99L})
    void rebalancesDuringTheRunStillEndInTheStreamState(long seed) throws Exception {
        run(seed, true, false);
    }

    /**
     * The same with the rows routed by a column whose value the updates change at random: each such
     * update deletes the document under the old routing and writes it under the new one. The
     * recording sink keeps one document per index and id, as one shard does, where two routing values
     * address the same document, so the delete and the write must keep their order through retries
     * and late-write fences as any two writes of one document.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 1458L, 20261205L})
    void rowsMovedBetweenRoutingValuesEndInTheStreamStateOnOneShard(long seed) throws Exception {
        run(seed, false, true);
    }

    private void run(long seed, boolean rebalance, boolean routed) throws Exception {
        Random random = new Random(seed);
        InMemorySource source = new InMemorySource(true, 1 + random.nextInt(50));
        RecordingBulkSink sink = new RecordingBulkSink().manual(true);
        java.util.concurrent.atomic.AtomicInteger rebalances = new java.util.concurrent.atomic.AtomicInteger();
        PipelineListener counting = new PipelineListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<String> partitions) {
                rebalances.incrementAndGet();
            }

            @Override
            public void onPartitionsLost(java.util.Collection<String> partitions) {
                rebalances.incrementAndGet();
            }
        };
        SyncPipeline pipeline = SyncPipeline.builder()
                .listener(counting)
                .source(source)
                .sink(sink)
                .ruleSet(routed ? Rules.builder().rule(TableRule.builder().database("shop").table("orders")
                        .index(TestRules.INDEX).routing("r").build()).build() : TestRules.byOperation())
                .lanes(8)
                .maxInFlightRequests(4)
                .maxBulkActions(1 + random.nextInt(20))
                .maxBufferedActions(200)
                .flushInterval(Duration.ofMillis(1))
                .retryInitialBackoff(Duration.ofMillis(2)).retryMaxBackoff(Duration.ofMillis(5))
                .commitInterval(Duration.ZERO)
                .build();

        // the stream: each document lives in one partition (per-row order rests on the partition)
        Map<String, Map<String, Object>> expected = new HashMap<>();
        Map<Integer, String> routing = new HashMap<>(); // routed: each row's routing value now
        long[] lastOffset = new long[PARTITIONS];
        int seq = 0;
        while (seq < EVENTS) {
            int partition = random.nextInt(PARTITIONS);
            int eventsInRecord = 1 + random.nextInt(3);
            List<ChangeEvent> record = new ArrayList<>();
            for (int e = 0; e < eventsInRecord; e++) {
                int doc = random.nextInt(DOCS / PARTITIONS) * PARTITIONS + partition;
                String id = String.valueOf(doc);
                seq++;
                int op = random.nextInt(10);
                if (routed) {
                    String was = routing.getOrDefault(doc, "r0");
                    if (op < 8) {
                        // a whole row, as the binlog's; a third of the updates change the routing value
                        String now = op < 3 || random.nextInt(3) == 0 ? "r" + random.nextInt(3) : was;
                        Map<String, Object> row = TestRules.row(doc, "seq", seq, "r", now, "f" + random.nextInt(5), seq);
                        record.add(Events.full(op < 3 ? Events.insert("shop", "orders", row)
                                : Events.update("shop", "orders", row, now.equals(was) ? Map.of() : Map.of("r", was))));
                        routing.put(doc, now);
                        expected.put(id, new HashMap<>(row));
                    } else {
                        record.add(Events.full(Events.delete("shop", "orders", TestRules.row(doc, "r", was))));
                        expected.remove(id);
                    }
                } else if (op < 3) {
                    Map<String, Object> row = TestRules.row(doc, "seq", seq, "f" + random.nextInt(5), seq, "full", true);
                    record.add(Events.insert("shop", "orders", row));
                    expected.put(id, new HashMap<>(row));
                } else if (op < 8) {
                    Map<String, Object> row = TestRules.row(doc, "seq", seq, "f" + random.nextInt(5), seq);
                    record.add(Events.update("shop", "orders", row, Map.of()));
                    expected.computeIfAbsent(id, k -> new HashMap<>()).putAll(row);
                } else {
                    record.add(Events.delete("shop", "orders", TestRules.row(doc)));
                    expected.remove(id);
                }
            }
            lastOffset[partition] = source.append("p-" + partition, record).offset();
        }

        pipeline.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!allCommitted(source, lastOffset)) {
                assertTrue(System.nanoTime() < deadline, "not all committed in time: " + source);
                assertEquals(PipelineState.RUNNING, pipeline.state(), () -> String.valueOf(pipeline.failure()));
                if (rebalance && random.nextInt(4) == 0) {
                    String partition = "p-" + random.nextInt(PARTITIONS);
                    if (!source.assignment().contains(partition)) {
                        source.assign(partition);
                    } else if (random.nextBoolean()) {
                        source.revoke(partition);
                    } else {
                        source.lose(partition);
                    }
                }
                if (rebalance && source.assignment().size() < PARTITIONS && random.nextInt(3) == 0) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        source.assign("p-" + p);
                    }
                }
                List<RecordingBulkSink.Request> pending = sink.pending();
                if (pending.isEmpty()) {
                    sink.awaitPending(1, Duration.ofMillis(20));
                    continue;
                }
                RecordingBulkSink.Request r = pending.get(random.nextInt(pending.size()));
                int dice = random.nextInt(20);
                if (dice == 0) {
                    r.fail(new RetriableSyncException("test: 503 from the coordinating node"));
                } else if (dice == 1) {
                    // its documents are fenced for a few ms: their later writes stay behind, the rest flows
                    r.fail(new RequestInDoubtException("test: socket timeout after sending", null,
                            Duration.ofMillis(random.nextInt(30))));
                } else if (dice < 8) {
                    List<ItemResult> results = new ArrayList<>();
                    for (int i = 0; i < r.actions().size(); i++) {
                        results.add(random.nextInt(4) == 0
                                ? ItemResult.retryable(429, "es_rejected_execution_exception", "queue full")
                                : ItemResult.success());
                    }
                    r.complete(results);
                } else {
                    r.complete();
                }
            }
        } finally {
            pipeline.close(Duration.ofSeconds(10));
        }

        assertEquals(List.of(), sink.overlaps(), "a document was in two requests in flight");
        Map<String, Map<String, Object>> actual = sink.documents();
        Map<String, Map<String, Object>> want = new LinkedHashMap<>();
        expected.forEach((id, doc) -> want.put(TestRules.INDEX + "/" + id, doc));
        assertEquals(want, actual);
        // (routed: a move's delete and write are two actions of one document in one request; when an
        // item before them is retried, the write applied in the request is applied again after the
        // retry, so the history may show an older write between two copies of a newer one: the end
        // state above is what holds)
        for (int doc = 0; doc < DOCS && !rebalance && !routed; doc++) {
            int previous = 0;
            for (DocumentAction a : sink.history(TestRules.INDEX, String.valueOf(doc))) {
                if (a.document() != null) {
                    int s = (Integer) a.document().get("seq");
                    assertTrue(s > previous, "document " + doc + " written out of order: seq " + s + " after " + previous);
                    previous = s;
                }
            }
        }
        PipelineMetrics m = pipeline.metrics();
        assertEquals(PipelineState.CLOSED, pipeline.state());
        assertTrue(m.retried() > 0, "the run exercised retries");
        assertTrue(m.coalesced() > 0, "the run exercised coalescing");
        if (!rebalance) {
            assertEquals(seq, m.events());
        } else {
            assertTrue(m.events() >= seq);
            assertTrue(rebalances.get() >= 3, "the run exercised rebalances: " + rebalances.get());
        }
    }

    private static boolean allCommitted(InMemorySource source, long[] lastOffset) {
        for (int p = 0; p < PARTITIONS; p++) {
            SourcePosition c = source.committed("p-" + p);
            if (c == null || c.offset() < lastOffset[p]) {
                return false;
            }
        }
        return true;
    }
}
