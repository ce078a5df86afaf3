package dev.binlogsync.core.internal;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The distributions part of a metrics snapshot ({@code SyncPipeline.metrics()}): p50 and p99 of the
 * four windowed histograms the pipeline keeps (sync latency in ms, bulk duration in µs, bulk actions,
 * bulk bytes), filled with values of the sizes a busy pipeline records. {@code separateCalls} asks
 * for each quantile on its own, a pass over the buckets per quantile (the reference);
 * {@code oneSnapshot} asks for both in one pass, as {@code Monitor} does. Callers
 * of {@code metrics()} (health checks, the Micrometer binding, a loop waiting for a drain) pay this
 * on their own thread, not on the pipeline's.
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar MetricsSnapshotBenchmark}.
 *
 * <p>In package {@code core.internal} (on the class path beside sync-core's classes) because it
 * measures the engine's package-private classes directly.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class MetricsSnapshotBenchmark {
    private final WindowedHistogram latencyMillis = new WindowedHistogram();
    private final WindowedHistogram bulkMicros = new WindowedHistogram();
    private final WindowedHistogram bulkActions = new WindowedHistogram();
    private final WindowedHistogram bulkBytes = new WindowedHistogram();
    private WindowedHistogram[] all;

    @Setup
    public void fill() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            latencyMillis.record(50 + random.nextInt(350));
        }
        for (int i = 0; i < 2_000; i++) {
            bulkMicros.record(5_000 + random.nextInt(200_000));
            bulkActions.record(200 + random.nextInt(1_000));
            bulkBytes.record(100_000 + random.nextInt(5_000_000));
        }
        all = new WindowedHistogram[] {latencyMillis, bulkMicros, bulkActions, bulkBytes};
    }

    @Benchmark
    public long separateCalls() {
        long s = 0;
        for (WindowedHistogram h : all) {
            s += h.percentile(0.5) + h.percentile(0.99);
        }
        return s;
    }

    @Benchmark
    public long oneSnapshot() {
        long s = 0;
        for (WindowedHistogram h : all) {
            long[] p = h.percentiles(0.5, 0.99);
            s += p[0] + p[1];
        }
        return s;
    }
}
