package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ComponentProvider;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Creates an {@link ElasticsearchSink} from a pipeline configuration's {@code sink} section with
 * {@code type = "elasticsearch"} (found through {@link java.util.ServiceLoader}). Keys, all optional
 * except {@code hosts}; each maps onto the {@link ElasticsearchSink.Builder} method of that name:
 *
 * <pre>
 * [sink]
 * type = "elasticsearch"
 * hosts = ["https://es1:9200", "https://es2:9200"]
 * pathPrefix = "/search"
 * username = "binlog_sync"              # basic auth, with password
 * password = "${ES_PASSWORD}"
 * # apiKey = "${ES_API_KEY}"            # or an API key (encoded form)
 * # bearerToken = "${ES_TOKEN}"         # or a bearer token
 * caCertificate = "/etc/es/http_ca.crt" # or trustStore = { path = "...", password = "..." }
 * connectTimeout = "5s"
 * socketTimeout = "60s"
 * lateWriteFence = "120s"               # default: twice socketTimeout
 * compression = true
 * refresh = "none"                      # none | wait_for | immediate
 * pipeline = "enrich"
 * objectFields = "auto"                 # auto | replace | merge (see ObjectFields)
 * [[sink.indices]]                      # created at start when missing
 * name = "orders"
 * body = { settings = { number_of_shards = 1 }, mappings = { properties = { total = { type = "double" } } } }
 * [[sink.templates]]
 * name = "orders-monthly"
 * body = { index_patterns = ["orders-*"], template = { settings = { number_of_replicas = 1 } } }
 * </pre>
 *
 * <p>{@code body} may also be a JSON string. A host URL with user info
 * ({@code https://user:password@es:9200}) is refused without quoting it: credentials go in
 * {@code username} and {@code password}. Stateless and thread-safe.
 */
public final class ElasticsearchSinkProvider implements ComponentProvider<BulkSink> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** For {@link java.util.ServiceLoader}. */
    public ElasticsearchSinkProvider() {
    }

    @Override
    public String type() {
        return "elasticsearch";
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
            throw new ConfigException(c.path("hosts"), "is required (one or more http(s)://host:port)");
        }
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).indexOf('@') >= 0) {
                // the URL is not quoted: its user info is a password
                throw new ConfigException(c.path("hosts"), "entry " + (i + 1) + " carries user info (credentials) in"
                        + " the URL, which would end up in logs and errors: set username and password (or apiKey,"
                        + " bearerToken) instead");
            }
        }
        c.at("hosts", () -> b.hosts(hosts.toArray(new String[0])));
        String pathPrefix = c.optString("pathPrefix");
        if (pathPrefix != null) {
            c.at("pathPrefix", () -> b.pathPrefix(pathPrefix));
        }
        String username = c.optString("username");
        String password = c.optString("password");
        if (username != null || password != null) {
            if (username == null || password == null) {
                throw new ConfigException(c.path(username == null ? "username" : "password"),
                        "is required with " + (username == null ? "password" : "username"));
            }
            c.at("username", () -> b.basicAuth(username, password));
        }
        String apiKey = c.optString("apiKey");
        if (apiKey != null) {
            c.at("apiKey", () -> b.apiKey(apiKey));
        }
        String bearerToken = c.optString("bearerToken");
        if (bearerToken != null) {
            c.at("bearerToken", () -> b.bearerToken(bearerToken));
        }
        String ca = c.optString("caCertificate");
        if (ca != null) {
            c.at("caCertificate", () -> b.caCertificate(Path.of(ca)));
        }
        ConfigSection trust = c.optSection("trustStore");
        if (trust != null) {
            String file = trust.string("path");
            String pw = trust.string("password");
            c.at("trustStore", () -> b.trustStore(Path.of(file), pw.toCharArray()));
        }
        if (c.has("connectTimeout")) {
            c.at("connectTimeout", () -> b.connectTimeout(c.duration("connectTimeout", null)));
        }
        if (c.has("socketTimeout")) {
            c.at("socketTimeout", () -> b.socketTimeout(c.duration("socketTimeout", null)));
        }
        if (c.has("lateWriteFence")) {
            c.at("lateWriteFence", () -> b.lateWriteFence(c.duration("lateWriteFence", null)));
        }
        b.compression(c.bool("compression", false));
        b.refresh(c.enumValue("refresh", ElasticsearchSink.Refresh.class, ElasticsearchSink.Refresh.NONE));
        b.objectFields(c.enumValue("objectFields", ObjectFields.class, ObjectFields.AUTO));
        String pipeline = c.optString("pipeline");
        if (pipeline != null) {
            c.at("pipeline", () -> b.pipeline(pipeline));
        }
        List<ConfigSection> indices = c.sections("indices");
        for (int i = 0; i < indices.size(); i++) {
            ConfigSection s = indices.get(i);
            String name = s.string("name");
            String body = body(s);
            s.at("name", () -> b.ensureIndex(name, body));
        }
        List<ConfigSection> templates = c.sections("templates");
        for (int i = 0; i < templates.size(); i++) {
            ConfigSection s = templates.get(i);
            String name = s.string("name");
            String body = body(s);
            s.at("name", () -> b.ensureIndexTemplate(name, body));
        }
        return c.at("", b::build);
    }

    private static String body(ConfigSection s) {
        Object body = s.value("body");
        if (body == null) {
            return "{}";
        }
        if (body instanceof String) {
            return (String) body;
        }
        if (!(body instanceof Map)) {
            throw new ConfigException(s.path("body"), "must be an object or a JSON string");
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new ConfigException(s.path("body"), "cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
