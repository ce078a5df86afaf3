package dev.binlogsync.core.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BackfillMeterBinderTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double counter(String name, String table) {
        FunctionCounter c = registry.find(name).tags("pipeline", "shop", "table", table).functionCounter();
        assertTrue(c != null, name + " of " + table + " registered");
        return c.count();
    }

    private double gauge(String name, String table) {
        Gauge g = registry.find(name).tags("pipeline", "shop", "table", table).gauge();
        assertTrue(g != null, name + " of " + table + " registered");
        return g.value();
    }

    @Test
    void showsTheLastProgressOfEachTableTaggedWithPipelineAndTable() {
        BackfillMeterBinder meters = new BackfillMeterBinder("shop");
        meters.bindTo(registry);
        meters.tableStarted("shop.orders", Checkpoint.start());
        assertEquals(0.0, counter("binlogsync.backfill.rows", "shop.orders"), "registered at the table's start");
        assertTrue(Double.isNaN(gauge("binlogsync.backfill.rows.left", "shop.orders")), "unknown before a chunk");

        meters.chunkDone(new BackfillProgress("shop.orders", 1000, 250.0, 4000L, 990, 10, 2, 1));
        meters.chunkDone(new BackfillProgress("shop.orders", 2000, 500.0, 3000L, 1985, 15, 3, 2));
        assertEquals(2000.0, counter("binlogsync.backfill.rows", "shop.orders"));
        assertEquals(1985.0, registry.find("binlogsync.backfill.creates").tags("table", "shop.orders", "outcome", "created")
                .functionCounter().count());
        assertEquals(15.0, registry.find("binlogsync.backfill.creates").tags("table", "shop.orders", "outcome", "existed")
                .functionCounter().count());
        assertEquals(3.0, counter("binlogsync.backfill.copies.removed", "shop.orders"));
        assertEquals(2.0, counter("binlogsync.backfill.chunks", "shop.orders"));
        assertEquals(3000.0, gauge("binlogsync.backfill.rows.left", "shop.orders"));
        assertEquals(500.0, gauge("binlogsync.backfill.rows.per.second", "shop.orders"));
        assertEquals(0.0, gauge("binlogsync.backfill.finished", "shop.orders"));
        assertEquals(0.0, counter("binlogsync.backfill.failures", "shop.orders"));

        meters.tableFinished(new BackfillProgress("shop.orders", 5000, 600.0, 0L, 4980, 20, 3, 5));
        assertEquals(1.0, gauge("binlogsync.backfill.finished", "shop.orders"));
        assertEquals(5000.0, counter("binlogsync.backfill.rows", "shop.orders"));
    }

    @Test
    void countsTheSecondsATableWaitedForTheStream() {
        BackfillMeterBinder meters = new BackfillMeterBinder("shop");
        meters.bindTo(registry);
        meters.tableStarted("shop.orders", Checkpoint.start());
        assertEquals(0.0, counter("binlogsync.backfill.yielded.seconds", "shop.orders"));
        meters.chunkDone(new BackfillProgress("shop.orders", 1000, 250.0, 4000L, 990, 10, 2, 1,
                java.time.Duration.ofMillis(2500)));
        assertEquals(2.5, counter("binlogsync.backfill.yielded.seconds", "shop.orders"));
    }

    @Test
    void countsFailuresPerTable() {
        BackfillMeterBinder meters = new BackfillMeterBinder("shop");
        meters.bindTo(registry);
        meters.failed("shop.users");
        meters.failed("shop.users");
        assertEquals(2.0, counter("binlogsync.backfill.failures", "shop.users"));
    }

    @Test
    void tablesSeenBeforeBindingAreRegisteredWhenBound() {
        BackfillMeterBinder meters = new BackfillMeterBinder("shop");
        meters.chunkDone(new BackfillProgress("shop.orders", 10, 1.0, null, 10, 0, 0, 1));
        assertNull(registry.find("binlogsync.backfill.rows").functionCounter());
        meters.bindTo(registry);
        assertEquals(10.0, counter("binlogsync.backfill.rows", "shop.orders"));
        assertTrue(Double.isNaN(gauge("binlogsync.backfill.rows.left", "shop.orders")), "an unknown estimate is NaN");
    }

    @Test
    void registersNoNewTableAfterClose() {
        BackfillMeterBinder meters = new BackfillMeterBinder("shop");
        meters.bindTo(registry);
        meters.close();
        meters.tableStarted("shop.late", Checkpoint.start());
        assertNull(registry.find("binlogsync.backfill.rows").tags("table", "shop.late").functionCounter());
        assertEquals(1, meters.progress().size(), "still followed for the status");
    }
}
