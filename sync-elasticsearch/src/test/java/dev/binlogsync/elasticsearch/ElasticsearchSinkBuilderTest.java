package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElasticsearchSinkBuilderTest {

    @TempDir
    Path tmp;

    private static ElasticsearchSink.Builder b() {
        return ElasticsearchSink.builder();
    }

    @Test
    void rejectsAHostWithoutScheme() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b().hosts("ftp://es:9200"));
        assertTrue(e.getMessage().contains("ftp://es:9200"), e.getMessage());
    }

    @Test
    void rejectsAHostWithAPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b().hosts("http://es:9200/es"));
        assertTrue(e.getMessage().contains("pathPrefix"), e.getMessage());
    }

    @Test
    void rejectsAPathPrefixWithoutLeadingSlash() {
        assertThrows(IllegalArgumentException.class, () -> b().pathPrefix("es"));
    }

    @Test
    void rejectsAZeroConnectTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b().connectTimeout(Duration.ZERO));
        assertEquals("connectTimeout must be >= 1ms: PT0S", e.getMessage());
    }

    @Test
    void rejectsANegativeSocketTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b().socketTimeout(Duration.ofSeconds(-1)));
        assertEquals("socketTimeout must be >= 1ms: PT-1S", e.getMessage());
    }

    @Test
    void rejectsAMissingCaCertificate() {
        assertThrows(IllegalArgumentException.class, () -> b().caCertificate(tmp.resolve("missing.crt")));
    }

    @Test
    void rejectsAnUnreadableCertificateAtBuild() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.crt"), "not a certificate");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b().hosts("https://es:9200").caCertificate(bad).build());
        assertTrue(e.getMessage().contains("bad.crt"), e.getMessage());
    }

    @Test
    void rejectsAnUpperCaseIndexName() {
        assertThrows(IllegalArgumentException.class, () -> b().ensureIndex("Orders", "{}"));
    }

    @Test
    void rejectsAnIndexBodyThatIsNotAJsonObject() {
        assertThrows(IllegalArgumentException.class, () -> b().ensureIndex("orders", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> b().ensureIndexTemplate("t", "{\"a\":"));
    }

    @Test
    void rejectsABlankApiKeyAndBearerToken() {
        assertThrows(IllegalArgumentException.class, () -> b().apiKey(" "));
        assertThrows(IllegalArgumentException.class, () -> b().bearerToken(""));
    }

    @Test
    void rejectsBuildWithoutHostsOrClient() {
        assertThrows(IllegalStateException.class, () -> b().build());
    }

    @Test
    void rejectsTwoKindsOfAuthentication() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> b().hosts("http://es:9200").basicAuth("u", "p").apiKey("k").build());
        assertTrue(e.getMessage().contains("basicAuth"), e.getMessage());
    }

    @Test
    void rejectsTlsSettingsWithoutHttpsHost() throws IOException {
        Path store = Files.writeString(tmp.resolve("t.p12"), "x");
        assertThrows(IllegalStateException.class,
                () -> b().hosts("http://es:9200").trustStore(store, "pw".toCharArray()).build());
    }

    @Test
    void rejectsClientCombinedWithClientSettings() {
        try (RestClient client = RestClient.builder(org.apache.http.HttpHost.create("http://localhost:1")).build()) {
            assertThrows(IllegalStateException.class, () -> b().client(client).hosts("http://es:9200").build());
            assertThrows(IllegalStateException.class, () -> b().client(client).compression(true).build());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rejectsANegativeLateWriteFence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b().lateWriteFence(Duration.ofSeconds(-1)));
        assertEquals("lateWriteFence must be between 0 and 1 day: PT-1S", e.getMessage());
    }

    @Test
    void rejectsALateWriteFenceOverADay() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b().lateWriteFence(Duration.ofDays(2)));
        assertEquals("lateWriteFence must be between 0 and 1 day: PT48H", e.getMessage());
    }

    @Test
    void lateWriteFenceIsTwiceTheSocketTimeoutUnlessSet() {
        assertEquals(Duration.ofMinutes(2), b().lateWriteFence());
        assertEquals(Duration.ofSeconds(3), b().socketTimeout(Duration.ofMillis(1500)).lateWriteFence());
        assertEquals(Duration.ZERO, b().socketTimeout(Duration.ofMillis(1500)).lateWriteFence(Duration.ZERO).lateWriteFence());
    }

    @Test
    void rejectsAGivenClientWithSeveralNodesWhichWouldResendFailedBulksByItself() throws IOException {
        try (RestClient client = RestClient.builder(org.apache.http.HttpHost.create("http://localhost:1"),
                org.apache.http.HttpHost.create("http://localhost:2")).build()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b().client(client).build());
            assertTrue(e.getMessage().contains("exactly one node"), e.getMessage());
        }
    }

    @Test
    void masksSecretsInToString() {
        ElasticsearchSink basic = b().hosts("http://es1:9200", "http://es2:9200").basicAuth("elastic", "s3cret-pw").build();
        ElasticsearchSink key = b().hosts("http://es1:9200").apiKey("id1", "k3y-secret").build();
        ElasticsearchSink bearer = b().hosts("http://es1:9200").bearerToken("t0ken-secret").build();
        try {
            String s = basic + " " + key + " " + bearer;
            assertFalse(s.contains("s3cret-pw"), s);
            assertFalse(s.contains("k3y-secret"), s);
            assertFalse(s.contains("aWQxOmszeS1zZWNyZXQ"), s); // base64 of id1:k3y-secret
            assertFalse(s.contains("t0ken-secret"), s);
            assertTrue(s.contains("elastic:****") && s.contains("apiKey=****") && s.contains("bearerToken=****"), s);
            assertTrue(s.contains("http://es2:9200"), s);
        } finally {
            basic.close();
            key.close();
            bearer.close();
        }
    }

    @Test
    void executeBeforeStartIsAnError() {
        try (ElasticsearchSink sink = b().hosts("http://localhost:1").build()) {
            assertThrows(IllegalStateException.class,
                    () -> sink.execute(java.util.List.of(dev.binlogsync.core.DocumentAction.delete("i", "1"))));
        }
    }
}
