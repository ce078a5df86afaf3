package dev.binlogsync.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillValues;
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
import javax.sql.DataSource;

/**
 * A whole pipeline definition: source, sink and dead-letter sink (each a {@code type} plus
 * settings, created through {@link ComponentProvider}), rules and named filters, and the engine's
 * {@link PipelineSettings}. Load one with {@link ConfigLoader}, or build one with
 * {@link #builder()}; {@link #toJson()} / {@link #toToml()} render it back to the file form (a
 * builder-made definition and its rendered file load to the same thing).
 *
 * <p>The file's {@code settings} section holds the engine settings under the names of the
 * {@link PipelineSettings.Builder} methods ({@code maxBulkBytes}, {@code flushInterval}, ...), with
 * the same defaults and checks; {@link #toPipelineBuilder()} hands them to
 * {@link SyncPipeline.Builder#settings}. The optional {@code backfill} section
 * ({@link BackfillConfig}) configures a {@link Backfill} of the pipeline's tables:
 * {@link #toBackfillBuilder(DataSource, BulkSink)}. The optional {@code resync} section
 * ({@link ResyncConfig}) configures a re-sync of the index behind an alias, loaded with the
 * {@code backfill} section's parameters ({@link #toResyncBackfillSettings()}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secrets in component settings.
 */
public final class PipelineDefinition {
    @Nullable private final ComponentConfig source;
    @Nullable private final ComponentConfig sink;
    @Nullable private final ComponentConfig deadLetter;
    private final Rules rules;
    private final Map<String, NamedFilter> filters;
    private final PipelineSettings settings;
    @Nullable private final BackfillConfig backfill;
    @Nullable private final ResyncConfig resync;
    private final Map<String, String> env;
    private final ClassLoader classLoader;

