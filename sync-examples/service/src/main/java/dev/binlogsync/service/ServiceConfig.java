package dev.binlogsync.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.core.config.ComponentConfig;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.core.config.PipelineDefinition;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The service's whole configuration: one document with a {@code service} section (the HTTP
 * address, alert thresholds, the shutdown bound and the configuration poll interval) and a
 * {@code pipelines} section, a name to a pipeline definition exactly as {@code docs/configuration.md}
 * describes it (each pipeline one task):
 *
 * <pre>{@code
 * {
 *   "service": {
 *     "http": { "host": "0.0.0.0", "port": 8080 },
 *     "shutdownTimeout": "45s",
 *     "configPollInterval": "10s",
 *     "alertInterval": "5s",
 *     "heartbeatInterval": "5s",
 *     "alerts": {
 *       "latencyP99": { "above": "5s", "for": "2m" },
 *       "heartbeatAge": { "above": "1m", "for": "0s" },
 *       "lagGrowing": { "for": "5m" },
 *       "healthNotHealthy": { "for": "1m" }
 *     }
 *   },
 *   "pipelines": {
 *     "orders": { "source": {...}, "sink": {...}, "rules": [...], "settings": {...},
 *                 "heartbeat": { "index": "heartbeat", "field": "beat_ms" } }
 *   }
 * }
 * }</pre>
 *
 * <p>Defaults: {@code http.host} {@code 0.0.0.0}, {@code http.port} 8080 ({@code 0}: any free
 * port), {@code shutdownTimeout} 45 s, {@code configPollInterval} 10 s, {@code alertInterval} (how
 * often the alert conditions are evaluated) 5 s, {@code heartbeatInterval} (how often each
 * pipeline's heartbeat index is read) 5 s, no alerts (each alert is set only when its object is
 * present; {@code for} defaults to {@code 0s} except for {@code lagGrowing}, where it is required).
 *
 * <p>A pipeline's optional {@code heartbeat} object is the service's, not the library's: the index
 * (required) and the epoch-milliseconds field (default {@code beat_ms}) where the newest heartbeat
 * row arrives; the service reads it every {@code heartbeatInterval} through a connection made with
 * the pipeline's own {@code sink} settings (hosts, credentials, TLS), so the pipeline's sink must be
 * of type {@code elasticsearch}. It is taken out of the definition before the definition is loaded,
 * so changing it alone does not restart the pipeline. The {@code service} section may be left out;
 * {@code pipelines} must name at least one pipeline, each name made of letters, digits,
 * {@code .}, {@code _} and {@code -} (at most 64, starting with a letter or digit; it names the
 * pipeline in logs, metrics and URLs).
 *
 * <p>Errors are {@link ConfigException}s naming the path, in the habits of {@link ConfigLoader}:
 * unknown keys and wrong values are rejected ({@code service.alerts.latencyP99.abov: unknown key
 * ...}, {@code pipelines.orders.rules[0].index: ...}). {@code ${ENV}} and
 * {@code ${ENV:default}} work in every string value. Source, sink and dead-letter settings are
 * checked when the pipeline is built ({@link PipelineFactory}), as in the library.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secrets.
 */
public final class ServiceConfig {
    /** The document's format. */
    public enum Format {
        /** JSON (duplicate keys are errors). */
        JSON,
        /** TOML. */
        TOML
    }

