package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET https://admin:pw1@es.example:9200/orders?token=t1 failed|GET https://es.example:9200/**** failed",
        "host [http://u:p@w@10.0.0.1:9200], URI [/_bulk]|host [http://10.0.0.1:9200], URI [/_bulk]",
        "jdbc:mysql://root:pw1@db:3306/shop?useSSL=false|jdbc:mysql://db:3306/****",
        "see http://[::1]:9200/x.|see http://[::1]:9200/****",
        "password=pw1, host=db|password=****, host=db",
        "sasl.jaas.config: PlainLoginModule required username=\"u\" password=\"p,w1\";|sasl.jaas.config: ****\"u\" password=\"****\";",
        "username=\"u\" password=\"p,w1\";|username=\"u\" password=\"****\";",
        "{\"api_key\": \"pw1\", \"id\": 7}|{\"api_key\": \"****\", \"id\": 7}",
        "Authorization: Bearer pw1|Authorization: ****",
        "sent Bearer abc.def-pw1 upstream|sent Bearer **** upstream",
        "duplicate key: 7, status=500|duplicate key: 7, status=500",
        "plain text https://es.example:9200 stays|plain text https://es.example:9200 stays",
        "https://u:pa/ss@h:1/x y|https://h:1/**** y",
        "see a://b, c://u:pw1@d/e|see a://b, c://d/****",
        "https://es:9200/ ok|https://es:9200/ ok",
    })
    void redactsCredentialsInFreeTextAndKeepsTheRest(String in, String expected) {
        assertEquals(expected, Secrets.redact(in));
    }

    @Test
    void redactIsEscapedAndCappedAfterCleaning() {
        assertEquals("a\\nb password=****", Secrets.redact("a\nb password=pw1"));
        String cut = Secrets.redact("x".repeat(20) + " https://admin:pw1@es:9200", 24);
        assertFalse(cut.contains("pw1") || cut.contains("admin"), cut);
        assertEquals("null", Secrets.redact(null));
        assertThrows(IllegalArgumentException.class, () -> Secrets.redact("x", 0));
    }

    @Test
    void aValueEndsAtTheLineEndAndALongWordBeforeAUrlIsHandled() {
        assertEquals("password: ****\\nnext line", Secrets.redact("password: pw1\nnext line"));
        String shown = Secrets.redact("a".repeat(100_000) + "://admin:pw1@h/x", 200_000);
        assertTrue(shown.endsWith("a://h/****"), shown.substring(shown.length() - 40));
        assertFalse(shown.contains("pw1"));
    }

    @Test
    void aBareTokenWithoutAKeyNameIsNotRecognised() {
        assertEquals("failed with ghp_pw1", Secrets.redact("failed with ghp_pw1"));
    }

    @Test
    void describeShowsTheClassAndTheCleanedMessage() {
        assertEquals("java.lang.IllegalStateException: token=****",
                Secrets.describe(new IllegalStateException("token=pw1")));
        assertEquals("java.lang.IllegalStateException", Secrets.describe(new IllegalStateException()));
    }

    @Test
    void loggableKeepsFramesAndCausesButNotTheSecretsOfTheirMessages() {
        RuntimeException root = new RuntimeException("password=pw2");
        IllegalStateException top = new IllegalStateException("https://u:pw1@es:9200/x", root);
        top.addSuppressed(new RuntimeException("secret=pw3"));
        root.initCause(top); // a cycle is cut

        Throwable shown = Secrets.loggable(top);
        java.io.StringWriter trace = new java.io.StringWriter();
        shown.printStackTrace(new java.io.PrintWriter(trace));

        String text = trace.toString();
        assertFalse(text.contains("pw1") || text.contains("pw2") || text.contains("pw3"), text);
        assertTrue(text.startsWith("java.lang.IllegalStateException: https://es:9200/****"), text);
        assertTrue(text.contains("Caused by: java.lang.RuntimeException: password=****"), text);
        assertTrue(text.contains("Suppressed: java.lang.RuntimeException: secret=****"), text);
        assertEquals(top.getStackTrace()[0], shown.getStackTrace()[0]);
    }
}
