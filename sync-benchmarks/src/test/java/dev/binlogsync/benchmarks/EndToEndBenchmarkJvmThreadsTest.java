package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The end-to-end benchmark's split of the JVM's own CPU time (GC, JIT, VM), without any server. */
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
}
