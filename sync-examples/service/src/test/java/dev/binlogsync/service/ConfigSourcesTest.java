package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.annotation.Nullable;

class ConfigSourcesTest {
    @TempDir
    Path dir;

    @Nullable private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    // --------------------------------------------------------------------- file

    @Test
    void fileSourceReturnsTheDocumentFirstAndNothingWhileUnchanged() throws Exception {
        Path file = Files.writeString(dir.resolve("service.json"), "{\"a\": 1}");
        FileConfigSource source = new FileConfigSource(file);

        ConfigSource.Document first = source.read();
        assertEquals("{\"a\": 1}", first.text());
        assertEquals(ServiceConfig.Format.JSON, first.format());
        assertNull(source.read());
        assertTrue(source.isWatched());
    }

    @Test
    void fileSourceSeesAnEditThatKeepsSizeAndModificationTime() throws Exception {
        Path file = Files.writeString(dir.resolve("service.json"), "{\"a\": 1}");
        FileTime mtime = Files.getLastModifiedTime(file);
        FileConfigSource source = new FileConfigSource(file);
        source.read();

        Files.writeString(file, "{\"a\": 2}");
        Files.setLastModifiedTime(file, mtime);

        assertNull(source.read()); // seen once: not yet stable
        assertEquals("{\"a\": 2}", source.read().text());
    }

    @Test
    void fileSourceAppliesAChangeOnlyOnceTwoReadsAgree() throws Exception {
        Path file = Files.writeString(dir.resolve("service.json"), "{\"a\": 1}");
        FileConfigSource source = new FileConfigSource(file);
        source.read();

        Files.writeString(file, "{\"a\": 1"); // an in-place write caught half-way
        assertNull(source.read());
        Files.writeString(file, "{\"a\": 1, \"b\": 2}"); // the write completes
        assertNull(source.read());

        assertEquals("{\"a\": 1, \"b\": 2}", source.read().text());
        assertNull(source.read());
    }

    @Test
    void fileSourceIgnoresAChangeThatIsUndoneBeforeItIsStable() throws Exception {
        Path file = Files.writeString(dir.resolve("service.json"), "{\"a\": 1}");
        FileConfigSource source = new FileConfigSource(file);
        source.read();

        Files.writeString(file, "{}");
        assertNull(source.read());
        Files.writeString(file, "{\"a\": 1}");

        assertNull(source.read());
        assertNull(source.read());
    }

    @Test
    void fileSourceSeesAFileRenamedOverTheOld() throws Exception {
        Path file = Files.writeString(dir.resolve("service.toml"), "a = 1");
        FileConfigSource source = new FileConfigSource(file);
        assertEquals(ServiceConfig.Format.TOML, source.read().format());

        Path next = Files.writeString(dir.resolve(".service.toml.swp"), "a = 2");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertNull(source.read());
        assertEquals("a = 2", source.read().text());
    }

    @Test
    void fileSourceFailsWhileTheFileIsMissingAndReadsItWhenBack() throws Exception {
        Path file = Files.writeString(dir.resolve("service.json"), "{\"a\": 1}");
        FileConfigSource source = new FileConfigSource(file);
        source.read();
        Files.delete(file);

        assertThrows(IOException.class, source::read);
        Files.writeString(file, "{\"a\": 3}");
        assertNull(source.read());
        assertEquals("{\"a\": 3}", source.read().text());
    }

