package dev.binlogsync.core.config;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.rules.Rules;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import javax.sql.DataSource;

/**
 * The {@code backfill} section of a pipeline definition: what a
 * {@link dev.binlogsync.core.backfill.Backfill} of the pipeline's tables needs besides the
 * {@link DataSource} and the sink the application supplies
 * ({@link PipelineDefinition#toBackfillBuilder(DataSource, BulkSink)}), and the JDBC connection a
 * host that builds its own {@code DataSource} (the service) connects with. The library adds no JDBC
 * driver.
 *
 * <pre>{@code
 * "backfill": {
 *   "jdbc": {"url": "jdbc:mariadb://db:3306/shop", "user": "sync", "password": "${DB_PASSWORD}"},
 *   "tables": ["shop.orders", "shop.users"],
 *   "tablesOf": ["order_items"],
 *   "keyColumns": {"shop.events": ["tenant", "seq"]},
 *   "chunkSize": 1000, "maxChunkBytes": "5mb", "maxRowsPerSecond": 5000, "restartFence": "2m",
 *   "maxRetries": 10, "retryBackoff": "200ms",
 *   "yieldToStream": true, "maxStreamLatency": "5s", "maxYield": "10s",
 *   "checkpointIndex": "binlog-sync-backfill", "runAtStart": true
 * }
 * }</pre>
 *
 * <p>Every key is optional. The numbers and durations go to the {@link Backfill.Builder} method of
 * the same name, which keeps their defaults and checks (a key left out is not set: the builder's
 * default applies, and its getter here is null); {@code maxChunkBytes} is a size ({@code 5242880},
 * {@code 5mb}). {@code tables} are {@code database.table} names ({@link Backfill.Builder#table}),
 * {@code tablesOf} index names ({@link Backfill.Builder#tablesOf}: the tables of the rules writing
 * that index), {@code allTables} (default false) every table a rule matches
 * ({@link Backfill.Builder#allTables()}); with none of the three, every table a rule matches (a
 * pattern's listed from {@code information_schema} when the backfill runs); {@code keyColumns}
 * maps a {@code database.table} name to its key columns.
 * {@code checkpointIndex} (default {@value #DEFAULT_CHECKPOINT_INDEX}) is the index of the
 * checkpoint store a host builds; {@code runAtStart} (default true) whether a host runs the
 * backfill when the pipeline starts. {@code yieldToStream} (default true) whether a host that runs
 * the backfill beside its pipeline makes it yield to that pipeline
 * ({@link Backfill.Builder#yieldTo(dev.binlogsync.core.SyncPipeline, Duration)}) with
 * {@code maxStreamLatency} (default {@link #DEFAULT_MAX_STREAM_LATENCY}, above zero, at most
 * {@link Backfill#LONGEST_YIELD_SETTING}) as the target; {@code maxYield} goes to
 * {@link Backfill.Builder#maxYield} (the same bounds). {@code jdbc.url}, {@code jdbc.user} and {@code jdbc.password}
 * may use {@code ${ENV}}; the section is kept as written, so rendering it back
 * ({@link PipelineDefinition#toJson()}) never shows a value taken from the environment, and
 * {@link #toString()} masks the password and a URL's user info.
 *
 * <p>The whole section is checked when the definition is built: unknown keys, wrong types, values
 * the builder rejects, and the builder's cross checks against the rules (a {@code tablesOf} index no
 * rule writes, a merged table named before its parent) are {@link ConfigException}s naming the path
 * ({@code backfill.chunkSize}). Immutable and thread-safe.
 */
public final class BackfillConfig {
    /** The default {@code checkpointIndex}. */
    public static final String DEFAULT_CHECKPOINT_INDEX = "binlog-sync-backfill";
    /** The default {@code maxStreamLatency}: {@link Backfill#DEFAULT_MAX_STREAM_LATENCY} (5 s). */
    public static final Duration DEFAULT_MAX_STREAM_LATENCY = Backfill.DEFAULT_MAX_STREAM_LATENCY;