    /** Default {@code service.http.host}. */
    public static final String DEFAULT_HTTP_HOST = "0.0.0.0";
    /** Default {@code service.http.port}. */
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** Default {@code service.shutdownTimeout}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(45);
    /** Default {@code service.configPollInterval}. */
    public static final Duration DEFAULT_CONFIG_POLL_INTERVAL = Duration.ofSeconds(10);
    /** Default {@code service.alertInterval}. */
    public static final Duration DEFAULT_ALERT_INTERVAL = Duration.ofSeconds(5);
    /** Default {@code service.heartbeatInterval}. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** Default {@code pipelines.<name>.heartbeat.field}. */
    public static final String DEFAULT_HEARTBEAT_FIELD = "beat_ms";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.@-]+");
    private static final Pattern UNREAD_TOKEN =
            Pattern.compile("((?i:token|value|character|string) )'[^']*'");

    private final String httpHost;
    private final int httpPort;
    private final Duration shutdownTimeout;
    private final Duration configPollInterval;
    private final Duration alertInterval;
    private final Duration heartbeatInterval;
    @Nullable private final AlertRules alertRules;
    private final Map<String, PipelineDefinition> pipelines;
    private final Map<String, Heartbeat> heartbeats;

    private ServiceConfig(String httpHost, int httpPort, Duration shutdownTimeout, Duration configPollInterval,
            Duration alertInterval, Duration heartbeatInterval, @Nullable AlertRules alertRules,
            Map<String, PipelineDefinition> pipelines, Map<String, Heartbeat> heartbeats) {
        this.httpHost = httpHost;
        this.httpPort = httpPort;
        this.shutdownTimeout = shutdownTimeout;
        this.configPollInterval = configPollInterval;
        this.alertInterval = alertInterval;
        this.heartbeatInterval = heartbeatInterval;
        this.alertRules = alertRules;
        this.pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        this.heartbeats = Collections.unmodifiableMap(new LinkedHashMap<>(heartbeats));
    }

    /**
     * A pipeline's {@code heartbeat} object: where its newest heartbeat is read.
     *
     * @param index the Elasticsearch index holding the heartbeat documents
     * @param field their numeric epoch-milliseconds field
     */
    public record Heartbeat(String index, String field) {
        /** Checks that both are given. */
        public Heartbeat {
            Objects.requireNonNull(index, "index");
            Objects.requireNonNull(field, "field");
        }
    }

    /**
     * Parses a document.
     *
     * @param env the environment for {@code ${...}} (usually {@link System#getenv()})
     * @throws ConfigException for an invalid document, naming the path of the problem
     */
    public static ServiceConfig parse(String text, Format format, Map<String, String> env) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(format, "format");
        ObjectMapper mapper = format == Format.TOML ? new TomlMapper()
                : new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        Map<String, Object> document;
        try {
            document = mapper.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            // the parser quotes the token it could not read, which may be an unquoted secret; the
            // cause is left out for the same reason
            String problem = UNREAD_TOKEN.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("$1(not shown)");
            throw new ConfigException("", "invalid " + format + where + ": " + problem);
        }
        if (document == null) {
            throw new ConfigException("", "the " + format + " document is empty");
        }
        return fromMap(document, env);
    }

    /** Parses already-parsed maps and lists (JSON-compatible values); see {@link #parse}. */
    public static ServiceConfig fromMap(Map<String, Object> document, Map<String, String> env) {
        Objects.requireNonNull(document, "document");
        Map<String, String> environment = Map.copyOf(Objects.requireNonNull(env, "env"));
        ConfigSection root = new ConfigSection("", document, environment);

        String host = DEFAULT_HTTP_HOST;
        int port = DEFAULT_HTTP_PORT;
        Duration shutdown = DEFAULT_SHUTDOWN_TIMEOUT;
        Duration poll = DEFAULT_CONFIG_POLL_INTERVAL;
        Duration alertInterval = DEFAULT_ALERT_INTERVAL;
        Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        AlertRules alerts = null;
        ConfigSection service = root.optSection("service");
        if (service != null) {
            ConfigSection http = service.optSection("http");
            if (http != null) {
                host = http.string("host", DEFAULT_HTTP_HOST);
                if (host.isBlank()) {
                    throw new ConfigException(http.path("host"), "must not be blank");
                }
                port = http.intValue("port", DEFAULT_HTTP_PORT);
                if (port < 0 || port > 65535) {
                    throw new ConfigException(http.path("port"), "must be between 0 and 65535, not " + port);
                }
            }
            shutdown = positive(service, "shutdownTimeout", DEFAULT_SHUTDOWN_TIMEOUT);
            poll = positive(service, "configPollInterval", DEFAULT_CONFIG_POLL_INTERVAL);
            alertInterval = positive(service, "alertInterval", DEFAULT_ALERT_INTERVAL);
            heartbeatInterval = positive(service, "heartbeatInterval", DEFAULT_HEARTBEAT_INTERVAL);
            ConfigSection alertSection = service.optSection("alerts");
            if (alertSection != null) {
                alerts = alerts(alertSection);
            }
        }

        ConfigSection pipelineSection = root.optSection("pipelines");
        if (pipelineSection == null) {
            throw new ConfigException("pipelines", "is required: an object of pipeline names to pipeline definitions");
        }
        Map<String, Object> raw = pipelineSection.raw();
        if (raw.isEmpty()) {
            throw new ConfigException("pipelines", "must name at least one pipeline");
        }
        ConfigLoader loader = ConfigLoader.create().withEnv(environment);
        Map<String, PipelineDefinition> pipelines = new LinkedHashMap<>();
        Map<String, Heartbeat> heartbeats = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String name = e.getKey();
            String path = "pipelines." + name;
            pipelineSection.ignore(name);
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(path, "a pipeline name must be 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            if (!(e.getValue() instanceof Map)) {
                throw new ConfigException(path, "must be an object (a pipeline definition)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> definition = new LinkedHashMap<>((Map<String, Object>) e.getValue());
            Object heartbeat = definition.remove("heartbeat");
            PipelineDefinition loaded;
            try {
                loaded = loader.fromMap(definition);
            } catch (ConfigException problem) {
                throw under(path, problem);
            }
            pipelines.put(name, loaded);
            checkBackfill(path + ".backfill", loaded);
            if (heartbeat != null) {
                heartbeats.put(name, heartbeat(path + ".heartbeat", heartbeat, loaded, environment));
            }
        }
        root.finish();
        refuseSharedGroups(pipelines);
        return new ServiceConfig(host, port, shutdown, poll, alertInterval, heartbeatInterval, alerts, pipelines,
                heartbeats);
    }

    /**
     * Two pipelines consuming one Kafka consumer group would split its partitions between them and
     * commit each other's offsets: refuses two Kafka sources with the same {@code groupId} whose
     * {@code bootstrapServers} share a server (the same cluster, as far as the document tells).
     */
    private static void refuseSharedGroups(Map<String, PipelineDefinition> pipelines) {
        Map<String, Set<String>> servers = new LinkedHashMap<>();
        Map<String, String> groups = new LinkedHashMap<>();
        pipelines.forEach((name, d) -> {
            ComponentConfig source = d.source();
            if (source == null || !source.type().equals("kafka") || !(source.settings().get("groupId") instanceof String g)) {
                return;
            }
            Set<String> these = new TreeSet<>();
            Object raw = source.settings().get("bootstrapServers");
            List<?> list = raw instanceof List<?> l ? l : raw == null ? List.of() : List.of(String.valueOf(raw).split(","));
            for (Object server : list) {
                String trimmed = String.valueOf(server).trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    these.add(trimmed);
                }
            }
            groups.forEach((other, otherGroup) -> {
                if (otherGroup.equals(g) && !Collections.disjoint(servers.get(other), these)) {
                    throw new ConfigException("pipelines." + name + ".source.groupId", "pipelines '" + other + "' and '"
                            + name + "' both consume group '" + g + "' on the same Kafka cluster; give each pipeline its own groupId");
                }
            });
            servers.put(name, these);
            groups.put(name, g);
        });
    }

    private static Heartbeat heartbeat(String path, Object value, PipelineDefinition pipeline,
            Map<String, String> env) {
        if (!(value instanceof Map)) {
            throw new ConfigException(path, "must be an object: {\"index\": ..., \"field\": ...}");
        }
        @SuppressWarnings("unchecked")
        ConfigSection s = new ConfigSection(path, (Map<String, Object>) value, env);
        String index = s.string("index");
        if (index.isBlank() || index.contains("/") || index.contains(" ")) {
            throw new ConfigException(s.path("index"), "must be a plain index name, not '" + index + "'");
        }
        String field = s.string("field", DEFAULT_HEARTBEAT_FIELD);
        if (!FIELD.matcher(field).matches()) {
            throw new ConfigException(s.path("field"), "must be a plain field name, not '" + field + "'");
        }
        s.finish();
        dev.binlogsync.core.config.ComponentConfig sink = pipeline.sink();
        if (sink == null || !"elasticsearch".equals(sink.type())) {
            throw new ConfigException(path, "needs a sink of type elasticsearch: the heartbeat is read with the"
                    + " sink's hosts and credentials");
        }
        return new Heartbeat(index, field);
    }

    /**
     * The service runs a {@code backfill} section itself: it connects with {@code jdbc.url} and
     * reads and writes through an Elasticsearch sink made from the pipeline's {@code sink} settings.
     */
    private static void checkBackfill(String path, PipelineDefinition pipeline) {
        dev.binlogsync.core.config.BackfillConfig backfill = pipeline.backfill();
        if (backfill == null) {
            return;
        }
        if (backfill.jdbcUrl() == null) {
            throw new ConfigException(path + ".jdbc.url", "is required: the service connects to MySQL with it");
        }
        dev.binlogsync.core.config.ComponentConfig sink = pipeline.sink();
        if (sink == null || !"elasticsearch".equals(sink.type())) {
            throw new ConfigException(path, "needs a sink of type elasticsearch: the backfill reads documents back"
                    + " and keeps its checkpoints there");
        }
    }

    private static Duration positive(ConfigSection s, String key, Duration def) {
        Duration d = Objects.requireNonNull(s.duration(key, def));
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(s.path(key), "must be > 0: " + d);
        }
        return d;
    }

    @Nullable
    private static AlertRules alerts(ConfigSection s) {
        AlertRules.Builder b = AlertRules.builder();
        boolean any = false;
        ConfigSection latency = s.optSection("latencyP99");
        if (latency != null) {
            Duration above = required(latency, "above");
            Duration duration = Objects.requireNonNull(latency.duration("for", Duration.ZERO));
            latency.at("", () -> b.latencyP99Above(above, duration));
            any = true;
        }
        ConfigSection heartbeat = s.optSection("heartbeatAge");
        if (heartbeat != null) {
            Duration above = required(heartbeat, "above");
            Duration duration = Objects.requireNonNull(heartbeat.duration("for", Duration.ZERO));
            heartbeat.at("", () -> b.heartbeatAgeAbove(above, duration));
            any = true;
        }
        ConfigSection lag = s.optSection("lagGrowing");
        if (lag != null) {
            Duration duration = required(lag, "for");
            lag.at("for", () -> b.lagGrowingFor(duration));
            any = true;
        }
        ConfigSection health = s.optSection("healthNotHealthy");
        if (health != null) {
            Duration duration = Objects.requireNonNull(health.duration("for", Duration.ZERO));
            health.at("for", () -> b.healthNotHealthy(duration));
            any = true;
        }
        return any ? b.build() : null;
    }

    private static Duration required(ConfigSection s, String key) {
        Duration d = s.duration(key, null);
        if (d == null) {
            throw new ConfigException(s.path(key), "is required");
        }
        return d;
    }

    /** {@code problem}, found inside the pipeline at {@code prefix}, with its path under {@code prefix}. */
    private static ConfigException under(String prefix, ConfigException problem) {
        String shownPath = problem.path().isEmpty() ? "(root)" : problem.path();
        String message = String.valueOf(problem.getMessage());
        String text = message.startsWith(shownPath + ": ") ? message.substring(shownPath.length() + 2) : message;
        String path = problem.path().isEmpty() ? prefix : prefix + "." + problem.path();
        return new ConfigException(path, text, problem);
    }

    // ------------------------------------------------------------------- getters

    /** {@code service.http.host}: the address the HTTP endpoints bind to. */
    public String httpHost() {
        return httpHost;
    }

    /** {@code service.http.port}; 0 means any free port. */
    public int httpPort() {
        return httpPort;
    }

    /** The HTTP endpoints' address, resolved now. */
    public InetSocketAddress httpAddress() {
        return new InetSocketAddress(httpHost, httpPort);
    }

    /** {@code service.shutdownTimeout}: how long a shutdown may take before the process halts. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** {@code service.configPollInterval}: how often a watched file or a URL is read again. */
    public Duration configPollInterval() {
        return configPollInterval;
    }

    /** {@code service.alertInterval}: how often each pipeline's alert conditions are evaluated. */
    public Duration alertInterval() {
        return alertInterval;
    }

    /** {@code service.heartbeatInterval}: how often each pipeline's heartbeat index is read. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /**
     * The {@code heartbeat} objects of the pipelines that have one, by pipeline name; a pipeline
     * without one is absent (its heartbeat age stays unknown).
     */
    public Map<String, Heartbeat> heartbeats() {
        return heartbeats;
    }

    /** {@code service.alerts}, or null when no alert is configured. */
    @Nullable
    public AlertRules alertRules() {
        return alertRules;
    }

    /** {@code pipelines}: name to definition, in document order; never empty. */
    public Map<String, PipelineDefinition> pipelines() {
        return pipelines;
    }

    /**
     * The settings of the {@code service} section that a reload cannot change in a running
     * process (the HTTP address, the alerts and the alert and heartbeat intervals), for comparing
     * two configurations.
     */
    String restartOnlySettings() {
        return httpHost + ":" + httpPort + " " + alertRules + " " + alertInterval + " " + heartbeatInterval;
    }

    /** The service settings and the pipelines, secrets masked. */
    @Override
    public String toString() {
        return "ServiceConfig[http=" + httpHost + ":" + httpPort + ", shutdownTimeout=" + shutdownTimeout
                + ", configPollInterval=" + configPollInterval + ", alertInterval=" + alertInterval
                + ", heartbeatInterval=" + heartbeatInterval + ", alerts=" + alertRules + ", pipelines=" + pipelines
                + ", heartbeats=" + heartbeats + "]";
    }
}