    @Test
    void fileSourceRejectsANameWithoutAKnownExtension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FileConfigSource(dir.resolve("service.yaml")));
        assertTrue(e.getMessage().contains("use a .json or .toml file name"), e.getMessage());
    }

    // ---------------------------------------------------------------------- env

    @Test
    void envSourceReadsTheVariableOnceAndIsNotWatched() throws Exception {
        EnvConfigSource source = new EnvConfigSource("BINLOG_SYNC_CONFIG", Map.of("BINLOG_SYNC_CONFIG", "{\"a\": 1}"));

        assertEquals("{\"a\": 1}", source.read().text());
        assertNull(source.read());
        assertFalse(source.isWatched());
        assertEquals("environment variable BINLOG_SYNC_CONFIG", source.describe());
    }

    @Test
    void envSourceNamesAnUnsetVariable() {
        IOException e = assertThrows(IOException.class, () -> new EnvConfigSource("NOPE", Map.of()).read());
        assertEquals("environment variable NOPE is not set", e.getMessage());
    }

    // --------------------------------------------------------------------- http

    /** What the fake configuration center serves: status, body, ETag (null for none). */
    private volatile int status = 200;
    private volatile String body = "{\"a\": 1}";
    @Nullable private volatile String etag = "\"v1\"";
    private final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();
    private final List<URI> requestUris = new CopyOnWriteArrayList<>();
    @Nullable private volatile String location;

    private URI serve(String userInfo, String pathAndQuery) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", exchange -> {
            requests.add(Map.copyOf(exchange.getRequestHeaders()));
            requestUris.add(exchange.getRequestURI());
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            String match = exchange.getRequestHeaders().getFirst("If-None-Match");
            if (etag != null) {
                exchange.getResponseHeaders().add("ETag", etag);
            }
            if (etag != null && etag.equals(match)) {
                exchange.sendResponseHeaders(304, -1);
            } else {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        s.start();
        server = s;
        return URI.create("http://" + userInfo + "127.0.0.1:" + s.getAddress().getPort() + pathAndQuery);
    }

    @Test
    void httpSourceSendsTheETagBackAndTreatsNotModifiedAsNoChange() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("", "/config/sync.json"), Duration.ofSeconds(10), null);

        assertEquals("{\"a\": 1}", source.read().text());
        assertNull(source.read());

        assertNull(requests.get(0).get("If-none-match"));
        assertEquals(List.of("\"v1\""), requests.get(1).get("If-none-match"));
    }

    @Test
    void httpSourceReturnsAChangedDocument() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("", "/c"), Duration.ofSeconds(10), null);
        source.read();

        body = "{\"a\": 2}";
        etag = "\"v2\"";

        assertEquals("{\"a\": 2}", source.read().text());
    }

    @Test
    void httpSourceWithoutETagComparesTheBody() throws Exception {
        etag = null;
        HttpConfigSource source = new HttpConfigSource(serve("", "/c"), Duration.ofSeconds(10), null);

        assertNotNull(source.read());
        assertNull(source.read());
        body = "{\"a\": 3}";
        assertEquals("{\"a\": 3}", source.read().text());
    }

    @Test
    void httpSourceFailsOnAnErrorStatusWithoutNamingTheCredentials() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("admin:s3cret@", "/c?token=t0ken"), Duration.ofSeconds(10), null);
        source.read();
        status = 500;
        etag = "\"v3\"";

        IOException e = assertThrows(IOException.class, source::read);

        assertTrue(e.getMessage().startsWith("the configuration center answered HTTP 500 at configuration center http://****@127.0.0.1:"),
                e.getMessage());
        assertFalse(e.getMessage().contains("s3cret") || e.getMessage().contains("t0ken") || e.getMessage().contains("admin"),
                e.getMessage());
        assertFalse(source.describe().contains("s3cret") || source.describe().contains("t0ken"), source.describe());
    }

    @Test
    void httpSourceFailsWithoutTheUrlWhenNobodyAnswers() throws Exception {
        URI uri = serve("admin:s3cret@", "/c?token=t0ken");
        server.stop(0);
        server = null;
        HttpConfigSource source = new HttpConfigSource(uri, Duration.ofSeconds(10), null);

        IOException e = assertThrows(IOException.class, source::read);

        assertTrue(e.getMessage().startsWith("cannot fetch the configuration from configuration center"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret") || e.getMessage().contains("t0ken"), e.getMessage());
    }

    @Test
    void httpSourceSendsTheUrlsUserInfoAsBasicAuthentication() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("admin:s3cret@", "/c"), Duration.ofSeconds(10), null);

        source.read();

        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(expected), requests.get(0).get("Authorization"));
    }

    @Test
    void httpSourceSendsABearerToken() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("", "/c"), Duration.ofSeconds(10), "tok-1");

        source.read();

        assertEquals(List.of("Bearer tok-1"), requests.get(0).get("Authorization"));
    }

    @Test
    void httpSourceGivesUpOnACenterThatStallsAfterItsHeaders() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stalling-center");
            t.setDaemon(true);
            return t;
        }));
        s.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: headers now, the body never ends
            exchange.getResponseBody().write("{\"a\":".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        s.start();
        server = s;
        HttpConfigSource source = new HttpConfigSource(
                URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/c"), Duration.ofMillis(500), null);
        try {
            // the bound only turns a hang into a failure; the source gives up after its 500 ms
            IOException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(IOException.class, source::read));
            assertTrue(e.getMessage().contains("no complete answer within PT0.5S"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void httpSourceRefusesABodyAboveItsCap() throws Exception {
        body = "{\"a\": \"" + "x".repeat(1000) + "\"}";
        HttpConfigSource source = new HttpConfigSource(serve("", "/c"), Duration.ofSeconds(10), null, 100);

        IOException e = assertThrows(IOException.class, source::read);

        assertTrue(e.getMessage().contains("exceeds 100 bytes"), e.getMessage());
    }

    @Test
    void httpSourceReturnsTheSameDocumentAgainAfterForget() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("", "/c"), Duration.ofSeconds(10), null);
        source.read();
        assertNull(source.read());

        source.forget();

        assertEquals("{\"a\": 1}", source.read().text());
        assertNull(requests.get(2).get("If-none-match"), "no ETag sent after forget");
    }

    @Test
    void httpSourceDoesNotFollowARedirectAndNamesItsStatus() throws Exception {
        URI uri = serve("admin:s3cret@", "/c");
        location = "http://127.0.0.1:" + uri.getPort() + "/elsewhere";
        status = 302;
        HttpConfigSource source = new HttpConfigSource(uri, Duration.ofSeconds(10), null);

        IOException e = assertThrows(IOException.class, source::read);

        assertTrue(e.getMessage().startsWith("the configuration center answered HTTP 302 (a redirect, not followed"),
                e.getMessage());
        assertEquals(1, requests.size(), "the redirect was not followed");
    }

    @Test
    void httpSourceDecodesOnlyPercentEscapesInUserInfoAndSendsThePathAndQueryAsWritten() throws Exception {
        HttpConfigSource source = new HttpConfigSource(serve("us%3Aer:p+w%2Bx%26y@", "/c%2Bd?q=a%2Bb%26c&r=1"),
                Duration.ofSeconds(10), null);

        source.read();

        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("us:er:p+w+x&y".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(expected), requests.get(0).get("Authorization"));
        assertEquals("/c%2Bd", requestUris.get(0).getRawPath());
        assertEquals("q=a%2Bb%26c&r=1", requestUris.get(0).getRawQuery());
    }

    @Test
    void httpSourceSendsBasicCredentialsGivenApartFromTheUrl() throws Exception {
        HttpConfigSource source = HttpConfigSource.withBasicAuth(serve("", "/c"), Duration.ofSeconds(10), "reader", "pa:ss");

        source.read();

        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("reader:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(expected), requests.get(0).get("Authorization"));
    }

    @Test
    void httpSourceRejectsOtherSchemes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HttpConfigSource(URI.create("ftp://u:pw@host/c"), Duration.ofSeconds(1), null));
        assertEquals("the configuration URL must be http or https: ftp://****@host/c", e.getMessage());
    }
}
