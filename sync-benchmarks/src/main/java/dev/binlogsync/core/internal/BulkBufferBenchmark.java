package dev.binlogsync.core.internal;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pipeline thread's share of the bulk buffer, one thread: for each of 10 000 actions with
 * realistic 10-field documents, track its source record, add it to the lane buffer (coalescing
 * where the document is already buffered), then take every lane's bulks, build the actions to
 * send and release the records as if acknowledged. Reported per action.
 *
 * <ul>
 *   <li>{@code repeated=false}: 10 000 distinct documents, full-row INDEX (no coalescing).</li>
 *   <li>{@code repeated=true}: 1 000 documents with 10 changes each, interleaved: an INDEX of the
 *       full row then 9 UPSERTs of 3 fields, so 9 of 10 actions merge into a buffered one.</li>
 * </ul>
 * Target: >= 1 million actions per second for add + coalesce.
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar BulkBufferBenchmark} (see BENCHMARKS.md).
 *
 * <p>In package {@code core.internal} (on the class path beside sync-core's classes) because it
 * measures the engine's package-private classes directly.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class BulkBufferBenchmark {
    /** Actions per benchmark call; {@code BulkBufferCpuHarness} counts with it. */
    public static final int ACTIONS = 10_000;

    @Param({"false", "true"})
    public boolean repeated;

    private DocumentAction[] actions;
    private SourceRecord[] records;
    private BulkBuffer buffer;
    private PartitionTracker tracker;

    @Setup(Level.Trial)
    public void prepare() {
        actions = new DocumentAction[ACTIONS];
        records = new SourceRecord[ACTIONS];
        int docs = repeated ? ACTIONS / 10 : ACTIONS;
        for (int i = 0; i < ACTIONS; i++) {
            int doc = i % docs;
            int change = i / docs;
            String id = String.valueOf(1_000_000 + doc);
            actions[i] = change == 0
                    ? DocumentAction.index("orders", id, fullRow(doc, i))
                    : DocumentAction.upsert("orders", id, partialRow(i));
            records[i] = SourceRecord.of(new SourcePosition("shop-orders-0", i), List.of());
        }
        buffer = new BulkBuffer(2, 1000, 5L * 1024 * 1024);
        tracker = new PartitionTracker("shop-orders-0");
    }

    static Map<String, Object> fullRow(int doc, int seq) {
        Map<String, Object> row = new HashMap<>(16);
        row.put("id", 1_000_000L + doc);
        row.put("customer_id", 40_000 + doc % 977);
        row.put("status", seq % 3 == 0 ? "PAID" : "NEW");
        row.put("total", new BigDecimal("129.90"));
        row.put("currency", "EUR");
        row.put("items", 3);
        row.put("note", "leave at the door, ring twice");
        row.put("created_at", "2026-11-25 16:34:32");
        row.put("updated_at", "2026-11-25 16:35:10");
        row.put("express", Boolean.FALSE);
        return row;
    }

    static Map<String, Object> partialRow(int seq) {
        Map<String, Object> row = new HashMap<>(4);
        row.put("status", seq % 2 == 0 ? "SHIPPED" : "PAID");
        row.put("items", seq % 7);
        row.put("updated_at", "2026-11-25 16:36:0" + seq % 10);
        return row;
    }

    @Benchmark
    @OperationsPerInvocation(ACTIONS)
    public void addCoalesceDrain(Blackhole bh) {
        for (int i = 0; i < ACTIONS; i++) {
            PendingRecord p = tracker.begin(records[i]);
            buffer.add(actions[i], p, i);
            tracker.finish(p);
        }
        for (int l = 0; l < buffer.laneCount(); l++) {
            Lane lane = buffer.lane(l);
            while (lane.size() > 0) {
                List<BufferedAction> bulk = buffer.take(lane);
                for (int i = 0; i < bulk.size(); i++) {
                    BufferedAction s = bulk.get(i);
                    bh.consume(s.action());
                    s.release();
                }
            }
        }
        bh.consume(tracker.lastDone());
    }
}
