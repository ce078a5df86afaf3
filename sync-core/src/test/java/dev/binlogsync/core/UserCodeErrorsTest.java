package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.INDEX;
import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.ForwardingSource;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Java {@link Error}s thrown by the rule set or other user code: one event's error goes to the
 * decode-failure policy like an exception does; a virtual-machine error fails the pipeline; a
 * listener never breaks it; whatever happens, the pipeline ends FAILED or CLOSED, never a dead
 * thread in RUNNING.
 */
@Timeout(60)
class UserCodeErrorsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final RecordingDeadLetterSink dlq = new RecordingDeadLetterSink();
    private final List<SyncPipeline> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (SyncPipeline p : started) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private SyncPipeline.Builder builder() {
        return SyncPipeline.builder()
                .source(source)
                .ruleSet(TestRules.byOperation())
                .sink(sink)
                .flushInterval(Duration.ofMillis(5))
                .commitInterval(Duration.ZERO)
                .threadName("errors-pipeline");
    }

    private SyncPipeline start(SyncPipeline.Builder b) {
        SyncPipeline p = b.build();
        started.add(p);
        p.start();
        return p;
    }

    private static ChangeEvent insert(Object id) {
        return Events.insert("shop", "orders", row(id));
    }

    /** Rules that throw {@code error} for the row with id 2 and index every other row. */
    private static RuleSet throwingFor2(Error error) {
        return (event, out) -> {
            if (event.row().get("id").equals(2)) {
                throw error;
            }
            TestRules.byOperation().apply(event, out);
        };
    }

    @Test
    void assertionErrorInTheRulesGoesToTheDecodeFailurePolicyNamingThePosition() throws Exception {
        SyncPipeline p = start(builder().ruleSet(throwingFor2(new AssertionError("rule invariant broken")))
                .onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        SourcePosition bad = source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        assertEquals(1, dlq.letters().size());
        DeadLetter letter = dlq.letters().get(0);
        assertEquals(DeadLetter.Kind.UNMAPPABLE, letter.kind());
        assertEquals(List.of(bad), letter.positions());
        assertTrue(letter.reason().contains(bad.toString()), letter.reason());
        assertTrue(letter.reason().contains("AssertionError"), letter.reason());
        assertNotNull(sink.document(INDEX, "1"));
        assertNotNull(sink.document(INDEX, "3"));
    }

    @Test
    void aRuleSetThatProducesTheBackfillsCreateOrConditionalDeleteOrUpdateIsRefusedNamingTheDocument()
            throws Exception {
        RuleSet rules = (event, out) -> {
            Object id = event.row().get("id");
            if (id.equals(2)) {
                out.collect(new DocumentAction(INDEX, "2", null, ActionType.CREATE, java.util.Map.of("id", 2), null, null));
            } else if (id.equals(3)) {
                out.collect(DocumentAction.deleteIf(INDEX, "3", 7, 1));
            } else if (id.equals(4)) {
                out.collect(new DocumentAction(INDEX, "4", null, ActionType.UPDATE, java.util.Map.of("f", 4), null, null,
                        7L, 1L));
            } else {
                TestRules.byOperation().apply(event, out);
            }
        };
        SyncPipeline p = start(builder().ruleSet(rules).onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        SourcePosition create = source.append(P, insert(2));
        SourcePosition conditional = source.append(P, insert(3));
        SourcePosition conditionalUpdate = source.append(P, insert(4));
        source.append(P, insert(5));
        assertTrue(source.awaitCommitted(P, 4, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        assertEquals(3, dlq.letters().size());
        assertEquals(create, dlq.letters().get(0).record().position());
        assertTrue(dlq.letters().get(0).reason().contains("a CREATE for " + INDEX + "/2"), dlq.letters().get(0).reason());
        assertEquals(conditional, dlq.letters().get(1).record().position());
        assertTrue(dlq.letters().get(1).reason().contains("a conditional DELETE for " + INDEX + "/3"),
                dlq.letters().get(1).reason());
        assertEquals(conditionalUpdate, dlq.letters().get(2).record().position());
        assertTrue(dlq.letters().get(2).reason().contains("a conditional UPDATE for " + INDEX + "/4"),
                dlq.letters().get(2).reason());
        assertNotNull(sink.document(INDEX, "1"));
        assertNotNull(sink.document(INDEX, "5"));
        assertNull(sink.document(INDEX, "2"));
    }

    @Test
    void anErrorThrownByAUserFilterGoesToTheDecodeFailurePolicy() throws Exception {
        Filter filter = (r, event) -> {
            if (r.get("id").equals(2)) {
                throw new AssertionError("filter bug");
            }
            return true;
        };
        RuleSet rules = dev.binlogsync.core.rules.Rules.builder()
                .rule(dev.binlogsync.core.rules.TableRule.builder().database("shop").table("orders").index(INDEX)
                        .filter(filter).build())
                .build();
        SyncPipeline p = start(builder().ruleSet(rules).onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        SourcePosition bad = source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        assertEquals(1, dlq.letters().size());
        assertEquals(bad, dlq.letters().get(0).record().position());
        assertTrue(dlq.letters().get(0).reason().contains("filter bug"), dlq.letters().get(0).reason());
        assertNotNull(sink.document(INDEX, "3"));
    }

    @Test
    void stackOverflowInTheRulesIsSkippedByPolicySkipLikeAnException() throws Exception {
        SyncPipeline p = start(builder().ruleSet(throwingFor2(new StackOverflowError()))
                .onDecodeFailure(FailurePolicy.SKIP));
        source.append(P, insert(1));
        source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        Await.value(WAIT, "one skipped record counted", p::metrics, m -> m.skipped() == 1);
        assertNull(sink.document(INDEX, "2"));
        assertNotNull(sink.document(INDEX, "3"));
    }

    @Test
    void stackOverflowInTheRulesStopsThePipelineNamingThePositionUnderPolicyStop() throws Exception {
        StackOverflowError error = new StackOverflowError();
        SyncPipeline p = start(builder().ruleSet(throwingFor2(error)));
        source.append(P, insert(1));
        SourcePosition bad = source.append(P, insert(2));
        source.append(P, insert(3));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        Throwable failure = p.failure();
        assertInstanceOf(SyncException.class, failure);
        assertTrue(failure.getMessage().contains(bad.toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains("shop.orders"), failure.getMessage());
        assertSame(error, failure.getCause());
        // what came before the failed record is still written and committed, nothing after it
        assertEquals(new SourcePosition(P, 0), source.committed(P));
        assertNull(sink.document(INDEX, "3"));
    }

    @Test
    void outOfMemoryErrorInTheRulesFailsThePipelineWithThatCauseAndClosesWhatItOwns() throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space (thrown by the test)");
        SyncPipeline p = start(builder().ruleSet(throwingFor2(error))
                .onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1), insert(2));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertSame(error, p.failure());
        assertTrue(dlq.letters().isEmpty(), "a virtual-machine error is no record's fault");
        assertNull(source.committed(P));
        assertTrue(source.isClosed());
        assertTrue(sink.isClosed());
        assertTrue(dlq.isClosed());
    }

    @Test
    void runRethrowsAVirtualMachineErrorAsItIs() {
        OutOfMemoryError error = new OutOfMemoryError("Java heap space (thrown by the test)");
        SyncPipeline p = builder().ruleSet(throwingFor2(error)).build();
        source.append(P, insert(2));
        OutOfMemoryError thrown = org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class, p::run);
        assertSame(error, thrown);
        assertEquals(PipelineState.FAILED, p.state());
    }

    /** A listener whose every callback throws an Error. */
    private static final class ThrowingListener implements PipelineListener {
        @Override
        public void onStateChange(PipelineState from, PipelineState to) {
            throw new AssertionError("listener onStateChange " + from + "->" + to);
        }

        @Override
        public void onFailure(Throwable failure) {
            throw new AssertionError("listener onFailure");
        }

        @Override
        public void onBulkCompleted(BulkSummary summary) {
            throw new AssertionError("listener onBulkCompleted");
        }

        @Override
        public void onPartitionsAssigned(Collection<String> partitions) {
            throw new ExceptionInInitializerError("listener onPartitionsAssigned");
        }
    }

    @Test
    void aListenerThrowingErrorsDoesNotBreakThePipeline() throws Exception {
        SyncPipeline p = start(builder().listener(new ThrowingListener()));
        source.append(P, insert(1));
        source.append(P, insert(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        assertEquals(PipelineState.RUNNING, p.state());
        assertNull(p.failure());
        p.close();
        assertEquals(PipelineState.CLOSED, p.state());
        assertTrue(source.isClosed());
    }

    @Test
    void aListenerThrowingOnPartitionsAssignedIsAnObserverAndThePartitionIsStillWrittenAndCommitted()
            throws Exception {
        List<Collection<String>> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        PipelineListener throwing = new PipelineListener() {
            @Override
            public void onPartitionsAssigned(Collection<String> partitions) {
                heard.add(List.copyOf(partitions));
                throw new IllegalStateException("observer broke on " + partitions);
            }
        };
        source.assign(P);
        source.append(P, insert(1));
        source.append(P, insert(2));
        SyncPipeline p = start(builder().listener(throwing));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        assertEquals(List.of(List.of(P)), List.copyOf(heard));
        assertEquals(PipelineState.RUNNING, p.state());
        assertNull(p.failure());
        assertEquals(java.util.Map.of("id", 1), sink.document(INDEX, "1"));
        assertEquals(java.util.Map.of("id", 2), sink.document(INDEX, "2"));
    }

    @Test
    void aSourceWhosePreparationOfAnAssignedPartitionFailsFailsThePipelineBeforeItWritesThePartition()
            throws Exception {
        IllegalStateException refused = new IllegalStateException("cannot prepare partitions [" + P + "]");
        Source preparing = new ForwardingSource(source) {
            @Override
            public void open(PartitionListener pipeline) {
                super.open(new PartitionListener() {
                    @Override
                    public void onAssigned(Collection<String> partitions) {
                        throw refused; // the source's own step before it hands the partitions on
                    }

                    @Override
                    public void onRevoked(Collection<String> partitions) {
                        pipeline.onRevoked(partitions);
                    }

                    @Override
                    public void onLost(Collection<String> partitions) {
                        pipeline.onLost(partitions);
                    }
                });
            }
        };
        source.assign(P);
        source.append(P, insert(1));
        SyncPipeline p = start(builder().source(preparing));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertSame(refused, p.failure());
        assertTrue(sink.requests().isEmpty(), "nothing of the partition was written: " + sink.requests());
        assertNull(source.committed(P), "nothing committed");
        assertTrue(sink.isClosed());
    }

    @Test
    void everyListenerHearsEveryEventInTheOrderAddedAlsoAfterAnEarlierOneThrows() throws Exception {
        List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        PipelineListener recording = new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                heard.add("second " + from + "->" + to);
            }

            @Override
            public void onBulkCompleted(BulkSummary summary) {
                heard.add("second bulk " + summary.actions());
            }
        };
        PipelineListener first = new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                heard.add("first " + from + "->" + to);
            }
        };
        SyncPipeline p = start(builder().listener(first).listener(new ThrowingListener()).listener(recording));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        p.close();
        // the throwing listener sits between the two: it keeps nothing from the third
        assertEquals(List.of("first NEW->RUNNING", "second NEW->RUNNING", "second bulk 1", "first RUNNING->CLOSED",
                "second RUNNING->CLOSED"), List.copyOf(heard));
    }

    @Test
    void aListenerThrowingInOnFailureStillLetsThePipelineEndFailed() throws Exception {
        SyncPipeline p = start(builder().listener(new ThrowingListener()));
        source.appendUndecodable(P, "{", "truncated");
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertTrue(p.failure().getMessage().contains(P + "@0"), p.failure().getMessage());
        assertTrue(sink.isClosed());
    }

    @Test
    void aSourceWhoseCloseThrowsAnErrorStillLetsThePipelineEndAndCloseTheSinks() throws Exception {
        Source closeFails = new ForwardingSource(source) {
            @Override
            public void close() {
                super.close();
                throw new AssertionError("source close failed");
            }
        };
        SyncPipeline p = start(builder().source(closeFails).onRejected(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq));
        source.append(P, insert(1));
        assertTrue(source.awaitCommitted(P, 0, WAIT));
        p.close();
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.CLOSED, p.state());
        assertTrue(sink.isClosed());
        assertTrue(dlq.isClosed());
    }

    @Test
    void anErrorThrownByTheSourceFailsThePipelineWithThatCause() throws Exception {
        AssertionError error = new AssertionError("poll broke");
        Source pollFails = new ForwardingSource(source) {
            private int polls;

            @Override
            public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
                if (++polls == 3) {
                    throw error;
                }
                return super.poll(timeout);
            }
        };
        SyncPipeline p = start(builder().source(pollFails));
        assertTrue(p.awaitTermination(WAIT));
        assertEquals(PipelineState.FAILED, p.state());
        assertSame(error, p.failure());
        assertTrue(source.isClosed());
        assertTrue(sink.isClosed());
    }
}