    private final Map<String, Object> raw;
    @Nullable private final String jdbcUrl;
    @Nullable private final String jdbcUser;
    @Nullable private final String jdbcPassword;
    private final List<String> tables;
    private final List<String> tablesOf;
    private final boolean allTables;
    private final Map<String, List<String>> keyColumns;
    @Nullable private final Integer chunkSize;
    @Nullable private final Long maxChunkBytes;
    @Nullable private final Double maxRowsPerSecond;
    @Nullable private final Duration restartFence;
    @Nullable private final Integer maxRetries;
    @Nullable private final Duration retryBackoff;
    private final boolean yieldToStream;
    private final Duration maxStreamLatency;
    @Nullable private final Duration maxYield;
    private final String checkpointIndex;
    private final boolean runAtStart;

    private BackfillConfig(Map<String, Object> raw, ConfigSection s) {
        this.raw = raw;
        ConfigSection jdbc = s.optSection("jdbc");
        if (jdbc != null) {
            jdbcUrl = blankIsError(jdbc, "url");
            jdbcUser = jdbc.optString("user");
            jdbcPassword = jdbc.optString("password");
        } else {
            jdbcUrl = null;
            jdbcUser = null;
            jdbcPassword = null;
        }
        List<String> t = new ArrayList<>();
        List<String> given = s.stringList("tables");
        for (int i = 0; i < given.size(); i++) {
            t.add(tableName(s.path("tables") + "[" + i + "]", given.get(i)));
        }
        tables = List.copyOf(t);
        List<String> indices = s.stringList("tablesOf");
        for (int i = 0; i < indices.size(); i++) {
            if (indices.get(i).isBlank()) {
                throw new ConfigException(s.path("tablesOf") + "[" + i + "]", "must be an index name, not blank");
            }
        }
        tablesOf = List.copyOf(indices);
        allTables = s.bool("allTables", false);
        Map<String, List<String>> k = new LinkedHashMap<>();
        ConfigSection keys = s.optSection("keyColumns");
        if (keys != null) {
            for (String table : keys.keys()) {
                tableName(keys.path(table), table);
                List<String> columns = keys.stringList(table);
                if (columns.isEmpty()) {
                    throw new ConfigException(keys.path(table), "needs at least one column");
                }
                k.put(table, List.copyOf(columns));
            }
        }
        keyColumns = Collections.unmodifiableMap(k);
        chunkSize = s.has("chunkSize") ? s.intValue("chunkSize") : null;
        maxChunkBytes = s.has("maxChunkBytes") ? s.bytes("maxChunkBytes", 0) : null;
        maxRowsPerSecond = s.has("maxRowsPerSecond") ? number(s, "maxRowsPerSecond") : null;
        restartFence = s.duration("restartFence", null);
        maxRetries = s.has("maxRetries") ? s.intValue("maxRetries") : null;
        retryBackoff = s.duration("retryBackoff", null);
        yieldToStream = s.bool("yieldToStream", true);
        maxStreamLatency = Objects.requireNonNull(s.duration("maxStreamLatency", DEFAULT_MAX_STREAM_LATENCY));
        if (maxStreamLatency.isZero() || maxStreamLatency.isNegative()) {
            throw new ConfigException(s.path("maxStreamLatency"), "must be above zero, not " + maxStreamLatency
                    + " (\"yieldToStream\": false turns the yield off)");
        }
        if (maxStreamLatency.compareTo(Backfill.LONGEST_YIELD_SETTING) > 0) {
            throw new ConfigException(s.path("maxStreamLatency"), "must be at most " + Backfill.LONGEST_YIELD_SETTING
                    + ", not " + maxStreamLatency);
        }
        maxYield = s.duration("maxYield", null);
        checkpointIndex = s.string("checkpointIndex", DEFAULT_CHECKPOINT_INDEX);
        if (checkpointIndex.isBlank() || !checkpointIndex.equals(checkpointIndex.toLowerCase(java.util.Locale.ROOT))
                || checkpointIndex.contains("/") || checkpointIndex.contains(" ") || checkpointIndex.contains(",")
                || checkpointIndex.contains("*")) {
            throw new ConfigException(s.path("checkpointIndex"), "must be a lower-case index name, not '"
                    + checkpointIndex + "'");
        }
        runAtStart = s.bool("runAtStart", true);
    }

