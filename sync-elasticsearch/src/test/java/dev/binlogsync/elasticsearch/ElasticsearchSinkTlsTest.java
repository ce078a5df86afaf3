package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SyncException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against an HTTPS server (the JDK's) with a certificate made by {@code keytool} for this test:
 * trusted through a CA PEM file or a trust store, refused without them.
 */
class ElasticsearchSinkTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static HttpsServer server;
    /** Serves a certificate naming another host ({@code other.example}), trusted through {@link #otherPem}. */
    private static HttpsServer otherServer;
    private static Path otherPem;
    private static Path pem;
    private static Path trustStore;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        pem = dir.resolve("ca.pem");
        trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "es", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "es", "-keystore", keyStore.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pem.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", "changeit");

        server = httpsServer(keyStore);

        Path otherKeyStore = dir.resolve("other.p12");
        otherPem = dir.resolve("other.pem");
        keytool("-genkeypair", "-alias", "es", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=other.example",
                "-ext", "SAN=dns:other.example", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", otherKeyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "es", "-keystore", otherKeyStore.toString(), "-storepass", "changeit",
                "-file", otherPem.toString());
        otherServer = httpsServer(otherKeyStore);
    }

    private static HttpsServer httpsServer(Path keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance(keyStore.toFile(), PASSWORD);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/", exchange -> {
            byte[] body = "{\"version\":{\"number\":\"8.19.21\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        return s;
    }

    @AfterAll
    static void stopHttpsServer() {
        server.stop(0);
        otherServer.stop(0);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    private static String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void trustsTheServerThroughACaCertificateFile() {
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url()).caCertificate(pem).build()) {
            sink.start();
            assertEquals("8.19.21", sink.serverInfo().version());
        }
    }

    @Test
    void trustsTheServerThroughATrustStore() {
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url()).trustStore(trustStore, PASSWORD).build()) {
            sink.start();
            assertEquals(8, sink.serverInfo().major());
        }
    }

    @Test
    void refusesAnUntrustedServerWithoutRetrying() {
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url()).build()) {
            SyncException e = assertThrows(SyncException.class, sink::start);
            assertFalse(e instanceof RetriableSyncException, e.toString());
            assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
        }
    }

    @Test
    void rejectsATrustStoreWithTheWrongPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ElasticsearchSink.builder().hosts(url()).trustStore(trustStore, "wrong".toCharArray()).build());
        assertTrue(e.getMessage().contains("trust.p12"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), e.getMessage());
    }

    @Test
    void refusesATrustedCertificateThatNamesAnotherHostWithoutRetrying() {
        String url = "https://127.0.0.1:" + otherServer.getAddress().getPort();
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url).caCertificate(otherPem)
                .basicAuth("elastic", "hunter2").build()) {
            SyncException e = assertThrows(SyncException.class, sink::start);
            assertFalse(e instanceof RetriableSyncException, e.toString());
            String m = e.getMessage();
            assertTrue(m.contains("does not name") && m.contains("127.0.0.1") && m.contains(url), m);
            assertFalse(m.contains("hunter2"), m);
        }
    }
}
