package dev.binlogsync.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.internal.Arguments;
import dev.binlogsync.core.rules.Rules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import javax.annotation.Nullable;

/**
 * A whole pipeline definition: source, sink and dead-letter sink (each a {@code type} plus
 * settings, created through {@link ComponentProvider}), rules and named filters, and the engine's
 * limits, flush settings, policies and timeouts. Load one with {@link ConfigLoader}, or build one
 * with {@link #builder()}; {@link #toJson()} / {@link #toToml()} render it back to the file form (a
 * builder-made config and its rendered file load to the same thing).
 *
 * <p>Engine settings left unset are null here and mean "the engine's default"; they map one to one
 * onto {@link SyncPipeline.Builder} ({@link #toPipelineBuilder()} does it): {@code limits.maxBufferedActions} ->
 * {@code maxBufferedActions}, {@code limits.maxBufferedBytes} -> {@code maxBufferedBytes},
 * {@code limits.maxInFlightRequests} -> {@code maxInFlightRequests}, {@code limits.lanes} ->
 * {@code lanes}, {@code flush.maxActions} -> {@code maxBulkActions}, {@code flush.maxBytes} ->
 * {@code maxBulkSize}, {@code flush.interval} -> {@code flushInterval},
 * {@code flush.commitInterval} -> {@code commitInterval}, {@code policies.onDecodeFailure},
 * {@code policies.onRejected}, {@code policies.maxRetries}, {@code policies.retryInitialBackoff}
 * and {@code retryMaxBackoff} -> {@code retryBackoff(initial, max)}, {@code timeouts.poll} ->
 * {@code pollTimeout}, {@code timeouts.drain} -> {@code drainTimeout}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secrets in component settings.
 */
public final class PipelineConfig {
    @Nullable private final ComponentConfig source;
    @Nullable private final ComponentConfig sink;
    @Nullable private final ComponentConfig deadLetter;
    private final Rules rules;
    private final Map<String, NamedFilter> filters;
    @Nullable private final Integer maxBufferedActions;
    @Nullable private final Long maxBufferedBytes;
    @Nullable private final Integer maxInFlightRequests;
    @Nullable private final Integer lanes;
    @Nullable private final Integer maxBulkActions;
    @Nullable private final Long maxBulkSize;
    @Nullable private final Duration flushInterval;
    @Nullable private final Duration commitInterval;
    @Nullable private final FailurePolicy onDecodeFailure;
    @Nullable private final FailurePolicy onRejected;
    @Nullable private final Integer maxRetries;
    @Nullable private final Duration retryInitialBackoff;
    @Nullable private final Duration retryMaxBackoff;
    @Nullable private final Duration pollTimeout;
    @Nullable private final Duration drainTimeout;
    private final Map<String, String> env;
    private final ClassLoader classLoader;

