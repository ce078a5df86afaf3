package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.ForwardingSource;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One test per rejected configuration. */
class SyncPipelineBuilderTest {

    private static SyncPipeline.Builder complete() {
        return SyncPipeline.builder()
                .source(new InMemorySource())
                .ruleSet((event, out) -> { })
                .sink(new RecordingBulkSink());
    }

    /** A source that must be polled at least every {@code limit}, like a Kafka consumer. */
    private static Source polledAtLeastEvery(Duration limit) {
        return new ForwardingSource(new InMemorySource()) {
            @Override
            public Optional<Duration> maxPollInterval() {
                return Optional.of(limit);
            }
        };
    }

    private static void rejects(String message, Runnable setter) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setter::run);
        assertEquals(message, e.getMessage());
    }

    private static void buildRejects(String message, SyncPipeline.Builder b) {
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertEquals(message, e.getMessage());
    }

    @Test
    void aCompleteConfigurationBuildsAPipelineInStateNew() {
        SyncPipeline p = complete().build();
        assertEquals(PipelineState.NEW, p.state());
        assertEquals(PipelineMetrics.EMPTY, p.metrics());
        p.close();
    }

    @Test
    void aFailedBuildClosesTheComponentsHandedOverAndNotTheCallersOwn() {
        InMemorySource handedOver = new InMemorySource();
        RecordingBulkSink callers = new RecordingBulkSink();
        SyncPipeline.Builder b = SyncPipeline.builder().source(handedOver).closeUnlessBuilt(handedOver)
                .ruleSet((event, out) -> { }).sink(callers).onRejected(FailurePolicy.DEAD_LETTER);
        buildRejects("onRejected is DEAD_LETTER but no deadLetterSink is set", b);
        assertTrue(handedOver.isClosed(), "handed over: closed");
        assertFalse(callers.isClosed(), "the caller's own: left to the caller");
    }

    @Test
    void aBuildAfterAFailedBuildClosedTheComponentsHandedOverIsRefusedAndClosesWhatWasHandedOverSince() {
        InMemorySource handedOver = new InMemorySource();
        SyncPipeline.Builder b = SyncPipeline.builder().source(handedOver).closeUnlessBuilt(handedOver)
                .ruleSet((event, out) -> { }).sink(new RecordingBulkSink()).onRejected(FailurePolicy.DEAD_LETTER);
        assertThrows(IllegalStateException.class, b::build);
        RecordingDeadLetterSink later = new RecordingDeadLetterSink();
        b.deadLetterSink(later).closeUnlessBuilt(later);

        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);

        assertTrue(e.getMessage().contains("were closed by a failed build()"), e.getMessage());
        assertTrue(later.isClosed(), "handed over after the failure: closed too");
    }

    @Test
    void aFailedBuildWithNothingHandedOverCanBeFixedAndBuiltAgain() {
        SyncPipeline.Builder b = complete().onRejected(FailurePolicy.DEAD_LETTER);
        assertThrows(IllegalStateException.class, b::build);
        try (SyncPipeline p = b.deadLetterSink(new RecordingDeadLetterSink()).build()) {
            assertEquals(PipelineState.NEW, p.state());
        }
    }

    @Test
    void discardClosesTheComponentsHandedOverAndNotTheCallersOwnAndLaterBuildsThrow() {
        InMemorySource handedOver = new InMemorySource();
        RecordingBulkSink callers = new RecordingBulkSink();
        SyncPipeline.Builder b = SyncPipeline.builder().source(handedOver).closeUnlessBuilt(handedOver)
                .ruleSet((event, out) -> { }).sink(callers);
        assertThrows(IllegalArgumentException.class, () -> b.maxBulkActions(0));
        assertFalse(handedOver.isClosed(), "a setter that throws closes nothing");

        b.discard();
        b.discard();

        assertTrue(handedOver.isClosed(), "handed over: closed");
        assertFalse(callers.isClosed(), "the caller's own: left to the caller");
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().contains("closed by discard()"), e.getMessage());
    }

    @Test
    void rejectsZeroMaxBulkActions() {
        rejects("maxBulkActions must be >= 1: 0", () -> complete().maxBulkActions(0));
    }

    @Test
    void rejectsZeroMaxBulkBytes() {
        rejects("maxBulkBytes must be >= 1: 0", () -> complete().maxBulkBytes(0));
    }

    @Test
    void rejectsZeroFlushInterval() {
        rejects("flushInterval must be > 0: PT0S", () -> complete().flushInterval(Duration.ZERO));
    }

    @Test
    void rejectsNegativeFlushInterval() {
        rejects("flushInterval must be > 0: PT-1S", () -> complete().flushInterval(Duration.ofSeconds(-1)));
    }

    @Test
    void rejectsZeroMaxInFlightRequests() {
        rejects("maxInFlightRequests must be >= 1: 0", () -> complete().maxInFlightRequests(0));
    }

    @Test
    void rejectsZeroLanes() {
        rejects("lanes must be >= 1: 0", () -> complete().lanes(0));
    }

    @Test
    void rejectsZeroMaxBufferedActions() {
        rejects("maxBufferedActions must be >= 1: 0", () -> complete().maxBufferedActions(0));
    }

    @Test
    void rejectsZeroMaxBufferedBytes() {
        rejects("maxBufferedBytes must be >= 1: 0", () -> complete().maxBufferedBytes(0));
    }

    @Test
    void rejectsZeroRetryInitialBackoff() {
        rejects("retryInitialBackoff must be > 0: PT0S", () -> complete().retryInitialBackoff(Duration.ZERO));
    }

    @Test
    void rejectsZeroRetryMaxBackoff() {
        rejects("retryMaxBackoff must be > 0: PT0S", () -> complete().retryMaxBackoff(Duration.ZERO));
    }

    @Test
    void buildRejectsRetryMaxBackoffBelowRetryInitialBackoff() {
        buildRejects("retryMaxBackoff (PT1S) must be >= retryInitialBackoff (PT2S)",
                complete().retryInitialBackoff(Duration.ofSeconds(2)).retryMaxBackoff(Duration.ofSeconds(1)));
    }

    @Test
    void rejectsNegativeMaxRetries() {
        rejects("maxRetries must be >= 0: -1", () -> complete().maxRetries(-1));
    }

    @Test
    void rejectsNegativeCommitInterval() {
        rejects("commitInterval must be >= 0: PT-0.001S", () -> complete().commitInterval(Duration.ofMillis(-1)));
    }

    @Test
    void rejectsZeroPollTimeout() {
        rejects("pollTimeout must be > 0: PT0S", () -> complete().pollTimeout(Duration.ZERO));
    }

    @Test
    void rejectsZeroDrainTimeout() {
        rejects("drainTimeout must be > 0: PT0S", () -> complete().drainTimeout(Duration.ZERO));
    }

    @Test
    void rejectsBlankThreadName() {
        rejects("threadName must not be blank: ' '", () -> complete().threadName(" "));
    }

    @Test
    void rejectsNullSource() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> SyncPipeline.builder().source(null));
        assertEquals("source", e.getMessage());
    }

    @Test
    void rejectsNegativeCloseTimeout() {
        SyncPipeline p = complete().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.close(Duration.ofSeconds(-1)));
        assertEquals("timeout must be >= 0: PT-1S", e.getMessage());
        p.close();
    }

    @Test
    void buildRejectsMissingSource() {
        buildRejects("source is required", SyncPipeline.builder().ruleSet((e, o) -> { }).sink(new RecordingBulkSink()));
    }

    @Test
    void buildRejectsMissingRuleSet() {
        buildRejects("ruleSet is required", SyncPipeline.builder().source(new InMemorySource())
                .sink(new RecordingBulkSink()));
    }

    @Test
    void buildRejectsMissingSink() {
        buildRejects("sink is required", SyncPipeline.builder().source(new InMemorySource()).ruleSet((e, o) -> { }));
    }

    @Test
    void buildRejectsDeadLetterDecodePolicyWithoutDeadLetterSink() {
        buildRejects("onDecodeFailure is DEAD_LETTER but no deadLetterSink is set",
                complete().onDecodeFailure(FailurePolicy.DEAD_LETTER));
    }

    @Test
    void buildRejectsDeadLetterRejectionPolicyWithoutDeadLetterSink() {
        buildRejects("onRejected is DEAD_LETTER but no deadLetterSink is set",
                complete().onRejected(FailurePolicy.DEAD_LETTER));
    }

    @Test
    void buildAcceptsDeadLetterPoliciesWithDeadLetterSink() {
        complete().onRejected(FailurePolicy.DEAD_LETTER).onDecodeFailure(FailurePolicy.DEAD_LETTER)
                .deadLetterSink(new RecordingDeadLetterSink()).build().close();
    }

    @Test
    void buildRejectsFewerLanesThanMaxInFlightRequests() {
        buildRejects("lanes (2) must be >= maxInFlightRequests (4): at most one bulk is in flight per lane",
                complete().maxInFlightRequests(4).lanes(2));
    }

    @Test
    void buildRejectsMaxBufferedActionsBelowMaxBulkActions() {
        buildRejects("maxBufferedActions (10) must be >= maxBulkActions (1000)", complete().maxBulkActions(1000).maxBufferedActions(10));
    }

    @Test
    void buildRejectsMaxBufferedBytesBelowMaxBulkBytes() {
        buildRejects("maxBufferedBytes (1024) must be >= maxBulkBytes (5242880)", complete().maxBufferedBytes(1024));
    }

    @Test
    void buildRejectsADrainTimeoutNotBelowTheSourcesMaxPollInterval() {
        buildRejects("drainTimeout (PT30S) must be below the source's maxPollInterval (PT30S): the pipeline does not "
                + "poll while it drains a revoke or a close, and a source not polled for that long leaves its group "
                + "(Kafka: max.poll.interval.ms) and cannot commit what the drain wrote",
                complete().source(polledAtLeastEvery(Duration.ofSeconds(30))).drainTimeout(Duration.ofSeconds(30)));
    }

    @Test
    void buildAcceptsADrainTimeoutBelowTheSourcesMaxPollInterval() {
        complete().source(polledAtLeastEvery(Duration.ofSeconds(31))).drainTimeout(Duration.ofSeconds(30)).build().close();
    }

    @Test
    void rejectsACloseTimeoutNotBelowTheSourcesMaxPollInterval() {
        SyncPipeline p = complete().source(polledAtLeastEvery(Duration.ofMinutes(1))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.close(Duration.ofMinutes(2)));
        assertEquals("close timeout (PT2M) must be below the source's maxPollInterval (PT1M): the pipeline does not "
                + "poll while it drains a revoke or a close, and a source not polled for that long leaves its group "
                + "(Kafka: max.poll.interval.ms) and cannot commit what the drain wrote", e.getMessage());
        assertEquals(PipelineState.NEW, p.state());
        p.close();
    }
}
