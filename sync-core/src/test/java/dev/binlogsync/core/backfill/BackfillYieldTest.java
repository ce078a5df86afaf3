package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code yieldTo}: the backfill reads the stream's latency between chunks and holds the next chunk
 * back while it is above the target, at most {@code maxYield}; the documents are the same as
 * without it. A manual clock moved by the yield's sleeper: nothing is timed.
 */
class BackfillYieldTest {
    private static final int ROWS = 20;
    private static final int CHUNK = 5;
    private static final Duration TARGET = Duration.ofSeconds(1);

    private final Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("t").index("t").build())
            .build();
    private final RecordingBulkSink es = new RecordingBulkSink();
    private final FakeSchemaDataSource db = new FakeSchemaDataSource("id").column("id", "bigint", "bigint(20)")
            .column("name", "varchar", "varchar(20)");
    private final ManualClock clock = new ManualClock();
    private final List<Duration> sleeps = new ArrayList<>();
    /** The bulk requests the sink had received at each reading of the stream's latency. */
    private final List<Integer> requestsAtReading = new ArrayList<>();
    /** The rows of the table (ids 1 to it). */
    private int tableRows = ROWS;

    private Backfill.Builder builder() {
        db.answerWithParameters = (sql, params) -> {
            List<Object[]> out = new ArrayList<>();
            if (sql.contains("LIMIT ?")) {
                long after = sql.contains(" > ") ? ((Number) params.get(0)).longValue() : 0;
                int limit = ((Number) params.get(params.size() - 1)).intValue();
                for (long id = after + 1; id <= tableRows && out.size() < limit; id++) {
                    out.add(new Object[] {id, "row " + id, id});
                }
            } else if (sql.contains(" IN (")) {
                for (Object id : params) {
                    long k = ((Number) id).longValue();
                    out.add(new Object[] {k, "row " + k, k});
                }
            }
            return out;
        };
        return Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es).reader(refs -> {
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                out.add(StoredDocument.missing(r));
            }
            return CompletableFuture.completedFuture(out);
        }).chunkSize(CHUNK).clock(clock).yieldSleeper(d -> {
            sleeps.add(d);
            clock.advance(d);
        });
    }

    /** A signal whose n-th reading (from 0) is {@code latency.apply(n)}; notes the requests sent by then. */
    private StreamLatency stream(IntFunction<Duration> latency) {
        return () -> {
            requestsAtReading.add(es.requests().size());
            return latency.apply(requestsAtReading.size() - 1);
        };
    }

    private void assertEveryRowLoaded() {
        for (long id = 1; id <= ROWS; id++) {
            assertEquals(Map.of("id", id, "name", "row " + id), es.document("t", Long.toString(id)), "document " + id);
        }
    }

    @Test
    void theNextChunkWaitsWhileTheStreamIsBehindAndTheWaitShowsInTheProgress() {
        // reading 0 before the first chunk; behind at readings 1 and 2 (after the first chunk), within the target after
        Backfill backfill = builder().yieldTo(stream(n -> n == 1 || n == 2 ? Duration.ofSeconds(4) : Duration.ZERO), TARGET)
                .build();

        assertTrue(backfill.run());

        assertEveryRowLoaded();
        // the wait: 50 ms, then a reading still behind, 100 ms, then a reading within the target
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100)), sleeps);
        // nothing was sent before the first reading; no request went out while the backfill waited
        assertEquals(0, requestsAtReading.get(0));
        assertTrue(requestsAtReading.get(1) > 0);
        assertEquals(requestsAtReading.get(1), requestsAtReading.get(2));
        assertEquals(requestsAtReading.get(1), requestsAtReading.get(3));
        assertEquals(ROWS / CHUNK + 1 + 2, requestsAtReading.size(),
                "one reading before each read (the four chunks' and the closing read after a full chunk), two more in the wait");
        BackfillProgress p = backfill.progress();
        assertEquals(Duration.ofMillis(150), p.yielded());
        assertEquals(ROWS, p.rowsDone());
        assertTrue(ProgressReporter.line(p, true).endsWith(", 0 removed, yielded 0.2 s to the stream"),
                ProgressReporter.line(p, true));
    }

    @Test
    void aHealthyStreamWhoseEventTimesAreWholeSecondsDoesNotHoldTheBackfillBackAtTheDefaultTarget() {
        // the stream writes one row a second at x.9 s; MySQL's event time is the write's second
        // (floored); each action is acknowledged 400 ms after its write; one action waits at any time
        long start = clock.currentTimeMillis();
        Supplier<PipelineMetrics> metrics = () -> {
            long now = clock.currentTimeMillis();
            long count = 0;
            long totalMillis = 0;
            for (long write = start + 900; write + 400 <= now; write += 1000) {
                long eventTime = write / 1000 * 1000;
                count++;
                totalMillis += write + 400 - eventTime;
            }
            Duration off = Duration.ofHours(1);
            return PipelineMetrics.builder()
                    .syncLatency(new PipelineMetrics.Timing(count, Duration.ofMillis(totalMillis), off,
                            off, off))
                    .bulks(count).commits(count).indexActions(count + 1).bufferedActions(1).build();
        };
        PipelineLatency pipeline = new PipelineLatency(metrics, () -> PipelineState.RUNNING, clock);
        // each reading 700 ms after the previous one (a chunk's time), so some intervals see no acknowledgement
        Backfill backfill = builder().yieldTo(stream(n -> {
            clock.advance(Duration.ofMillis(700));
            return pipeline.current();
        }), Backfill.DEFAULT_MAX_STREAM_LATENCY).build();

        assertTrue(backfill.run());

        assertEveryRowLoaded();
        assertEquals(List.of(), sleeps, "the backfill waited for a stream that is current");
        assertEquals(Duration.ZERO, backfill.progress().yielded());
        assertTrue(requestsAtReading.size() >= ROWS / CHUNK, "the stream was read before the chunks");
    }

    @Test
    void aStreamThatStaysBehindDelaysEachChunkByMaxYieldAndTheBackfillStillFinishes() {
        Duration maxYield = Duration.ofSeconds(3);
        Backfill backfill = builder().yieldTo(stream(n -> Duration.ofMinutes(10)), TARGET).maxYield(maxYield).build();

        assertTrue(backfill.run());

        assertEveryRowLoaded();
        // one wait before each read (the four full chunks' and the closing one after them), each cut at maxYield
        assertEquals(maxYield.multipliedBy(1 + ROWS / CHUNK), backfill.progress().yielded());
        assertEquals(maxYield.multipliedBy(1 + ROWS / CHUNK), sleeps.stream().reduce(Duration.ZERO, Duration::plus));
    }

    @Test
    void aOneChunkTableWaitsOnceBeforeItsChunkAndNotAfterIt() {
        tableRows = CHUNK - 2;
        Duration maxYield = Duration.ofSeconds(3);
        Backfill backfill = builder().yieldTo(stream(n -> Duration.ofMinutes(10)), TARGET).maxYield(maxYield).build();

        assertTrue(backfill.run());

        assertEquals(Map.of("id", 1L, "name", "row 1"), es.document("t", "1"));
        assertEquals(CHUNK - 2, backfill.progress().rowsDone());
        assertEquals(maxYield, backfill.progress().yielded());
        assertEquals(maxYield, sleeps.stream().reduce(Duration.ZERO, Duration::plus));
        assertEquals(List.of(0), requestsAtReading.subList(0, 1), "the wait came before the chunk's creates");
    }

    @Test
    void theReadAfterAShortLastChunkDoesNotWait() {
        tableRows = 3 * CHUNK + 2; // three full chunks and a short one
        Duration maxYield = Duration.ofSeconds(3);
        Backfill backfill = builder().yieldTo(stream(n -> Duration.ofMinutes(10)), TARGET).maxYield(maxYield).build();

        assertTrue(backfill.run());

        assertEquals(4, backfill.progress().chunksDone());
        assertEquals(maxYield.multipliedBy(4), backfill.progress().yielded(), "one wait per chunk, none after the last");
    }

    @Test
    void aStopEndsTheWaitAndTheRunReturnsAfterTheChunkInFlight() {
        Backfill[] backfill = new Backfill[1];
        backfill[0] = builder().yieldTo(() -> {
            if (sleeps.size() == 3) {
                backfill[0].stop(); // from "another thread": the wait ends at its next look at the stop
            }
            // behind once the first chunk's creates went out
            return es.requests().isEmpty() ? Duration.ZERO : Duration.ofMinutes(10);
        }, TARGET).build();

        assertFalse(backfill[0].run());

        assertTrue(backfill[0].progress().yielded().compareTo(Backfill.DEFAULT_MAX_YIELD) < 0,
                "the wait ended before maxYield: " + backfill[0].progress().yielded());
        assertTrue(backfill[0].progress().rowsDone() < ROWS);
    }

    @Test
    void withoutYieldToTheStreamIsNeverReadAndNothingWaits() {
        Backfill backfill = builder().maxYield(Duration.ofSeconds(1)).build();

        assertTrue(backfill.run());

        assertEveryRowLoaded();
        assertEquals(List.of(), sleeps);
        assertEquals(Duration.ZERO, backfill.progress().yielded());
    }

    @Test
    void theBuilderRefusesATargetOrMaxYieldNotAboveZeroNamingTheValue() {
        StreamLatency none = () -> Duration.ZERO;
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().yieldTo(none, Duration.ZERO));
        assertTrue(zero.getMessage().contains("maxStreamLatency") && zero.getMessage().contains("PT0S"), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().maxYield(Duration.ofSeconds(-1)));
        assertTrue(negative.getMessage().contains("maxYield") && negative.getMessage().contains("PT-1S"),
                negative.getMessage());
    }

    @Test
    void theBuilderRefusesATargetOrMaxYieldAboveAnHourNamingTheValue() {
        // 400000 days overflows a wait counted in nanoseconds
        IllegalArgumentException maxYield = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().maxYield(Duration.ofDays(400_000)));
        assertTrue(maxYield.getMessage().contains("maxYield") && maxYield.getMessage().contains("PT9600000H"),
                maxYield.getMessage());
        IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().yieldTo(() -> Duration.ZERO, Duration.ofHours(1).plusMillis(1)));
        assertTrue(target.getMessage().contains("maxStreamLatency") && target.getMessage().contains("PT1H0.001S"),
                target.getMessage());
        // an hour is accepted
        Backfill.builder().maxYield(Duration.ofHours(1)).yieldTo(() -> Duration.ZERO, Duration.ofHours(1));
    }
}
