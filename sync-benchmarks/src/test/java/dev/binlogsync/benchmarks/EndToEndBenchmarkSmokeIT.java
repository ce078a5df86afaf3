package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * A reduced lanes sweep ({@code sweep=lanes}): every point drained (each drain checked to leave
     * exactly the live documents), its CSV and chart written.
     */
    @Test
    @Timeout(300)
    void aReducedLanesSweepDrainsEveryPointAndWritesItsCsvAndChart(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("lanes.svg");
        EndToEndBenchmark.run(new String[] {"n=2000", "warmRounds=1", "sweep=lanes", "repetitions=1",
                "sweepLanes=1,2", "sweepInFlight=1,2", "sweepBulk=500", "svg=" + svg});
        List<LanesSweep.Row> rows = LanesSweep.parseCsv(Files.readString(dir.resolve("lanes.csv")));
        assertEquals(List.of(new LanesSweep.Point(1, 1, 500), new LanesSweep.Point(2, 1, 500),
                new LanesSweep.Point(2, 2, 500)), rows.stream().map(LanesSweep.Row::point).toList());
        for (LanesSweep.Row r : rows) {
            assertEquals("in-process", r.setup());
            assertEquals(1, r.rates().size(), r.toString());
            assertTrue(r.rates().get(0) > 0 && r.bytesPerAction() > 0, r.toString());
        }
        assertTrue(Files.readString(svg).contains(">maxBulkActions 500<"), "the chart");
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