    private PipelineConfig(Builder b) {
        source = b.source;
        sink = b.sink;
        deadLetter = b.deadLetter;
        rules = b.rules;
        filters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.filters));
        maxBufferedActions = b.maxBufferedActions;
        maxBufferedBytes = b.maxBufferedBytes;
        maxInFlightRequests = b.maxInFlightRequests;
        lanes = b.lanes;
        maxBulkActions = b.maxBulkActions;
        maxBulkSize = b.maxBulkSize;
        flushInterval = b.flushInterval;
        commitInterval = b.commitInterval;
        onDecodeFailure = b.onDecodeFailure;
        onRejected = b.onRejected;
        maxRetries = b.maxRetries;
        retryInitialBackoff = b.retryInitialBackoff;
        retryMaxBackoff = b.retryMaxBackoff;
        pollTimeout = b.pollTimeout;
        drainTimeout = b.drainTimeout;
        env = b.env;
        classLoader = b.classLoader;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------ components

    /**
     * Creates the source through the {@link ComponentProvider} for its type.
     *
     * @throws ConfigException if there is no source section, no provider for its type, or the
     *     provider rejects a setting (also an unknown key); the message names the path. A
     *     component the provider made before an unknown key was found is closed.
     */
    public Source createSource() {
        return create("source", source, Source.class);
    }

    /** Creates the sink; see {@link #createSource()}. */
    public BulkSink createSink() {
        return create("sink", sink, BulkSink.class);
    }

    /** Creates the dead-letter sink; see {@link #createSource()}. */
    public DeadLetterSink createDeadLetterSink() {
        return create("deadLetter", deadLetter, DeadLetterSink.class);
    }

    private <T> T create(String key, @Nullable ComponentConfig spec, Class<T> kind) {
        if (spec == null) {
            throw new ConfigException(key, "is required");
        }
        List<String> available = new ArrayList<>();
        List<ComponentProvider<?>> providers = new ArrayList<>();
        try {
            for (ComponentProvider<?> p : ServiceLoader.load(ComponentProvider.class, classLoader)) {
                providers.add(p);
            }
        } catch (java.util.ServiceConfigurationError e) {
            throw new ConfigException(key + ".type", "a ComponentProvider on the class path cannot be loaded: " + e.getMessage(), e);
        }
        for (ComponentProvider<?> p : providers) {
            if (!kind.isAssignableFrom(p.componentType())) {
                continue;
            }
            if (!p.type().equals(spec.type())) {
                available.add(p.type());
                continue;
            }
            ConfigSection section = new ConfigSection(key, new LinkedHashMap<>(spec.settings()), env);
            Object made = section.at("", () -> p.create(section));
            try {
                section.finish();
                return kind.cast(made);
            } catch (RuntimeException | Error e) {
                // an unknown key (or a provider of the wrong type): the component exists already and
                // may own threads that keep the JVM alive
                closeQuietly(made, e);
                throw e;
            }
        }
        throw new ConfigException(key + ".type", "no ComponentProvider for " + kind.getSimpleName() + " type '" + spec.type()
                + "' on the class path (available: " + new TreeSet<>(available) + ")");
    }

    /**
     * A {@link SyncPipeline.Builder} with everything this configuration sets: the rules, the source,
     * sink and dead-letter sink (created through their providers, when their sections are
     * present), and every engine setting that is not null (the others keep the engine's
     * defaults). The caller may set more (a listener, a clock) before {@code build()}.
     *
     * @throws ConfigException if a component cannot be created (components created before it are
     *     closed), or the engine's builder rejects a value (the message names the setting)
     */
    public SyncPipeline.Builder toPipelineBuilder() {
        SyncPipeline.Builder b = SyncPipeline.builder().ruleSet(rules);
        List<AutoCloseable> created = new ArrayList<>();
        try {
            if (source != null) {
                Source s = createSource();
                created.add(s);
                b.source(s);
            }
            if (sink != null) {
                BulkSink s = createSink();
                created.add(s);
                b.sink(s);
            }
            if (deadLetter != null) {
                DeadLetterSink s = createDeadLetterSink();
                created.add(s);
                b.deadLetterSink(s);
            }
            engine("limits.maxBufferedActions", maxBufferedActions, b::maxBufferedActions);
            engine("limits.maxBufferedBytes", maxBufferedBytes, b::maxBufferedBytes);
            engine("limits.maxInFlightRequests", maxInFlightRequests, b::maxInFlightRequests);
            engine("limits.lanes", lanes, b::lanes);
            engine("flush.maxActions", maxBulkActions, b::maxBulkActions);
            engine("flush.maxBytes", maxBulkSize, b::maxBulkSize);
            engine("flush.interval", flushInterval, b::flushInterval);
            engine("flush.commitInterval", commitInterval, b::commitInterval);
            engine("policies.onDecodeFailure", onDecodeFailure, b::onDecodeFailure);
            engine("policies.onRejected", onRejected, b::onRejected);
            engine("policies.maxRetries", maxRetries, b::maxRetries);
            if (retryInitialBackoff != null) {
                engine("policies.retryMaxBackoff", retryMaxBackoff, max -> b.retryBackoff(retryInitialBackoff, max));
            }
            engine("timeouts.poll", pollTimeout, b::pollTimeout);
            engine("timeouts.drain", drainTimeout, b::drainTimeout);
            return b;
        } catch (RuntimeException | Error e) {
            for (int i = created.size() - 1; i >= 0; i--) { // the reverse of the order they were made in
                closeQuietly(created.get(i), e);
            }
            throw e;
        }
    }

    /** Closes {@code made} if it is {@link AutoCloseable}; a failure is added to {@code failure} as suppressed. */
    private static void closeQuietly(@Nullable Object made, Throwable failure) {
        if (made instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception | LinkageError suppressed) {
                failure.addSuppressed(suppressed);
            }
        }
    }

    private static <V> void engine(String path, @Nullable V value, java.util.function.Consumer<V> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage(), e);
        }
    }

    // -------------------------------------------------------------- rendering

    /** The file form as plain maps and lists; only what was set. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        putComponent(m, "source", source);
        putComponent(m, "sink", sink);
        putComponent(m, "deadLetter", deadLetter);
        RulesWriter w = new RulesWriter(filters);
        List<Object> renderedRules = w.rules(rules);
        if (!w.filters().isEmpty()) {
            m.put("filters", w.filters());
        }
        m.put("rules", renderedRules);
        Map<String, Object> limits = new LinkedHashMap<>();
        putIf(limits, "maxBufferedActions", maxBufferedActions);
        putIf(limits, "maxBufferedBytes", maxBufferedBytes);
        putIf(limits, "maxInFlightRequests", maxInFlightRequests);
        putIf(limits, "lanes", lanes);
        putSection(m, "limits", limits);
        Map<String, Object> flush = new LinkedHashMap<>();
        putIf(flush, "maxActions", maxBulkActions);
        putIf(flush, "maxBytes", maxBulkSize);
        putIf(flush, "interval", render(flushInterval));
        putIf(flush, "commitInterval", render(commitInterval));
        putSection(m, "flush", flush);
        Map<String, Object> policies = new LinkedHashMap<>();
        putIf(policies, "onDecodeFailure", onDecodeFailure == null ? null : RulesWriter.lower(onDecodeFailure));
        putIf(policies, "onRejected", onRejected == null ? null : RulesWriter.lower(onRejected));
        putIf(policies, "maxRetries", maxRetries);
        putIf(policies, "retryInitialBackoff", render(retryInitialBackoff));
        putIf(policies, "retryMaxBackoff", render(retryMaxBackoff));
        putSection(m, "policies", policies);
        Map<String, Object> timeouts = new LinkedHashMap<>();
        putIf(timeouts, "poll", render(pollTimeout));
        putIf(timeouts, "drain", render(drainTimeout));
        putSection(m, "timeouts", timeouts);
        return m;
    }

    /** The file form as pretty-printed JSON. */
    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the configuration as JSON", e);
        }
    }

    /** The file form as TOML. */
    public String toToml() {
        try {
            return new TomlMapper().writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the configuration as TOML", e);
        }
    }

    private static void putComponent(Map<String, Object> m, String key, @Nullable ComponentConfig c) {
        if (c != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("type", c.type());
            s.putAll(c.settings());
            m.put(key, s);
        }
    }

    private static void putIf(Map<String, Object> m, String key, @Nullable Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static void putSection(Map<String, Object> m, String key, Map<String, Object> section) {
        if (!section.isEmpty()) {
            m.put(key, section);
        }
    }

    @Nullable
    static String render(@Nullable Duration d) {
        if (d == null) {
            return null;
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    // ---------------------------------------------------------------- getters

    @Nullable
    public ComponentConfig source() {
        return source;
    }

    @Nullable
    public ComponentConfig sink() {
        return sink;
    }

    @Nullable
    public ComponentConfig deadLetter() {
        return deadLetter;
    }

    public Rules rules() {
        return rules;
    }

    /** The {@code filters} section: named filters rules refer to. */
    public Map<String, NamedFilter> filters() {
        return filters;
    }

    @Nullable
    public Integer maxBufferedActions() {
        return maxBufferedActions;
    }

    @Nullable
    public Long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    @Nullable
    public Integer maxInFlightRequests() {
        return maxInFlightRequests;
    }

    @Nullable
    public Integer lanes() {
        return lanes;
    }

    @Nullable
    public Integer maxBulkActions() {
        return maxBulkActions;
    }

    @Nullable
    public Long maxBulkSize() {
        return maxBulkSize;
    }

    @Nullable
    public Duration flushInterval() {
        return flushInterval;
    }

    @Nullable
    public Duration commitInterval() {
        return commitInterval;
    }

    @Nullable
    public FailurePolicy onDecodeFailure() {
        return onDecodeFailure;
    }

    @Nullable
    public FailurePolicy onRejected() {
        return onRejected;
    }

    @Nullable
    public Integer maxRetries() {
        return maxRetries;
    }

    @Nullable
    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    @Nullable
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    @Nullable
    public Duration pollTimeout() {
        return pollTimeout;
    }

    @Nullable
    public Duration drainTimeout() {
        return drainTimeout;
    }

    @Override
    public String toString() {
        Map<String, Object> m = toMapQuietly();
        return "PipelineConfig" + ComponentConfig.mask(m);
    }

    private Map<String, Object> toMapQuietly() {
        try {
            return toMap();
        } catch (ConfigException e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rules", rules.toString());
            return m;
        }
    }

    /**
     * Builds a {@link PipelineConfig}; every file option has a method here. Setters validate at
     * once ({@link IllegalArgumentException} naming the value), {@link #build()} checks the
     * combination ({@link IllegalStateException}). Not thread-safe.
     */
    public static final class Builder {
        private ComponentConfig source;
        private ComponentConfig sink;
        private ComponentConfig deadLetter;
        private Rules rules;
        private final Map<String, NamedFilter> filters = new LinkedHashMap<>();
        private Integer maxBufferedActions;
        private Long maxBufferedBytes;
        private Integer maxInFlightRequests;
        private Integer lanes;
        private Integer maxBulkActions;
        private Long maxBulkSize;
        private Duration flushInterval;
        private Duration commitInterval;
        private FailurePolicy onDecodeFailure;
        private FailurePolicy onRejected;
        private Integer maxRetries;
        private Duration retryInitialBackoff;
        private Duration retryMaxBackoff;
        private Duration pollTimeout;
        private Duration drainTimeout;
        private Map<String, String> env = System.getenv();
        private ClassLoader classLoader = defaultLoader();

        private Builder() {
        }

        private static ClassLoader defaultLoader() {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            return cl != null ? cl : PipelineConfig.class.getClassLoader();
        }

        /** {@code source}: a provider type and its settings. */
        public Builder source(String type, Map<String, ?> settings) {
            this.source = component(type, settings);
            return this;
        }

        /** {@code sink}: a provider type and its settings. */
        public Builder sink(String type, Map<String, ?> settings) {
            this.sink = component(type, settings);
            return this;
        }

        /** {@code deadLetter}: a provider type and its settings. */
        public Builder deadLetter(String type, Map<String, ?> settings) {
            this.deadLetter = component(type, settings);
            return this;
        }

        private static ComponentConfig component(String type, Map<String, ?> settings) {
            Objects.requireNonNull(settings, "settings");
            return new ComponentConfig(type, new LinkedHashMap<>(settings));
        }

        /** {@code rules} (and the named filters they use). Required. */
        public Builder rules(Rules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** Declares a named filter in {@code filters} (rules using a NamedFilter declare it too). */
        public Builder filter(NamedFilter filter) {
            Objects.requireNonNull(filter, "filter");
            filters.put(filter.name(), filter);
            return this;
        }

        /** {@code limits.maxBufferedActions}; >= 1. */
        public Builder maxBufferedActions(int n) {
            this.maxBufferedActions = atLeastOne(n, "maxBufferedActions");
            return this;
        }

        /** {@code limits.maxBufferedBytes}; >= 1. */
        public Builder maxBufferedBytes(long bytes) {
            this.maxBufferedBytes = atLeastOne(bytes, "maxBufferedBytes");
            return this;
        }

        /** {@code limits.maxInFlightRequests}; >= 1. */
        public Builder maxInFlightRequests(int n) {
            this.maxInFlightRequests = atLeastOne(n, "maxInFlightRequests");
            return this;
        }

        /** {@code limits.lanes}; >= 1. */
        public Builder lanes(int n) {
            this.lanes = atLeastOne(n, "lanes");
            return this;
        }

        /** {@code flush.maxActions}; >= 1. */
        public Builder maxBulkActions(int n) {
            this.maxBulkActions = atLeastOne(n, "maxBulkActions");
            return this;
        }

        /** {@code flush.maxBytes}; >= 1. */
        public Builder maxBulkSize(long bytes) {
            this.maxBulkSize = atLeastOne(bytes, "maxBulkSize");
            return this;
        }

        /** {@code flush.interval}; > 0. */
        public Builder flushInterval(Duration d) {
            this.flushInterval = Arguments.positive(d, "flushInterval");
            return this;
        }

        /** {@code flush.commitInterval}; >= 0. */
        public Builder commitInterval(Duration d) {
            Objects.requireNonNull(d, "commitInterval");
            if (d.isNegative()) {
                throw new IllegalArgumentException("commitInterval must be >= 0: " + d);
            }
            this.commitInterval = d;
            return this;
        }

        /** {@code policies.onDecodeFailure}. */
        public Builder onDecodeFailure(FailurePolicy p) {
            this.onDecodeFailure = Objects.requireNonNull(p, "onDecodeFailure");
            return this;
        }

        /** {@code policies.onRejected}. */
        public Builder onRejected(FailurePolicy p) {
            this.onRejected = Objects.requireNonNull(p, "onRejected");
            return this;
        }

        /** {@code policies.maxRetries}; >= 0. */
        public Builder maxRetries(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0: " + n);
            }
            this.maxRetries = n;
            return this;
        }

        /** {@code policies.retryInitialBackoff} and {@code retryMaxBackoff}; > 0, max >= initial. */
        public Builder retryBackoff(Duration initial, Duration max) {
            Arguments.positive(initial, "retryInitialBackoff");
            Arguments.positive(max, "retryMaxBackoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retryMaxBackoff must be >= retryInitialBackoff: " + max + " < " + initial);
            }
            this.retryInitialBackoff = initial;
            this.retryMaxBackoff = max;
            return this;
        }

        /** {@code timeouts.poll}; > 0. */
        public Builder pollTimeout(Duration d) {
            this.pollTimeout = Arguments.positive(d, "pollTimeout");
            return this;
        }

        /** {@code timeouts.drain}; > 0. */
        public Builder drainTimeout(Duration d) {
            this.drainTimeout = Arguments.positive(d, "drainTimeout");
            return this;
        }

        /** The environment for {@code ${...}} in component settings; default {@link System#getenv()}. */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** Where providers and named classes are looked up; default the context class loader. */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "classLoader");
            return this;
        }

        /**
         * @throws IllegalStateException if rules are missing or lanes are fewer than
         *     maxInFlightRequests (a DEAD_LETTER policy without a deadLetter section is allowed here:
         *     the dead-letter sink may be set in code; the engine's builder checks it)
         */
        public PipelineConfig build() {
            if (rules == null) {
                throw new IllegalStateException("rules are required");
            }
            if (lanes != null && maxInFlightRequests != null && lanes < maxInFlightRequests) {
                throw new IllegalStateException("lanes must be >= maxInFlightRequests: " + lanes + " < " + maxInFlightRequests);
            }
            return new PipelineConfig(this);
        }

        private static int atLeastOne(int n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1: " + n);
            }
            return n;
        }

        private static long atLeastOne(long n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be >= 1: " + n);
            }
            return n;
        }
    }
}
