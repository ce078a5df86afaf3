package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link StreamLatency#of}'s reading of a pipeline's metrics, from snapshots a test builds. */
class PipelineLatencyTest {
    private final ManualClock clock = new ManualClock();
    private final AtomicReference<PipelineMetrics> metrics = new AtomicReference<>(PipelineMetrics.EMPTY);
    private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.RUNNING);

    /** A snapshot whose sync-latency timer has {@code count} values summing to {@code totalMillis}. */
    private static PipelineMetrics acked(long count, long totalMillis, long buffered) {
        // the windowed percentiles are set far off: the reading must not use them
        Duration off = Duration.ofHours(1);
        return PipelineMetrics.builder()
                .syncLatency(new PipelineMetrics.Timing(count, Duration.ofMillis(totalMillis), off, off, off))
                .bufferedActions(buffered).build();
    }

    private PipelineLatency latencyFrom(PipelineMetrics atStart) {
        metrics.set(atStart);
        return new PipelineLatency(metrics::get, state::get, clock);
    }

    @Test
    void theFirstReadingCoversOnlyTheActionsAcknowledgedSinceTheSignalWasMade() {
        // 1000 slow actions before: history, not now
        PipelineLatency latency = latencyFrom(acked(1000, 1000 * 9_000, 50));
        metrics.set(acked(1010, 1000 * 9_000 + 10 * 200, 50));
        assertEquals(Duration.ofMillis(200), latency.current());
    }

    @Test
    void aReadingIsTheMeanLatencyOfTheActionsAcknowledgedSinceThePreviousOne() {
        PipelineLatency latency = latencyFrom(acked(100, 100_000, 5));
        // 40 more actions, 40 * 250 ms more in total
        metrics.set(acked(140, 100_000 + 40 * 250, 5));
        assertEquals(Duration.ofMillis(250), latency.current());
        // then 10 slow ones
        metrics.set(acked(150, 100_000 + 40 * 250 + 10 * 3_000, 5));
        assertEquals(Duration.ofSeconds(3), latency.current());
    }

    @Test
    void nothingAcknowledgedWhileActionsWaitKeepsTheLastMeanOrTheTimeSinceTheLastAcknowledgementIfLonger() {
        PipelineLatency latency = latencyFrom(acked(10, 1_000, 0));
        metrics.set(acked(20, 1_000 + 10 * 3_000, 30));
        assertEquals(Duration.ofSeconds(3), latency.current());
        clock.advance(Duration.ofMillis(50));
        assertEquals(Duration.ofSeconds(3), latency.current(), "a short interval without an acknowledgement");
        clock.advance(Duration.ofSeconds(4));
        assertEquals(Duration.ofMillis(4050), latency.current(), "30 actions held, none acknowledged for 4.05 s");
    }

    /** A busy stream of events without an event time: bulks and commits rise, the latency timer stays empty. */
    private static PipelineMetrics untimed(long bulks, long retried) {
        return PipelineMetrics.builder().indexActions(bulks * 10).bulks(bulks).commits(bulks).retried(retried)
                .bufferedActions(5).build();
    }

    @Test
    void aStreamWhoseEventsHaveNoEventTimeIsNotBehindWhileItsBulksAreAnswered() {
        PipelineLatency latency = latencyFrom(untimed(10, 0));
        for (long bulks = 11; bulks <= 20; bulks++) {
            clock.advance(Duration.ofSeconds(5));
            metrics.set(untimed(bulks, 0));
            assertEquals(Duration.ZERO, latency.current(), "bulks answered, 5 actions held, after " + bulks);
        }
        // then only bulk answers without a commit: still progress
        clock.advance(Duration.ofSeconds(5));
        metrics.set(untimed(20, 0).toBuilder().bulks(21).build());
        assertEquals(Duration.ZERO, latency.current());
    }

    @Test
    void bulksWhoseItemsAreRetriedAreNoProgress() {
        // an overloaded node refuses the items (429 each) and the pipeline retries them: the bulks
        // are answered, nothing is acknowledged
        PipelineLatency latency = latencyFrom(untimed(10, 0));
        metrics.set(untimed(10, 0).toBuilder().bulks(12).retried(40).build());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(5), latency.current());
        metrics.set(untimed(10, 0).toBuilder().bulks(14).retried(80).build());
        clock.advance(Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(8), latency.current());
    }

    @Test
    void anIdleStreamIsNotBehindAndForgetsItsLastMean() {
        PipelineLatency latency = latencyFrom(acked(10, 1_000, 0));
        metrics.set(acked(20, 1_000 + 10 * 5_000, 0));
        assertEquals(Duration.ofSeconds(5), latency.current());
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Duration.ZERO, latency.current(), "nothing acknowledged, nothing held");
        metrics.set(acked(20, 1_000 + 10 * 5_000, 3));
        clock.advance(Duration.ofMillis(100));
        assertEquals(Duration.ofMillis(100), latency.current(), "work arrived 100 ms ago at most");
    }

    @Test
    void aPipelineThatIsNotRunningIsNotWaitedFor() {
        PipelineLatency latency = latencyFrom(acked(10, 1_000, 30));
        metrics.set(acked(20, 1_000 + 10 * 5_000, 30));
        state.set(PipelineState.FAILED);
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Duration.ZERO, latency.current());
    }
}
