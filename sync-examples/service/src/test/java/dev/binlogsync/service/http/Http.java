package dev.binlogsync.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;

/** Calls a {@link ServiceEndpoints} over HTTP, and reads its answers (the service's tests share it). */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    /** Calls the endpoints at {@code address} (its port, on the loopback address). */
    public Http(InetSocketAddress address) {
        this.base = "http://127.0.0.1:" + address.getPort();
    }

    /** GET {@code path}. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** GET {@code path} with an Accept header. */
    public HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).GET());
    }

    /** {@code method} {@code path} without a body. */
    public HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return client.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path}, its body as JSON. */
    public JsonNode json(String path) throws IOException, InterruptedException {
        return JSON.readTree(get(path).body());
    }

    /** {@code body} as JSON. */
    public static JsonNode parse(String body) throws IOException {
        return JSON.readTree(body);
    }

    /**
     * The value of the sample {@code name} whose labels include {@code labels} (name, value pairs)
     * in a Prometheus text exposition, or null when there is none.
     */
    @Nullable
    public static Double sample(String exposition, String name, String... labels) {
        Double found = null;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String metric = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
            if (!metric.equals(name)) {
                continue;
            }
            Map<String, String> have = brace < 0 ? Map.of() : labels(line.substring(brace + 1, line.lastIndexOf('}')));
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= labels[i + 1].equals(have.get(labels[i]));
            }
            if (match) {
                if (found != null) {
                    throw new AssertionError("two samples of " + name + " " + String.join(",", labels));
                }
                found = Double.valueOf(line.substring(space + 1));
            }
        }
        return found;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            int close = text.indexOf('"', eq + 2);
            out.put(text.substring(i, eq).trim(), text.substring(eq + 2, close));
            i = close + 1;
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
        return out;
    }
}