    /**
     * Reads and checks a {@code backfill} section against the pipeline's rules.
     *
     * @param section the section as written (not interpolated); copied
     * @throws ConfigException naming the path of the first problem
     */
    static BackfillConfig read(Map<String, ?> section, Map<String, String> env, Rules rules) {
        Map<String, Object> copy = Collections.unmodifiableMap(new LinkedHashMap<>(section));
        ConfigSection s = new ConfigSection("backfill", new LinkedHashMap<>(copy), env);
        BackfillConfig c = new BackfillConfig(copy, s);
        s.finish();
        for (int i = 0; i < c.tablesOf.size(); i++) {
            String index = c.tablesOf.get(i);
            if (rules.rules().stream().noneMatch(r -> r.index().equals(index))) {
                throw new ConfigException(s.path("tablesOf") + "[" + i + "]", "no rule writes the index '" + index
                        + "' (a rule's index as written, a template included)");
            }
        }
        // each value through its builder method (its check, named at its key), then the cross checks
        Backfill.Builder b = Backfill.builder().dataSource(placeholder(DataSource.class)).rules(rules)
                .sink(placeholder(ReadingSink.class));
        c.apply(b, s);
        s.at("", b::build);
        return c;
    }

    /** Sets what this section gives on {@code b}; with {@code s}, a rejected value names its key. */
    void apply(Backfill.Builder b, @Nullable ConfigSection s) {
        for (String t : tables) {
            int dot = t.indexOf('.');
            at(s, "tables", () -> b.table(t.substring(0, dot), t.substring(dot + 1)));
        }
        for (String index : tablesOf) {
            at(s, "tablesOf", () -> b.tablesOf(index));
        }
        if (allTables) {
            b.allTables();
        }
        applySettings(b, s);
    }

    /** The load parameters (everything but the tables); with {@code s}, a rejected value names its key. */
    private void applySettings(Backfill.Builder b, @Nullable ConfigSection s) {
        keyColumns.forEach((t, columns) -> {
            int dot = t.indexOf('.');
            at(s, "keyColumns", () -> b.keyColumns(t.substring(0, dot), t.substring(dot + 1), columns.toArray(String[]::new)));
        });
        if (chunkSize != null) {
            at(s, "chunkSize", () -> b.chunkSize(chunkSize));
        }
        if (maxChunkBytes != null) {
            at(s, "maxChunkBytes", () -> b.maxChunkBytes(maxChunkBytes));
        }
        if (maxRowsPerSecond != null) {
            at(s, "maxRowsPerSecond", () -> b.maxRowsPerSecond(maxRowsPerSecond));
        }
        if (restartFence != null) {
            at(s, "restartFence", () -> b.restartFence(restartFence));
        }
        if (maxRetries != null) {
            at(s, "maxRetries", () -> b.maxRetries(maxRetries));
        }
        if (retryBackoff != null) {
            at(s, "retryBackoff", () -> b.retryBackoff(retryBackoff));
        }
        if (maxYield != null) {
            at(s, "maxYield", () -> b.maxYield(maxYield));
        }
    }

    /** As {@link #apply} without a check path, and without the tables ({@code tables}, {@code tablesOf}, {@code allTables}): for a re-sync, which names its own. */
    void applyWithoutTables(Backfill.Builder b) {
        applySettings(b, null);
    }

    private static void at(@Nullable ConfigSection s, String key, Runnable set) {
        if (s == null) {
            set.run();
        } else {
            s.at(key, () -> {
                set.run();
                return null;
            });
        }
    }

    @Nullable
    private static String blankIsError(ConfigSection s, String key) {
        String v = s.optString(key);
        if (v != null && v.isBlank()) {
            throw new ConfigException(s.path(key), "must not be blank");
        }
        return v;
    }

