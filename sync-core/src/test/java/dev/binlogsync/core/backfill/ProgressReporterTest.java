package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    private static BackfillProgress progress(String table, long rows, double rate, Long left) {
        return new BackfillProgress(table, rows, rate, left, rows - 3, 3, 1, rows / 100);
    }

    @Test
    void reportsEachTablesFirstChunkThenAtMostOncePerIntervalAndAlwaysTheEnd() {
        ManualClock clock = new ManualClock();
        List<String> lines = new ArrayList<>();
        ProgressReporter reporter = ProgressReporter.every(Duration.ofSeconds(5), clock, lines::add);

        reporter.chunkDone(progress("shop.orders", 1000, 999.6, 9000L));
        reporter.chunkDone(progress("shop.order_item_0", 500, 500, null));
        clock.advance(Duration.ofSeconds(4));
        reporter.chunkDone(progress("shop.orders", 2000, 1000, 8000L)); // within the interval: not reported
        clock.advance(Duration.ofSeconds(1));
        reporter.chunkDone(progress("shop.orders", 3000, 1000, 7000L));
        reporter.tableFinished(progress("shop.orders", 3100, 1000, 0L));

        assertEquals(List.of(
                "shop.orders: 1000 rows, 1000 rows/s, ~9000 left, 997 created, 3 kept from the stream, 1 removed",
                "shop.order_item_0: 500 rows, 500 rows/s, unknown left, 497 created, 3 kept from the stream, 1 removed",
                "shop.orders: 3000 rows, 1000 rows/s, ~7000 left, 2997 created, 3 kept from the stream, 1 removed",
                "shop.orders done: 3100 rows, 1000 rows/s, ~0 left, 3097 created, 3 kept from the stream, 1 removed"),
                lines);
    }

    @Test
    void refusesANegativeInterval() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgressReporter.every(Duration.ofSeconds(-1), line -> { }));
        assertEquals("interval must be >= 0: PT-1S", e.getMessage());
    }
}
