package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        run(seed, false);
    }

    /**
     * The same with partitions revoked, lost and assigned again at random while bulks are out:
     * records after the last commit are read and written again (at-least-once), so the history
     * may repeat itself, but every document still ends in its stream state.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7L, 99L})
    void rebalancesDuringTheRunStillEndInTheStreamState(long seed) throws Exception {
        run(seed, true);
    }

    private void run(long seed, boolean rebalance) throws Exception {
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
                .ruleSet(TestRules.byOperation())
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
                if (op < 3) {
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
        for (int doc = 0; doc < DOCS && !rebalance; doc++) {
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
