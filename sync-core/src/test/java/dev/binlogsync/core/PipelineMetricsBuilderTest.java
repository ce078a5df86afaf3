package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;
import org.junit.jupiter.api.Test;

/** {@link PipelineMetrics.Builder} and the distributions refuse negative values, naming them. */
class PipelineMetricsBuilderTest {

    /** Every count and gauge setter, by its name. */
    private static Map<String, ObjLongConsumer<PipelineMetrics.Builder>> countSetters() {
        Map<String, ObjLongConsumer<PipelineMetrics.Builder>> s = new LinkedHashMap<>();
        s.put("records", PipelineMetrics.Builder::records);
        s.put("events", PipelineMetrics.Builder::events);
        s.put("indexActions", PipelineMetrics.Builder::indexActions);
        s.put("upsertActions", PipelineMetrics.Builder::upsertActions);
        s.put("deleteActions", PipelineMetrics.Builder::deleteActions);
        s.put("updateActions", PipelineMetrics.Builder::updateActions);
        s.put("coalesced", PipelineMetrics.Builder::coalesced);
        s.put("stale", PipelineMetrics.Builder::stale);
        s.put("missing", PipelineMetrics.Builder::missing);
        s.put("retried", PipelineMetrics.Builder::retried);
        s.put("deadLettered", PipelineMetrics.Builder::deadLettered);
        s.put("skipped", PipelineMetrics.Builder::skipped);
        s.put("bulks", PipelineMetrics.Builder::bulks);
        s.put("failedBulks", PipelineMetrics.Builder::failedBulks);
        s.put("inDoubtBulks", PipelineMetrics.Builder::inDoubtBulks);
        s.put("fencedWrites", PipelineMetrics.Builder::fencedWrites);
        s.put("commits", PipelineMetrics.Builder::commits);
        s.put("inFlightRequests", (b, v) -> b.inFlightRequests((int) v));
        s.put("bufferedActions", PipelineMetrics.Builder::bufferedActions);
        s.put("bufferedBytes", PipelineMetrics.Builder::bufferedBytes);
        return s;
    }

    @Test
    void everyCountAndGaugeRejectsANegativeValueNamingItAndTakesZero() {
        countSetters().forEach((name, setter) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> setter.accept(PipelineMetrics.builder(), -1), name);
            assertEquals(name + " must be >= 0: -1", e.getMessage());
            setter.accept(PipelineMetrics.builder(), 0);
        });
    }

    @Test
    void aNegativePausedTimeOrHeartbeatAgeIsRejectedAndNoHeartbeatIsNull() {
        IllegalArgumentException paused = assertThrows(IllegalArgumentException.class,
                () -> PipelineMetrics.builder().pausedTime(Duration.ofMillis(-1)));
        assertEquals("pausedTime must be >= 0: PT-0.001S", paused.getMessage());
        IllegalArgumentException heartbeat = assertThrows(IllegalArgumentException.class,
                () -> PipelineMetrics.builder().heartbeatAge(Duration.ofSeconds(-2)));
        assertEquals("heartbeatAge must be >= 0: PT-2S", heartbeat.getMessage());
        assertThrows(NullPointerException.class, () -> PipelineMetrics.builder().pausedTime(null));
        assertNull(PipelineMetrics.builder().heartbeatAge(null).build().heartbeatAge());
        assertEquals(Duration.ZERO, PipelineMetrics.builder().heartbeatAge(Duration.ZERO).build().heartbeatAge());
    }

    @Test
    void aNegativeLagIsRejectedNamingThePartitionAndANullOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipelineMetrics.builder().lag(Map.of("orders-0", 3L, "orders-1", -4L)));
        assertEquals("lag of orders-1 must be >= 0: -4", e.getMessage());
        Map<String, Long> withNull = new HashMap<>();
        withNull.put("orders-0", null);
        assertThrows(NullPointerException.class, () -> PipelineMetrics.builder().lag(withNull));
        assertEquals(Map.of("orders-0", 0L), PipelineMetrics.builder().lag(Map.of("orders-0", 0L)).build().lag());
    }

    @Test
    void distributionsRejectNegativeValuesNamingThem() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new PipelineMetrics.Sizes(-1, 0, 0, 0, 0));
        assertEquals("count must be >= 0: -1", count.getMessage());
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> new PipelineMetrics.Sizes(1, 5, 5, 5, -5));
        assertEquals("max must be >= 0: -5", max.getMessage());
        IllegalArgumentException p99 = assertThrows(IllegalArgumentException.class,
                () -> new PipelineMetrics.Timing(1, Duration.ofMillis(3), Duration.ofMillis(3), Duration.ofMillis(-3),
                        Duration.ofMillis(3)));
        assertEquals("p99 must be >= 0: PT-0.003S", p99.getMessage());
        IllegalArgumentException timingCount = assertThrows(IllegalArgumentException.class,
                () -> new PipelineMetrics.Timing(-2, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertEquals("count must be >= 0: -2", timingCount.getMessage());
    }
}
