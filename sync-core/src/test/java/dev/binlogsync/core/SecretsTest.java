package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

    @ParameterizedTest
    @ValueSource(strings = {"password", "PASSWORD", "sasl.jaas.config", "ssl.keystore.key", "ssl.key.password",
        "ssl.truststore.password", "basic.auth.user.info", "apiKey", "api_key", "API-KEY", "bearerToken", "token",
        "sasl.oauthbearer.client.credentials.client.secret", "client_secret", "keyPassword", "Authorization",
        "db.pwd", "privateKey", "aws.accessKeyId", "ssl.keystore.passphrase"})
    void namesASecret(String key) {
        assertTrue(Secrets.isSecretKey(key), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"key.deserializer", "key.serializer", "ssl.keystore.location", "ssl.keystore.type",
        "ssl.keystore.certificate.chain", "ssl.truststore.certificates", "keystore", "bootstrapServers", "username",
        "hosts", "group.id", "ssl.keymanager.algorithm", ""})
    void doesNotNameASecret(String key) {
        assertFalse(Secrets.isSecretKey(key), key);
    }

    @Test
    void masksAtAnyDepthInsideListsAndTheUserInfoOfUrls() {
        Map<String, Object> in = Map.of("hosts", List.of(Map.of("password", "p1"), "https://u:p2@es:9200/x"),
                "nested", Map.of("apiKey", List.of("p3")), "nothing", List.of());
        String shown = String.valueOf(Secrets.mask(in));
        assertFalse(shown.contains("p1") || shown.contains("p2") || shown.contains("p3"), shown);
        assertTrue(shown.contains("https://****@es:9200/x"), shown);
        assertEquals("plain", Secrets.mask("plain"));
        assertEquals(3, Secrets.mask(3));
    }
}
