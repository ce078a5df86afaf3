package dev.binlogsync.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches by exact path: an unknown path is 404, a method other than GET or HEAD 405 (with
 * {@code Allow}), an endpoint that throws 500 with a short body and one log line (the exception's
 * class and its message without secrets, no stack trace). HEAD answers the headers GET would,
 * without a body. The query string is ignored. Stateless apart from its routes; thread-safe.
 */
final class Router implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String JSON_TYPE = "application/json; charset=utf-8";

    /** An endpoint's answer. */
    record Response(int status, String contentType, byte[] body) {

        static Response json(int status, Object body) {
            try {
                byte[] bytes = JSON.writeValueAsBytes(body);
                byte[] withNewline = new byte[bytes.length + 1]; // curl leaves the prompt on its own line
                System.arraycopy(bytes, 0, withNewline, 0, bytes.length);
                withNewline[bytes.length] = '\n';
                return new Response(status, JSON_TYPE, withNewline);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
            }
        }
    }

    /** One endpoint. */
    @FunctionalInterface
    interface Endpoint {
        Response respond(HttpExchange exchange) throws IOException;
    }

    private final Map<String, Endpoint> routes;

    Router(Map<String, Endpoint> routes) {
        this.routes = Map.copyOf(routes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Endpoint endpoint = routes.get(path);
            Response response;
            if (endpoint == null) {
                response = Response.json(404, error("no such endpoint; try /health, /metrics or /status"));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                response = Response.json(405, error("method " + method + " not allowed; use GET"));
            } else {
                try {
                    response = endpoint.respond(exchange);
                } catch (RuntimeException | IOException e) {
                    log.error("{} {} failed: {}", method, path, Views.describe(e));
                    response = Response.json(500, error("internal error; see the service's log"));
                }
            }
            send(exchange, method, response);
        } finally {
            exchange.close();
        }
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static void send(HttpExchange exchange, String method, Response r) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", r.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(r.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(r.body());
        }
    }
}
