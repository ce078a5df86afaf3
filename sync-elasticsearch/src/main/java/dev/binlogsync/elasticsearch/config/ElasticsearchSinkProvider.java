package dev.binlogsync.elasticsearch.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ComponentProvider;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code sink.type = "elasticsearch"} (also {@code "opensearch"}): an {@link ElasticsearchSink}.
 * Keys:
 *
 * <ul>
 *   <li>{@code hosts}: URL or list of URLs, required;
 *   <li>{@code pathPrefix};
 *   <li>authentication, at most one of: {@code username} + {@code password}; {@code apiKey}
 *       (encoded) or {@code apiKeyId} + {@code apiKeySecret}; {@code bearerToken};
 *   <li>TLS trust, at most one of: {@code caCertificate} (PEM file) or {@code trustStore} +
 *       {@code trustStorePassword};
 *   <li>{@code connectTimeout}, {@code socketTimeout}: durations; {@code compression}: boolean;
 *       {@code refresh}: {@code none}, {@code wait_for}, {@code immediate}; {@code pipeline};
 *   <li>{@code ensureIndices}, {@code ensureIndexTemplates}: name to the JSON body to create it
 *       with when missing (an object, or a string holding JSON).
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class ElasticsearchSinkProvider implements ComponentProvider<BulkSink> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String type;

    /** The {@code elasticsearch} provider. */
    public ElasticsearchSinkProvider() {
        this("elasticsearch");
    }

    ElasticsearchSinkProvider(String type) {
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Class<BulkSink> componentType() {
        return BulkSink.class;
    }

    @Override
    public BulkSink create(ConfigSection c) {
        ElasticsearchSink.Builder b = ElasticsearchSink.builder();
        List<String> hosts = c.stringList("hosts");
        if (hosts.isEmpty()) {
            throw new ConfigException(c.path("hosts"), "is required (e.g. [\"http://localhost:9200\"])");
        }
        c.at("hosts", () -> b.hosts(hosts.toArray(new String[0])));
        String prefix = c.optString("pathPrefix");
        if (prefix != null) {
            c.at("pathPrefix", () -> b.pathPrefix(prefix));
        }
        if (c.has("username") || c.has("password")) {
            String user = c.string("username");
            String password = c.string("password");
            c.at("username", () -> b.basicAuth(user, password));
        }
        if (c.has("apiKey")) {
            String key = c.string("apiKey");
            c.at("apiKey", () -> b.apiKey(key));
        }
        if (c.has("apiKeyId") || c.has("apiKeySecret")) {
            String id = c.string("apiKeyId");
            String secret = c.string("apiKeySecret");
            c.at("apiKeyId", () -> b.apiKey(id, secret));
        }
        if (c.has("bearerToken")) {
            String token = c.string("bearerToken");
            c.at("bearerToken", () -> b.bearerToken(token));
        }
        if (c.has("caCertificate")) {
            String pem = c.string("caCertificate");
            c.at("caCertificate", () -> b.caCertificate(Path.of(pem)));
        }
        if (c.has("trustStore")) {
            String file = c.string("trustStore");
            String password = c.string("trustStorePassword", "");
            c.at("trustStore", () -> b.trustStore(Path.of(file), password.toCharArray()));
        }
        Duration connect = c.duration("connectTimeout", null);
        if (connect != null) {
            c.at("connectTimeout", () -> b.connectTimeout(connect));
        }
        Duration socket = c.duration("socketTimeout", null);
        if (socket != null) {
            c.at("socketTimeout", () -> b.socketTimeout(socket));
        }
        b.compression(c.bool("compression", false));
        ElasticsearchSink.Refresh refresh = c.enumValue("refresh", ElasticsearchSink.Refresh.class, null);
        if (refresh != null) {
            b.refresh(refresh);
        }
        String pipeline = c.optString("pipeline");
        if (pipeline != null) {
            c.at("pipeline", () -> b.pipeline(pipeline));
        }
        ConfigSection indices = c.optSection("ensureIndices");
        if (indices != null) {
            for (String name : indices.keys()) {
                String body = json(indices, name);
                indices.at(name, () -> b.ensureIndex(name, body));
            }
        }
        ConfigSection templates = c.optSection("ensureIndexTemplates");
        if (templates != null) {
            for (String name : templates.keys()) {
                String body = json(templates, name);
                templates.at(name, () -> b.ensureIndexTemplate(name, body));
            }
        }
        return c.at("", b::build);
    }

    private static String json(ConfigSection s, String key) {
        Object v = s.value(key);
        if (v instanceof String) {
            return (String) v;
        }
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new ConfigException(s.path(key), "cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code sink.type = "opensearch"}: the same sink (the client speaks to both). */
    public static final class OpenSearch implements ComponentProvider<BulkSink> {
        private final ElasticsearchSinkProvider delegate = new ElasticsearchSinkProvider("opensearch");

        @Override
        public String type() {
            return "opensearch";
        }

        @Override
        public Class<BulkSink> componentType() {
            return BulkSink.class;
        }

        @Override
        public BulkSink create(ConfigSection config) {
            return delegate.create(config);
        }
    }
}
