package dev.binlogsync.benchmarks;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Canal decode throughput per CPU-second of the decoding thread, for a machine too loaded for
 * wall-clock figures (JMH on a shared 2-core box measures the scheduler as much as the code). Same
 * messages as {@link CanalDecodeBenchmark}. Not a JMH benchmark: a sanity figure next to it.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.binlogsync.benchmarks.CanalDecodeCpuHarness [seconds]}
 */
public final class CanalDecodeCpuHarness {

    private CanalDecodeCpuHarness() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build();
        SourcePosition pos = new SourcePosition("canal.shop.orders-0", 1);
        for (int rows : new int[] {1, 10}) {
            byte[] msg = CanalDecodeBenchmark.message(rows);
            long sink = 0;
            for (int round = 0; round < 4; round++) { // rounds 0-1 warm up
                long cpu0 = mx.getCurrentThreadCpuTime();
                long n = 0;
                while (mx.getCurrentThreadCpuTime() - cpu0 < (long) (seconds * 1e9)) {
                    for (int i = 0; i < 1000; i++) {
                        List<ChangeEvent> events = decoder.decode(null, msg, pos);
                        sink += events.size();
                    }
                    n += 1000;
                }
                double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
                if (round >= 2) {
                    System.out.printf("%d-row messages: %,.0f messages per CPU-second (%,.0f rows/s), round %d%n",
                            rows, n / cpu, n * rows / cpu, round - 1);
                }
            }
            if (sink == 42) {
                System.out.println();
            }
        }
    }
}
