package dev.binlogsync.elasticsearch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A tiny HTTP server (the JDK's) standing in for Elasticsearch where a real node cannot produce the
 * answer under test (401, 429 or 503 for a whole request, a redirect, a malformed bulk response,
 * OpenSearch's root info). Records every
 * request. A fake, not a mock: it speaks HTTP on a real socket.
 */
final class FakeHttpServer implements AutoCloseable {

    /** A recorded request. */
    record Recorded(String method, String path, String query, String authorization, String contentType, String body) {
    }

    /** A canned answer, with extra response headers ({@code Content-Type} replaces the JSON default). */
    record Answer(int status, String body, Map<String, String> headers) {
        Answer(int status, String body) {
            this(status, body, Map.of());
        }
    }

    private final HttpServer server;
    final List<Recorded> requests = new CopyOnWriteArrayList<>();

    FakeHttpServer(Function<Recorded, Answer> responder) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> handle(exchange, responder));
        server.start();
    }

    private void handle(HttpExchange exchange, Function<Recorded, Answer> responder) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getQuery(), exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Type"), body);
        requests.add(r);
        Answer a = responder.apply(r);
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", a.headers().getOrDefault("Content-Type", "application/json"));
        a.headers().forEach((name, value) -> {
            if (!name.equals("Content-Type")) {
                exchange.getResponseHeaders().add(name, value);
            }
        });
        if ("HEAD".equals(r.method())) {
            exchange.sendResponseHeaders(a.status(), -1);
        } else {
            exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
