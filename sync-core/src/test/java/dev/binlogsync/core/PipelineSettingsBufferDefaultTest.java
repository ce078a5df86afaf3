package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The defaults of {@code maxBulkActions} (4,000 from a 1 GiB max heap) and {@code maxBufferedActions}
 * (20,000 from a 1 GiB max heap), less in a smaller one.
 */
class PipelineSettingsBufferDefaultTest {

    private static final long MIB = 1L << 20;

    @Test
    void twentyThousandFromAOneGibHeapAndProportionallyFewerBelow() {
        // 20,000 actions per GiB of max heap below 1 GiB: 256 MiB is a quarter of it
        assertEquals(20_000, PipelineSettings.defaultMaxBufferedActions(1024 * MIB, 1000, 2));
        assertEquals(20_000, PipelineSettings.defaultMaxBufferedActions(Long.MAX_VALUE, 1000, 2));
        assertEquals(10_000, PipelineSettings.defaultMaxBufferedActions(512 * MIB, 1000, 2));
        assertEquals(5_000, PipelineSettings.defaultMaxBufferedActions(256 * MIB, 1000, 2));
    }

    @Test
    void neverFewerThanEveryRequestInFlightPlusOneBulk() {
        // 64 MiB would give 1,250: below 1000 x (2 in flight + 1)
        assertEquals(3_000, PipelineSettings.defaultMaxBufferedActions(64 * MIB, 1000, 2));
        assertEquals(25_000, PipelineSettings.defaultMaxBufferedActions(256 * MIB, 5000, 4));
    }

    @Test
    void theBuiltDefaultFollowsThisJvmsMaxHeapAndAnExplicitValueWins() {
        PipelineSettings.Builder b = PipelineSettings.builder().maxBulkActions(500).maxInFlightRequests(3);
        assertEquals(PipelineSettings.defaultMaxBufferedActions(Runtime.getRuntime().maxMemory(), 500, 3),
                b.build().maxBufferedActions());
        assertEquals(40_000, b.maxBufferedActions(40_000).build().maxBufferedActions());
        assertEquals(1_000, PipelineSettings.builder().maxBufferedActions(1_000).build().maxBufferedActions());
        // a copy keeps the effective value
        PipelineSettings built = PipelineSettings.builder().build();
        assertEquals(built.maxBufferedActions(), built.toBuilder().build().maxBufferedActions());
    }

    @Test
    void bulksOfFourThousandFromAOneGibHeapAndProportionallyFewerBelowButNeverUnderOneThousand() {
        assertEquals(4_000, PipelineSettings.defaultMaxBulkActions(1024 * MIB));
        assertEquals(4_000, PipelineSettings.defaultMaxBulkActions(Long.MAX_VALUE));
        assertEquals(2_000, PipelineSettings.defaultMaxBulkActions(512 * MIB));
        assertEquals(1_000, PipelineSettings.defaultMaxBulkActions(256 * MIB));
        assertEquals(1_000, PipelineSettings.defaultMaxBulkActions(64 * MIB));
    }

    @Test
    void theBuiltBulkSizeFollowsThisJvmsMaxHeapAnExplicitValueWinsAndASetBufferCapsTheDefault() {
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(PipelineSettings.defaultMaxBulkActions(heap), PipelineSettings.builder().build().maxBulkActions());
        assertEquals(PipelineSettings.defaultMaxBufferedActions(heap, PipelineSettings.defaultMaxBulkActions(heap), 2),
                PipelineSettings.builder().build().maxBufferedActions());
        assertEquals(250, PipelineSettings.builder().maxBulkActions(250).build().maxBulkActions());
        // a buffer bound below the default bulk size makes the bulks that size rather than failing the build
        PipelineSettings small = PipelineSettings.builder().maxBufferedActions(600).build();
        assertEquals(Math.min(600, PipelineSettings.defaultMaxBulkActions(heap)), small.maxBulkActions());
        // a copy keeps the effective value
        PipelineSettings built = PipelineSettings.builder().build();
        assertEquals(built.maxBulkActions(), built.toBuilder().build().maxBulkActions());
    }
}
