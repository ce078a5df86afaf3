package dev.binlogsync.benchmarks;

import dev.binlogsync.core.internal.BulkBufferBenchmark;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link BulkBufferBenchmark}'s work measured against the thread's CPU time as well as wall time,
 * for a machine shared with other load, where JMH's wall-clock throughput mostly measures how
 * much of a core the scheduler granted. Prints actions per wall second and per CPU second for each
 * measured round.
 *
 * <p>Run: {@code java -cp sync-benchmarks/target/benchmarks.jar dev.binlogsync.benchmarks.BulkBufferCpuHarness [seconds]}
 */
public final class BulkBufferCpuHarness {

    private BulkBufferCpuHarness() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (boolean repeated : new boolean[] {false, true}) {
            BulkBufferBenchmark b = new BulkBufferBenchmark();
            b.repeated = repeated;
            b.prepare();
            run(b, bh, seconds * 2L, threads); // warm-up
            for (int round = 0; round < 5; round++) {
                long[] r = run(b, bh, seconds, threads);
                System.out.printf("repeated=%-5s round %d: %,12.0f actions/s wall, %,12.0f actions/s CPU%n",
                        repeated, round, r[0] * 1e9 / r[1], r[0] * 1e9 / r[2]);
            }
        }
    }

    /** Returns {actions, wall nanos, cpu nanos}. */
    private static long[] run(BulkBufferBenchmark b, Blackhole bh, long seconds, ThreadMXBean threads) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long actions = 0;
        while (System.nanoTime() < end) {
            b.addCoalesceDrain(bh);
            actions += BulkBufferBenchmark.ACTIONS;
        }
        return new long[] {actions, System.nanoTime() - wall0, threads.getCurrentThreadCpuTime() - cpu0};
    }
}
