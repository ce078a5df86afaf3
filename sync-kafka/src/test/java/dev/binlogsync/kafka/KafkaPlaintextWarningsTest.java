package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Building a Kafka client whose credentials or data would cross the network without TLS, or with
 * hostname verification off, logs a WARN naming the setting and never the secret. Tests use
 * slf4j-simple, which writes to {@code System.err}.
 */
class KafkaPlaintextWarningsTest {
    private static final String PASSWORD = "hunter2-kafka";

    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertWarns(String log, String... words) {
        assertTrue(log.contains("WARN dev.binlogsync.kafka."), log);
        for (String w : words) {
            assertTrue(log.contains(w), "'" + w + "' in: " + log);
        }
        assertFalse(log.contains(PASSWORD), log);
    }

    @Test
    void saslPlainWithoutTlsWarnsAtBuildWithoutThePassword() {
        String log = stderrOf(() -> KafkaSourceBuilderTest.valid()
                .security(KafkaSecurity.saslPlain("sync", PASSWORD)).build());
        assertWarns(log, "SASL_PLAINTEXT", "PLAIN", "unencrypted");
    }

    @Test
    void scramWithoutTlsWarnsAtBuild() {
        String log = stderrOf(() -> KafkaSourceBuilderTest.valid()
                .security(KafkaSecurity.scramSha512("sync", PASSWORD)).build());
        assertWarns(log, "SASL_PLAINTEXT", "SCRAM-SHA-512");
    }

    @Test
    void saslPlainTextGivenAsRawPropertiesWarnsToo() {
        String log = stderrOf(() -> KafkaSourceBuilderTest.valid().property("security.protocol", "sasl_plaintext")
                .property("sasl.mechanism", "PLAIN")
                .property("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"sync\" password=\"" + PASSWORD + "\";").build());
        assertWarns(log, "SASL_PLAINTEXT", "PLAIN");
    }

    @Test
    void hostnameVerificationSwitchedOffWarns() {
        String log = stderrOf(() -> KafkaSourceBuilderTest.valid()
                .security(KafkaSecurity.scramSha512("sync", PASSWORD).withTruststore(Path.of("/nonexistent.p12"), PASSWORD))
                .property("ssl.endpoint.identification.algorithm", "").build());
        assertWarns(log, "ssl.endpoint.identification.algorithm", "hostname verification");
        assertFalse(log.contains("SASL_PLAINTEXT"), log);
    }

    @Test
    void theDeadLetterSinkWarnsTheSameWay() {
        String log = stderrOf(() -> KafkaDeadLetterSink.builder().bootstrapServers("127.0.0.1:1").topic("dlq")
                .security(KafkaSecurity.saslPlain("sync", PASSWORD)).build().close());
        assertWarns(log, "SASL_PLAINTEXT", "PLAIN");
    }

    @Test
    void tlsWithHostnameVerificationDoesNotWarn() {
        String log = stderrOf(() -> KafkaSourceBuilderTest.valid()
                .security(KafkaSecurity.scramSha512("sync", PASSWORD).withSsl()).build());
        assertFalse(log.contains("WARN dev.binlogsync"), log);
        String plain = stderrOf(() -> KafkaSourceBuilderTest.valid().build());
        assertFalse(plain.contains("WARN dev.binlogsync"), "no credentials, nothing to warn about: " + plain);
    }
}
