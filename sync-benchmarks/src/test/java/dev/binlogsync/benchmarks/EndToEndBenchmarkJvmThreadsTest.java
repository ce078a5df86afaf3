package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end benchmark's CPU accounting by thread, without any server: the split of the JVM's
 * own CPU time (GC, JIT, VM), which threads are the pipeline's, and the pipeline's process figure.
 */
class EndToEndBenchmarkJvmThreadsTest {

    /** The split of the JVM's own CPU reads Linux's per-thread counters and knows the JVM's thread names. */
    @Test
    void splitsTheJvmsOwnThreadsIntoGcJitAndVm() {
        assertEquals(0, EndToEndBenchmark.jvmThreadGroup("GC Thread#0"));
        assertEquals(0, EndToEndBenchmark.jvmThreadGroup("G1 Conc#0"));
        assertEquals(1, EndToEndBenchmark.jvmThreadGroup("C2 CompilerThre"));
        assertEquals(2, EndToEndBenchmark.jvmThreadGroup("VM Thread"));
        assertEquals(-1, EndToEndBenchmark.jvmThreadGroup("e2e-pipeline-ma"));
        long[] cpu = EndToEndBenchmark.jvmThreadCpu();
        // by the time a test runs, this JVM has compiled code and run its VM thread; a parser reading
        // the wrong fields or names would report 0 (or fail)
        assertTrue(cpu[1] > 0 && cpu[2] >= 0 && cpu[0] >= 0, "GC, JIT, VM ns: " + Arrays.toString(cpu));
    }

    @Test
    void thePipelinesThreadsAreItsLoopTheRestClientsIoThreadsAndTheConsumersHelpers() {
        String loop = "e2e-pipeline-main-0";
        assertEquals("pipeline thread", EndToEndBenchmark.pipelineGroup(loop, loop));
        assertEquals("REST client I/O", EndToEndBenchmark.pipelineGroup("I/O dispatcher 2", loop));
        assertEquals("consumer helpers",
                EndToEndBenchmark.pipelineGroup("kafka-coordinator-heartbeat-thread | bench-main-0", loop));
        assertEquals("consumer helpers", EndToEndBenchmark.pipelineGroup("consumer_background_thread", loop));
        assertNull(EndToEndBenchmark.pipelineGroup("elasticsearch[e2e-bench][write][T#1]", loop));
        assertNull(EndToEndBenchmark.pipelineGroup("main", loop));
        assertNull(EndToEndBenchmark.pipelineGroup("e2e-pipeline-warm-0", loop));
    }

    /** Servers apart: this JVM's CPU minus the benchmark's own Java threads, GC/JIT/VM all counted. */
    @Test
    void theProcessFigureWithTheServersApartIsTheJvmWithoutTheBenchmarksOwnThreads() {
        // 1,000 ns in the process: 600 pipeline threads, 50 the benchmark's threads, 350 GC/JIT/VM/native
        EndToEndBenchmark.ProcessCpu p = EndToEndBenchmark.pipelineProcessCpu(1_000, 600, 50, 100, 10, 20, false);
        assertEquals(950, p.total());
        assertEquals(600, p.pipelineThreads());
        assertEquals(350, p.jvmOwn());
        assertEquals(50, p.harness());
        assertFalse(p.estimate());
    }

    /** Servers in this JVM: the GC apportioned by allocation, the rest of the JVM's own threads by Java CPU. */
    @Test
    void theProcessFigureWithTheServersInThisJvmTakesTheirShareOfTheJvmsOwnThreads() {
        // 10,000 ns: Java threads 1,000 pipeline + 7,000 others; 2,000 the JVM's own, 1,000 of it GC.
        // The pipeline allocated a quarter of the bytes (250 of the GC) and used an eighth of the
        // Java threads' CPU (125 of the other 1,000).
        EndToEndBenchmark.ProcessCpu p =
                EndToEndBenchmark.pipelineProcessCpu(10_000, 1_000, 7_000, 1_000, 25, 100, true);
        assertEquals(1_375, p.total());
        assertEquals(2_000, p.jvmOwn());
        assertEquals(0.25, p.gcShare());
        assertEquals(0.125, p.cpuShare());
        assertTrue(p.estimate());
        // without a GC figure (no /proc) all of the JVM's own CPU goes by the CPU share
        assertEquals(1_250, EndToEndBenchmark.pipelineProcessCpu(10_000, 1_000, 7_000, -1, 25, 100, true).total());
    }

    /** The process counter ticks in 10 ms: when it reads below the threads' sum, nothing is negative. */
    @Test
    void theProcessFigureIsNeverBelowThePipelineThreads() {
        EndToEndBenchmark.ProcessCpu p = EndToEndBenchmark.pipelineProcessCpu(900, 600, 400, 0, 0, 0, false);
        assertEquals(600, p.total());
        assertEquals(0, p.jvmOwn());
    }
}
