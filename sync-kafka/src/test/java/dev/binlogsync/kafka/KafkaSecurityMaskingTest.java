package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kafka client properties shown by the source's and dead-letter sink's toString() follow the shared secret rule. */
class KafkaSecurityMaskingTest {

    @ParameterizedTest
    @ValueSource(strings = {"sasl.jaas.config", "ssl.keystore.key", "ssl.key.password", "ssl.truststore.password",
        "basic.auth.user.info", "sasl.oauthbearer.client.credentials.client.secret", "Authorization"})
    void eachSecretPropertyIsMasked(String key) {
        Map<String, Object> shown = KafkaSecurity.masked(Map.of(key, "hunter2", "client.id", "c1"));
        assertEquals("****", shown.get(key));
        assertEquals("c1", shown.get("client.id"));
        String builder = KafkaSource.builder().bootstrapServers("k:9092").topics(List.of("t")).groupId("g")
                .property(key, "hunter2").toString();
        assertFalse(builder.contains("hunter2"), builder);
    }

    @Test
    void publicPartsStayVisible() {
        Map<String, Object> shown = KafkaSecurity.masked(Map.of("key.deserializer", "x.Deser",
                "ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----", "bootstrap.servers", "k:9092"));
        assertEquals("x.Deser", shown.get("key.deserializer"));
        assertEquals("-----BEGIN CERTIFICATE-----", shown.get("ssl.keystore.certificate.chain"));
        assertTrue(KafkaSecurity.scramSha512("sync", "hunter2").toString().contains("sync"));
        assertFalse(KafkaSecurity.scramSha512("sync", "hunter2").toString().contains("hunter2"));
    }
}
