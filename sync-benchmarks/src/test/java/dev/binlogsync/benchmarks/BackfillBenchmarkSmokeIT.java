package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backfill benchmark, tiny, so the harness behind BENCHMARKS.md keeps working: a real MariaDB
 * and Elasticsearch node, the backfill and the plain loader into fresh indices, every document of
 * both compared (the run throws when a count or a document differs). No timing asserted.
 */
class BackfillBenchmarkSmokeIT {

    @Test
    @Timeout(300)
    void bothLoadsWriteTheSameDocumentsForEveryRow() throws Exception {
        BackfillBenchmark.Summary s = BackfillBenchmark.run(new String[] {"rows=3000", "rounds=2", "warmRows=500",
                "servers=in-process", "verify=full", "chunk=700", "backfillChunk=700"});
        assertEquals(2, s.backfillRates().size(), s.toString());
        assertEquals(2, s.plainRates().size(), s.toString());
        assertTrue(s.medianBackfill() > 0 && s.medianPlain() > 0 && s.medianRatio() > 0, s.toString());
    }

    /** The plain loader that reads the next chunk while its bulk is in flight writes the same documents. */
    @Test
    @Timeout(300)
    void theOverlappingPlainLoaderWritesTheSameDocuments() throws Exception {
        BackfillBenchmark.Summary s = BackfillBenchmark.run(new String[] {"rows=2500", "rounds=1", "warmRounds=0",
                "servers=in-process", "verify=full", "chunk=1000", "plainOverlap=true"});
        assertTrue(s.medianPlain() > 0, s.toString());
    }
}
