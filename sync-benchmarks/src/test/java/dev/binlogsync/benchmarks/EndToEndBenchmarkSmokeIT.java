package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The end-to-end benchmark, tiny, so the harness behind BENCHMARKS.md keeps working: real broker
 * and node, the pipeline, the ceiling, the replay and the bare replay, each checked to leave exactly
 * the live documents in its index (the run throws otherwise; the bare replay's updates also fail
 * it if they miss their document), and the steady-rate run; each figure the run reports is there.
 * No timing asserted.
 */
class EndToEndBenchmarkSmokeIT {

    @Test
    @Timeout(300)
    void runsEveryPartAndEveryIndexEndsWithTheLiveDocuments() throws Exception {
        EndToEndBenchmark.Summary s = EndToEndBenchmark.run(new String[] {"n=2000", "rounds=1", "warmRounds=1",
                "rate=200", "rateSeconds=1"});
        assertTrue(s.medianEventsPerSecond() > 0, "a measured rate: " + s);
        assertTrue(s.medianBareEventsPerSecond() > 0, "a measured bare replay: " + s);
        assertTrue(s.medianProcessCpuMicros() > 0, "the pipeline's process CPU per event: " + s);
        assertTrue(s.peakRss() > 0, "a peak RSS: " + s);
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
        assertTrue(s.medianBareEventsPerSecond() > 0, "a measured bare replay: " + s);
        assertTrue(s.medianProcessCpuMicros() > 0, "the pipeline's process CPU per event: " + s);
        assertTrue(s.peakRss() > 0, "the pipeline JVM's peak RSS: " + s);
        assertEquals(200, s.latency().count(), "latency samples: " + s);
    }
}
