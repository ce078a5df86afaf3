package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KafkaSource} over TLS against the in-process broker's SSL listener, whose self-signed
 * certificate names only {@code localhost}: it reads with the certificate trusted and the host
 * name verified (Kafka's default), and fails clearly when the host name does not match.
 */
@Timeout(120)
class KafkaSourceTlsIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.builder().sslListener().start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaSource.Builder tlsSource(String servers, String topic, String group) {
        return KafkaSource.builder().bootstrapServers(servers).groupId(group).topics(topic)
                .decoder(CanalFlatMessageDecoder.create())
                .security(KafkaSecurity.ssl().withTruststore(kafka.sslTruststore(), EmbeddedKafka.SSL_STORE_PASSWORD))
                .closeTimeout(Duration.ofSeconds(5));
    }

    @Test
    void readsOverTlsWithTheBrokersCertificateTrustedAndItsHostNameVerified() throws Exception {
        kafka.createTopic("tls-read", 1);
        kafka.send("tls-read", 0, null, Canal.insert(7, "new"), null);
        try (KafkaSource s = tlsSource(kafka.sslBootstrapServers(), "tls-read", "g-tls-read").build()) {
            s.open(new RecordingListener());
            List<SourceRecord> records = KafkaSourceBrokerIT.pollCount(s, 1);
            assertEquals(7L, KafkaSourceBrokerIT.idOf(records.get(0)));
            assertEquals("SSL", String.valueOf(tlsSource("x:1", "t", "g").effectiveConfig().get("security.protocol")));
        }
    }

    @Test
    void failsClearlyAndForGoodWhenTheHostNameDoesNotMatchTheCertificate() throws Exception {
        kafka.createTopic("tls-mismatch", 1);
        String byIp = kafka.sslBootstrapServers().replace("localhost", "127.0.0.1");
        try (KafkaSource s = tlsSource(byIp, "tls-mismatch", "g-tls-mismatch").build()) {
            s.open(new RecordingListener());
            SyncException failure = Await.value(Duration.ofSeconds(30), "polling a broker whose certificate does not name 127.0.0.1 to fail", () -> {
                try {
                    assertEquals(List.of(), s.poll(Duration.ofMillis(200)), "nothing read from an unverified host");
                    return null;
                } catch (SyncException e) {
                    return e;
                }
            }, Objects::nonNull);
            assertTrue(failure != null, "polling a broker whose certificate does not name 127.0.0.1 must fail");
            assertFalse(failure instanceof RetriableSyncException, "not retried forever: " + failure);
            assertTrue(failure.getMessage().contains("SSL"), failure.getMessage());
            String chain = causes(failure);
            assertTrue(chain.contains("127.0.0.1"), "the cause names the address that did not match: " + chain);
        }
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" <- ");
        }
        return sb.toString();
    }
}
