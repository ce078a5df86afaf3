package dev.binlogsync.benchmarks;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * NDJSON encoding of {@code _bulk} bodies by the sink's encoder, one thread: 1000 index actions
 * with 10-field order documents per invocation, into a reused buffer (as the sink does).
 *
 * <p>The primary score is documents per second; the {@code bytes} secondary score is NDJSON bytes
 * per second (divide by 10^6 for MB/s).
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar NdjsonEncodeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class NdjsonEncodeBenchmark {

    private static final int BATCH = 1000;

    /** Counts encoded bytes; JMH reports it as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** NDJSON bytes written. */
        public long bytes;

        @Setup(Level.Iteration)
        public void clean() {
            bytes = 0;
        }
    }

    @Param({"index", "upsert"})
    public String action;

    private List<DocumentAction> actions;
    private final BulkBodyEncoder encoder = new BulkBodyEncoder();
    private final ByteBuf buffer = new ByteBuf(512 * 1024);

    @Setup
    public void prepare() {
        actions = SampleDocuments.indexActions("orders", BATCH);
        if ("upsert".equals(action)) {
            actions.replaceAll(a -> DocumentAction.upsert(a.index(), a.id(), a.document()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encode(Bytes counter) throws IOException {
        buffer.reset();
        encoder.encode(actions, buffer);
        counter.bytes += buffer.size();
        return buffer.size();
    }
}
