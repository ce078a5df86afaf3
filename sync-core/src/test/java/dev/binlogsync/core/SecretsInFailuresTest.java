package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.ForwardingSource;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user component (filter, customizer, sink, source, listener) fails with a message that quotes a
 * URL with credentials and a {@code password=} pair: the pipeline fails or dead-letters as its
 * policy says, and neither the log, the health reason, the dead letter nor the exception the
 * pipeline throws carries the password, while the host is still named.
 */
@Timeout(60)
class SecretsInFailuresTest {
    private static final String SECRET = "hunter2";
    private static final String MESSAGE =
            "cannot reach https://admin:" + SECRET + "@es.example:9200/orders?pretty with password=" + SECRET;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final RecordingDeadLetterSink dlq = new RecordingDeadLetterSink();

    private SyncPipeline.Builder builder(RuleSet rules) {
        return SyncPipeline.builder()
                .source(source)
                .ruleSet(rules)
                .sink(sink)
                .flushInterval(Duration.ofMillis(5))
                .commitInterval(Duration.ZERO)
                .threadName("secrets-pipeline");
    }

    private static RuleSet rules(TableRule.Builder rule) {
        return Rules.builder().rule(rule.table("orders").index("orders").build()).build();
    }

    private static ChangeEvent insert(Object id) {
        return Events.insert("shop", "orders", row(id));
    }

    /** Runs {@code action} while slf4j-simple (which writes to the System.err of the moment) logs into a buffer. */
    private static String logOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** The pipeline runs on this thread until it fails; returns the log, the exception's message and the health reason. */
    private static List<String> runUntilFailure(SyncPipeline p) {
        String[] message = new String[1];
        String log = logOf(() -> message[0] = assertThrows(SyncException.class, p::run).getMessage());
        assertEquals(PipelineHealth.Status.FAILED, p.health().status());
        return List.of(log, message[0], p.health().reason());
    }

    private static void assertCleanButClear(String what, String text) {
        assertFalse(text.contains(SECRET), what + ": " + text);
        assertTrue(text.contains("https://es.example:9200"), what + " names the host: " + text);
    }

    @Test
    void aFilterThrowingWithCredentialsFailsThePipelineWithoutThemInTheLogTheErrorOrTheHealth() {
        source.append("orders-0", insert(1));
        SyncPipeline p = builder(rules(TableRule.builder().filter((row, event) -> {
            throw new IllegalStateException(MESSAGE);
        }))).build();

        List<String> seen = runUntilFailure(p);

        assertCleanButClear("log", seen.get(0));
        assertTrue(seen.get(0).contains("pipeline secrets-pipeline failed"), seen.get(0));
        assertTrue(seen.get(0).contains("at dev.binlogsync.core.SecretsInFailuresTest"), "frames kept: " + seen.get(0));
        assertTrue(seen.get(0).contains("password=****"), seen.get(0));
        assertCleanButClear("exception", seen.get(1));
        assertTrue(seen.get(1).contains("orders-0"), "names the position: " + seen.get(1));
        assertCleanButClear("health reason", seen.get(2));
    }

    @Test
    void aCustomizerThrowingWithCredentialsIsDeadLetteredWithoutThem() throws InterruptedException {
        source.append("orders-0", insert(1));
        SyncPipeline[] p = new SyncPipeline[1];
        p[0] = builder(rules(TableRule.builder().customizer((document, event) -> {
            throw new IllegalArgumentException(MESSAGE);
        }))).onDecodeFailure(FailurePolicy.DEAD_LETTER).deadLetterSink(dlq).build();

        String log = logOf(() -> {
            p[0].start();
            try {
                assertTrue(dlq.awaitLetters(1, WAIT));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                p[0].close(WAIT);
            }
        });

        DeadLetter letter = dlq.letters().get(0);
        assertEquals(DeadLetter.Kind.UNMAPPABLE, letter.kind());
        assertCleanButClear("dead letter", letter.reason());
        assertFalse(log.contains(SECRET), log);
    }

    @Test
    void aSinkThrowingWithCredentialsFailsThePipelineWithoutThem() {
        source.append("orders-0", insert(1));
        sink.defaultReply(RecordingBulkSink.Reply.failRequest(new IllegalStateException(MESSAGE)));
        SyncPipeline p = builder(rules(TableRule.builder())).build();

        List<String> seen = runUntilFailure(p);

        assertCleanButClear("log", seen.get(0));
        assertCleanButClear("exception", seen.get(1));
        assertTrue(seen.get(1).contains("java.lang.IllegalStateException"), seen.get(1));
        assertCleanButClear("health reason", seen.get(2));
    }

    @Test
    void aSourceThrowingWithCredentialsFailsThePipelineWithoutThem() {
        source.append("orders-0", insert(1));
        Source failing = new ForwardingSource(source) {
            @Override
            public List<SourceRecord> poll(Duration timeout) {
                throw new IllegalStateException(MESSAGE, new RuntimeException("cause: token=" + SECRET));
            }
        };
        SyncPipeline p = builder(rules(TableRule.builder())).source(failing).build();

        List<String> seen = runUntilFailure(p);

        assertCleanButClear("log", seen.get(0));
        assertTrue(seen.get(0).contains("Caused by: java.lang.RuntimeException: cause: token=****"), seen.get(0));
        assertCleanButClear("exception", seen.get(1));
        assertCleanButClear("health reason", seen.get(2));
    }

    @Test
    void aListenerThrowingWithCredentialsIsLoggedWithoutThem() throws InterruptedException {
        source.append("orders-0", insert(1));
        SyncPipeline p = builder(rules(TableRule.builder())).listener(new PipelineListener() {
            @Override
            public void onBulkCompleted(BulkSummary summary) {
                throw new IllegalStateException(MESSAGE);
            }
        }).build();

        String log = logOf(() -> {
            p.start();
            try {
                assertTrue(sink.awaitRequests(1, WAIT));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                p.close(WAIT);
            }
        });

        assertTrue(log.contains("listener failed in onBulkCompleted"), log);
        assertCleanButClear("log", log);
        assertEquals(PipelineHealth.Status.STOPPED, p.health().status());
    }
}