    private static double number(ConfigSection s, String key) {
        String v = Objects.requireNonNull(s.optString(key));
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(s.path(key), "must be a number, not '" + v + "'");
        }
    }

    private static String tableName(String path, String name) {
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1 || name.indexOf('.', dot + 1) >= 0) {
            throw new ConfigException(path, "must be database.table, not '" + name + "'");
        }
        return name;
    }

    /** A sink that is also a reader: what {@link Backfill.Builder#build()} needs to check the section. */
    private interface ReadingSink extends BulkSink, DocumentReader {
    }

    /** An object of {@code type} that is never called: the check only builds, it never runs. */
    private static <T> T placeholder(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(BackfillConfig.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals("toString")) {
                        return "placeholder " + type.getSimpleName();
                    }
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new UnsupportedOperationException("a placeholder for the configuration check");
                }));
    }

    // ---------------------------------------------------------------- getters

    /** {@code jdbc.url}, interpolated; null when absent (the application supplies the DataSource). */
    @Nullable
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** {@code jdbc.user}, interpolated; null when absent. */
    @Nullable
    public String jdbcUser() {
        return jdbcUser;
    }

    /** {@code jdbc.password}, interpolated; null when absent. A secret: never log or show it. */
    @Nullable
    public String jdbcPassword() {
        return jdbcPassword;
    }

    /** {@code tables} as {@code database.table}; empty when none is named. */
    public List<String> tables() {
        return tables;
    }

    /** {@code tablesOf}: the indices whose rules' tables load; empty when none is given. */
    public List<String> tablesOf() {
        return tablesOf;
    }

    /**
     * {@code allTables}: whether every table a rule matches loads besides those named; default false
     * (with no {@code tables} and no {@code tablesOf}, every table a rule matches loads anyway).
     */
    public boolean allTables() {
        return allTables;
    }

    /** {@code keyColumns}: {@code database.table} to its key columns, in order. */
    public Map<String, List<String>> keyColumns() {
        return keyColumns;
    }

    /** {@code chunkSize}; null for the {@link Backfill.Builder#chunkSize} default. */
    @Nullable
    public Integer chunkSize() {
        return chunkSize;
    }

    /** {@code maxChunkBytes}; null for the {@link Backfill.Builder#maxChunkBytes} default. */
    @Nullable
    public Long maxChunkBytes() {
        return maxChunkBytes;
    }

    /** {@code maxRowsPerSecond}; null for the builder's default (no limit). */
    @Nullable
    public Double maxRowsPerSecond() {
        return maxRowsPerSecond;
    }

    /** {@code restartFence}; null for the builder's default. */
    @Nullable
    public Duration restartFence() {
        return restartFence;
    }

    /** {@code maxRetries}; null for the builder's default. */
    @Nullable
    public Integer maxRetries() {
        return maxRetries;
    }

    /** {@code retryBackoff}; null for the builder's default. */
    @Nullable
    public Duration retryBackoff() {
        return retryBackoff;
    }

    /**
     * {@code yieldToStream}: whether a host running the backfill beside its pipeline yields to it
     * ({@link Backfill.Builder#yieldTo(dev.binlogsync.core.SyncPipeline, Duration)}); default true.
     */
    public boolean yieldToStream() {
        return yieldToStream;
    }

    /** {@code maxStreamLatency}: the stream's latency above which the backfill waits; default 5 s. */
    public Duration maxStreamLatency() {
        return maxStreamLatency;
    }

    /** {@code maxYield}; null for the {@link Backfill.Builder#maxYield} default (10 s). */
    @Nullable
    public Duration maxYield() {
        return maxYield;
    }

    /** {@code checkpointIndex}: where a host keeps the checkpoints; default {@value #DEFAULT_CHECKPOINT_INDEX}. */
    public String checkpointIndex() {
        return checkpointIndex;
    }

    /** {@code runAtStart}: whether a host runs the backfill when the pipeline starts; default true. */
    public boolean runAtStart() {
        return runAtStart;
    }

    /** The section as written ({@code ${...}} not resolved), for rendering back. */
    public Map<String, Object> raw() {
        return raw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackfillConfig other && raw.equals(other.raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    /**
     * The section as written, for display: secret keys and a URL's user info masked, and
     * {@code jdbc.url} cut before its properties ({@code ?}, {@code ;} or an address form's
     * {@code (}), where drivers also take a {@code password}.
     */
    public Map<String, Object> masked() {
        Map<String, Object> out = Secrets.masked(raw);
        if (out.get("jdbc") instanceof Map<?, ?> jdbc && jdbc.get("url") instanceof String url) {
            @SuppressWarnings("unchecked")
            Map<String, Object> j = (Map<String, Object>) jdbc;
            j.put("url", withoutProperties(url));
        }
        return out;
    }

    /** {@code url} up to its first {@code ?}, {@code ;} or {@code (} after the scheme, then {@value Secrets#MASK}. */
    private static String withoutProperties(String url) {
        int from = url.indexOf("://");
        from = from < 0 ? 0 : from + 3;
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == ';' || c == '(') {
                return url.substring(0, i) + Secrets.MASK;
            }
        }
        return url;
    }

    /** The section as written, masked as {@link #masked()}. */
    @Override
    public String toString() {
        return "BackfillConfig" + masked();
    }
}
