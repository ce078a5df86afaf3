package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end-to-end benchmark, tiny, so the harness behind BENCHMARKS.md keeps working: real broker
 * and node, the pipeline, the ceiling and the replay, each checked to leave exactly the live
 * documents in its index (the run throws otherwise), and the steady-rate run. No timing asserted.
 */
class EndToEndBenchmarkSmokeIT {

    @Test
    @Timeout(300)
    void runsEveryPartAndEveryIndexEndsWithTheLiveDocuments() throws Exception {
        EndToEndBenchmark.Summary s = EndToEndBenchmark.run(new String[] {"n=2000", "rounds=1", "warmRounds=1",
                "rate=200", "rateSeconds=1"});
        assertTrue(s.medianEventsPerSecond() > 0, "a measured rate: " + s);
        // every steady-rate message carried a binlog time and was acknowledged
        assertEquals(200, s.latency().count(), "latency samples: " + s);
    }

    /** The same with the broker and the node each in a JVM of its own ({@code servers=processes}). */
    @Test
    @Timeout(300)
    void runsWithTheServersInProcessesOfTheirOwn() throws Exception {
        EndToEndBenchmark.Summary s = EndToEndBenchmark.run(new String[] {"n=2000", "rounds=1", "warmRounds=1",
                "rate=200", "rateSeconds=1", "replay=false", "servers=processes", "serverHeap=1g"});
        assertTrue(s.medianEventsPerSecond() > 0, "a measured rate: " + s);
        assertEquals(200, s.latency().count(), "latency samples: " + s);
    }

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
        assertTrue(cpu[1] > 0 && cpu[2] >= 0 && cpu[0] >= 0, "GC, JIT, VM ns: " + java.util.Arrays.toString(cpu));
    }
}
