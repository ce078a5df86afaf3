package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The late-write fence is waited out whatever happens: a create in doubt may still land until it has passed. */
class BackfillFenceTest {

    @Test
    void anInterruptDuringTheFenceStopsTheBackfillOnlyAfterTheFenceHasPassedAndKeepsTheInterrupt() {
        long fenceMillis = 300;
        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        BackfillException e = assertThrows(BackfillException.class, () -> Backfill.awaitFence(fenceMillis));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        boolean interrupted = Thread.interrupted();
        assertTrue(interrupted, "the interrupt is re-asserted");
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        // a lower bound only: the fence must not be cut short by the interrupt
        assertTrue(waited >= fenceMillis, "returned after " + waited + " ms, before the " + fenceMillis + " ms fence");
    }
}
