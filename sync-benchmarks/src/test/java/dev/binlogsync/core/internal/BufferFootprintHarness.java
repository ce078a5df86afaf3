package dev.binlogsync.core.internal;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.benchmarks.EndToEndBenchmark;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How much heap a buffered action really holds, against what {@code maxBufferedBytes} counts for
 * it. Decodes N Canal messages of the end-to-end workload (one {@code orders} row each, every one a
 * different document, so nothing coalesces), applies the benchmark's rule and buffers the actions
 * the way the engine does (a {@link BulkBuffer} plus a {@link PartitionTracker} that keeps only
 * each record's position), then compares the heap retained after full collections with the
 * buffer's estimate plus what the tracker counts for the pending records (96 bytes each).
 *
 * <p>Not a timing: it prints sizes. Run it with a collector that honours {@code System.gc()}
 * (any but Epsilon) and a heap that fits N actions. Args: {@code n=150000}. See BENCHMARKS.md.
 *
 * <p>In package {@code core.internal} (on the class path beside sync-core's classes) because it
 * builds the engine's package-private buffer and tracker itself.
 */
public final class BufferFootprintHarness {

    private BufferFootprintHarness() {
    }

    public static void main(String[] args) {
        int n = EndToEndBenchmark.intArg(args, "n", 150_000);
        Footprint f = measure(n);
        System.out.printf(Locale.ROOT, "%,d actions buffered (%,d records pending): counted %,d B (%.0f B/action: "
                + "estimate %.0f + record %.0f), heap retained %,d B (%.0f B/action), heap / counted = %.2f%n",
                f.actions(), n, f.counted(), (double) f.counted() / n, (double) f.estimate() / n,
                (double) (f.counted() - f.estimate()) / n, f.retained(), (double) f.retained() / n,
                (double) f.retained() / f.counted());
    }

    /**
     * What {@code n} buffered actions count and hold.
     *
     * @param actions actions in the buffer (n: nothing coalesces)
     * @param estimate the buffer's estimate of its actions
     * @param counted what the engine counts against {@code maxBufferedBytes}: the estimate plus
     *     the tracker's count for the pending records
     * @param retained heap retained by the buffer and the tracker, measured after full collections
     */
    record Footprint(long actions, long estimate, long counted, long retained) {
    }

    static Footprint measure(int n) {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        Rules rules = EndToEndBenchmark.rules("orders");
        List<DocumentAction> warm = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { // fills the decoder's shared name and type caches first
            byte[] m = EndToEndBenchmark.Workload.message("INSERT", 9_000_000L + i, 1, 1_767_225_600_000L, "paid", i);
            for (ChangeEvent e : decoder.decode(null, m, new SourcePosition("warm", i))) {
                rules.apply(e, warm::add);
            }
        }
        warm.clear();

        BulkBuffer buffer = new BulkBuffer(2, 1000, 5L << 20);
        PartitionTracker tracker = new PartitionTracker("orders-0", false);
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            byte[] m = EndToEndBenchmark.Workload.message(i % 4 == 0 ? "INSERT" : "UPDATE", 1_000_000L + i, 1 + i % 7,
                    1_767_225_600_000L + i, i % 2 == 0 ? "paid" : "shipped", i % 1000);
            SourcePosition position = new SourcePosition("orders-0", i);
            List<ChangeEvent> events = decoder.decode(null, m, position);
            PendingRecord pending = tracker.begin(new SourceRecord(position, events, null, m, 0L, null));
            for (ChangeEvent e : events) {
                rules.apply(e, action -> buffer.add(action, pending, 0L));
            }
            tracker.finish(pending);
        }
        // the buffer is used below, so it is live during the collections; its slots reach the pending records and the tracker
        long retained = usedAfterGc() - before;
        return new Footprint(buffer.size(), buffer.bytes(), buffer.bytes() + tracker.pendingBytes(), retained);
    }

    private static long usedAfterGc() {
        Runtime r = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, r.totalMemory() - r.freeMemory());
        }
        return used;
    }
}