    private PipelineDefinition(Builder b) {
        source = b.source;
        sink = b.sink;
        deadLetter = b.deadLetter;
        rules = b.rules;
        filters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.filters));
        settings = b.settings;
        backfill = b.backfillConfig;
        resync = b.resyncConfig;
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
        ComponentProvider<?> p = provider(key, spec, kind);
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

    /** The provider for {@code spec}'s type that makes a {@code kind}. */
    private ComponentProvider<?> provider(String key, ComponentConfig spec, Class<?> kind) {
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
            return p;
        }
        throw new ConfigException(key + ".type", "no ComponentProvider for " + kind.getSimpleName() + " type '" + spec.type()
                + "' on the class path (available: " + new TreeSet<>(available) + ")");
    }

    /**
     * A {@link SyncPipeline.Builder} with everything this definition sets: the rules, the source,
     * sink and dead-letter sink (created through their providers, when their sections are
     * present), and the {@link #settings()}. The caller may set more (a listener, a clock, a
     * component whose section is absent) or change single settings before {@code build()}.
     *
     * <p>The components it makes are handed over to the builder
     * ({@link SyncPipeline.Builder#closeUnlessBuilt}): if {@code build()} throws (a missing
     * component, contradicting settings, a {@code drainTimeout} not below the source's poll
     * interval), they are closed, and the builder refuses to build again; one the caller replaces
     * (say {@code .sink(mySink)}) is closed by {@code build()}; the built pipeline closes the
     * others. A failure between this call and {@code build()} (a setter rejecting a value, the
     * caller's own code) closes nothing: a caller giving up on the builder calls
     * {@link SyncPipeline.Builder#discard()}, which closes them (see
     * {@link SyncPipeline.Builder#closeUnlessBuilt} for the try/catch). Drop the builder without
     * {@code build()} or {@code discard()} only if the definition made no component.
     *
     * @throws ConfigException if a component cannot be created (components created before it are
     *     closed)
     */
    public SyncPipeline.Builder toPipelineBuilder() {
        SyncPipeline.Builder b = SyncPipeline.builder().ruleSet(rules).settings(settings);
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
            for (AutoCloseable c : created) {
                b.closeUnlessBuilt(c);
            }
            return b;
        } catch (RuntimeException | Error e) {
            for (int i = created.size() - 1; i >= 0; i--) { // the reverse of the order they were made in
                closeQuietly(created.get(i), e);
            }
            throw e;
        }
    }

    /**
     * A {@link Backfill.Builder} with everything the {@code backfill} section and the rules set: the
     * data source and sink given, the rules, the tables, key columns, chunk size, rate limit, fence
     * and retries, and the {@link Backfill.Builder#values values} of the {@code source} section's
     * decoder (its {@link ComponentProvider#backfillValues}, e.g. the Kafka source's
     * {@code format} with its options), so a backfilled document equals the stream's, types
     * included; without a source section, or with a provider that cannot tell, values are not set
     * (the backfill then refuses tables whose driver values may differ). The caller adds the {@link Backfill.Builder#checkpointStore checkpoint store}
     * (e.g. {@code ElasticsearchCheckpointStore.of(client, backfill().checkpointIndex())}) and a
     * listener before {@code build()}.
     *
     * @param dataSource the application's data source for the section's database (the library
     *     adds no JDBC driver; {@link BackfillConfig#jdbcUrl()} tells where to connect)
     * @param sink a started sink that is also a {@link dev.binlogsync.core.DocumentReader}
     *     ({@code ElasticsearchSink})
     * @throws IllegalStateException if the definition has no {@code backfill} section
     * @throws ConfigException if no provider makes the {@code source} type, or it rejects a setting
     */
    public Backfill.Builder toBackfillBuilder(DataSource dataSource, BulkSink sink) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(sink, "sink");
        if (backfill == null) {
            throw new IllegalStateException("the pipeline definition has no backfill section");
        }
        Backfill.Builder b = Backfill.builder().dataSource(dataSource).rules(rules).sink(sink);
        backfill.apply(b, null);
        if (source != null) {
            ComponentProvider<?> p = provider("source", source, Source.class);
            ConfigSection section = new ConfigSection("source", new LinkedHashMap<>(source.settings()), env);
            BackfillValues values = section.at("", () -> p.backfillValues(section));
            if (values != null) {
                b.values(values);
            }
        }
        return b;
    }

    /**
     * What a re-sync's backfill takes from the {@code backfill} section, to give to
     * {@code Resync.Builder.backfill(...)}: the key columns, chunk size, rate limit, fence and
     * retries, and the values of the {@code source} section's decoder, as
     * {@link #toBackfillBuilder} sets them; not the section's {@code tables} (the re-sync names the
     * tables of the rules writing to its alias), nor the data source, sink and checkpoint store
     * (the re-sync sets its own).
     *
     * @throws IllegalStateException if the definition has no {@code backfill} section
     * @throws ConfigException if no provider makes the {@code source} type, or it rejects a setting
     */
    public java.util.function.Consumer<Backfill.Builder> toResyncBackfillSettings() {
        BackfillConfig config = backfill;
        if (config == null) {
            throw new IllegalStateException("the pipeline definition has no backfill section");
        }
        BackfillValues values = null;
        if (source != null) {
            ComponentProvider<?> p = provider("source", source, Source.class);
            ConfigSection section = new ConfigSection("source", new LinkedHashMap<>(source.settings()), env);
            values = section.at("", () -> p.backfillValues(section));
        }
        BackfillValues decoded = values;
        return b -> {
            config.applyWithoutTables(b);
            if (decoded != null) {
                b.values(decoded);
            }
        };
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
        putSection(m, "settings", SettingsSection.render(settings));
        if (backfill != null) {
            m.put("backfill", backfill.raw());
        }
        if (resync != null) {
            m.put("resync", resync.raw());
        }
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

    /** The {@code source} section, or null when the definition has none (then {@link #createSource()} fails). */
    @Nullable
    public ComponentConfig source() {
        return source;
    }

    /** The {@code sink} section, or null when the definition has none. */
    @Nullable
    public ComponentConfig sink() {
        return sink;
    }

    /** The {@code deadLetter} section, or null when the definition has none (no dead-letter sink). */
    @Nullable
    public ComponentConfig deadLetter() {
        return deadLetter;
    }

    /** The {@code rules} section, compiled. */
    public Rules rules() {
        return rules;
    }

    /** The {@code filters} section: named filters rules refer to. */
    public Map<String, NamedFilter> filters() {
        return filters;
    }

    /** The engine settings; the defaults when the file has no {@code settings} section. */
    public PipelineSettings settings() {
        return settings;
    }

    /** The {@code backfill} section, or null when the definition has none. */
    @Nullable
    public BackfillConfig backfill() {
        return backfill;
    }

    /** The {@code resync} section, or null when the definition has none. */
    @Nullable
    public ResyncConfig resync() {
        return resync;
    }

    @Override
    public String toString() {
        Map<String, Object> m = toMapQuietly();
        Map<String, Object> shown = dev.binlogsync.core.Secrets.masked(m);
        if (backfill != null) {
            shown.put("backfill", backfill.masked()); // also cuts the JDBC URL's properties
        }
        if (resync != null) {
            shown.put("resync", resync.masked());
        }
        return "PipelineDefinition" + shown;
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
     * Builds a {@link PipelineDefinition}; every part of the file form has a method here (the
     * engine settings come as one {@link PipelineSettings}, already checked). Not thread-safe.
     */
    public static final class Builder {
        private ComponentConfig source;
        private ComponentConfig sink;
        private ComponentConfig deadLetter;
        private Rules rules;
        private final Map<String, NamedFilter> filters = new LinkedHashMap<>();
        private PipelineSettings settings = PipelineSettings.defaults();
        @Nullable private Map<String, Object> backfill;
        @Nullable private BackfillConfig backfillConfig;
        @Nullable private Map<String, Object> resync;
        @Nullable private ResyncConfig resyncConfig;
        private Map<String, String> env = System.getenv();
        private ClassLoader classLoader = defaultLoader();

        private Builder() {
        }

        private static ClassLoader defaultLoader() {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            return cl != null ? cl : PipelineDefinition.class.getClassLoader();
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

        /** {@code settings}: the engine settings. Default {@link PipelineSettings#defaults()}. */
        public Builder settings(PipelineSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * {@code backfill}: the section as written (see {@link BackfillConfig}); checked against
         * the rules by {@link #build()}. Default none.
         */
        public Builder backfill(Map<String, ?> section) {
            this.backfill = new LinkedHashMap<>(Objects.requireNonNull(section, "section"));
            return this;
        }

        /**
         * {@code resync}: the section as written (see {@link ResyncConfig}); checked against the
         * rules by {@link #build()}, and needs a {@code backfill} section. Default none.
         */
        public Builder resync(Map<String, ?> section) {
            this.resync = new LinkedHashMap<>(Objects.requireNonNull(section, "section"));
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
         * The definition. A DEAD_LETTER policy without a deadLetter section is allowed here: the
         * dead-letter sink may be set in code; {@link SyncPipeline.Builder#build()} checks it.
         *
         * @throws IllegalStateException if rules are missing
         * @throws ConfigException if the {@code backfill} or {@code resync} section is invalid
         *     (naming its path)
         */
        public PipelineDefinition build() {
            if (rules == null) {
                throw new IllegalStateException("rules are required");
            }
            backfillConfig = backfill == null ? null : BackfillConfig.read(backfill, env, rules);
            resyncConfig = resync == null ? null : ResyncConfig.read(resync, env, rules, backfill != null);
            return new PipelineDefinition(this);
        }
    }
}
