package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Keeps {@link BufferFootprintHarness} working: it buffers every action and measures a heap that holds them. */
class BufferFootprintHarnessTest {

    @Test
    void buffersEveryActionAndFindsTheHeapTheyHold() {
        BufferFootprintHarness.Footprint f = BufferFootprintHarness.measure(20_000);
        assertEquals(20_000, f.actions(), "every row is a different document: nothing coalesces");
        assertTrue(f.counted() > 20_000L * 96, "each action counts its record and its document: " + f);
        // about 780 B each (BENCHMARKS.md): well above zero, and not a gigabyte of noise
        assertTrue(f.retained() > f.counted() / 2 && f.retained() < 50L * f.counted(), "retained heap: " + f);
    }
}
