package dev.binlogsync.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Loads a {@link PipelineDefinition} from a JSON file, a TOML file, or a JSON string (as a
 * configuration center hands it over):
 *
 * <pre>{@code
 * PipelineDefinition definition = ConfigLoader.create().load(Path.of("binlog-sync.toml"));
 * PipelineDefinition fromCenter = ConfigLoader.create().withEnv(Map.of("ES_HOST", "es1")).fromJson(json);
 * }</pre>
 *
 * <p>Top-level keys: {@code source}, {@code sink}, {@code deadLetter} (each {@code {type: ...,
 * settings...}}), {@code filters} (name to {@code {where}} or {@code {class}}), {@code rules} (a list),
 * {@code settings} (the engine settings, each under the name of its
 * {@link dev.binlogsync.core.PipelineSettings.Builder} method, with the same default and check),
 * {@code backfill} (optional, {@link BackfillConfig}), {@code resync} (optional, {@link ResyncConfig}). See
 * {@code docs/configuration.md} for every key. String values may use {@code ${ENV}} and {@code ${ENV:default}} (see
 * {@link ConfigSection}). Unknown keys, wrong types and values the builders reject are
 * {@link ConfigException}s naming the path ({@code rules[2].index}) and the problem. Source and
 * sink settings are checked when {@link PipelineDefinition#createSource()} etc. create the component
 * (their providers know their keys); everything else is checked here.
 *
 * <p>Immutable and thread-safe; {@code with...} return new loaders.
 */
public final class ConfigLoader {
    private static final java.util.regex.Pattern UNREAD_TOKEN =
            java.util.regex.Pattern.compile("((?i:token|value|character|string) )'[^']*'");
    private final Map<String, String> env;
    private final ClassLoader classLoader;

    private ConfigLoader(Map<String, String> env, ClassLoader classLoader) {
        this.env = env;
        this.classLoader = classLoader;
    }

    /** A loader using {@link System#getenv()} and the context class loader. */
    public static ConfigLoader create() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return new ConfigLoader(System.getenv(), cl != null ? cl : ConfigLoader.class.getClassLoader());
    }

    /** This loader with another environment for {@code ${...}} (tests, a configuration center). */
    public ConfigLoader withEnv(Map<String, String> env) {
        return new ConfigLoader(Map.copyOf(Objects.requireNonNull(env, "env")), classLoader);
    }

    /** This loader with another class loader for providers and named classes. */
    public ConfigLoader withClassLoader(ClassLoader loader) {
        return new ConfigLoader(env, Objects.requireNonNull(loader, "classLoader"));
    }

    /**
     * Loads a {@code .json} or {@code .toml} file (by its extension).
     *
     * @throws ConfigException for an invalid configuration or an unreadable file
     */
    public PipelineDefinition load(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file + ": " + e, e);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".toml")) {
            return fromToml(text);
        }
        if (name.endsWith(".json")) {
            return fromJson(text);
        }
        throw new ConfigException("", "cannot tell the format of " + file + ": use a .json or .toml file name");
    }

    /** Loads a JSON document. */
    public PipelineDefinition fromJson(String json) {
        ObjectMapper mapper = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        return fromMap(parse(mapper, json, "JSON"));
    }

    /** Loads a TOML document. */
    public PipelineDefinition fromToml(String toml) {
        TomlMapper mapper = new TomlMapper();
        mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        return fromMap(parse(mapper, toml, "TOML"));
    }

    private static Map<String, Object> parse(ObjectMapper mapper, String text, String format) {
        Objects.requireNonNull(text, format);
        try {
            Map<String, Object> m = mapper.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (m == null) {
                throw new ConfigException("", "the " + format + " document is empty");
            }
            return m;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            // the parser quotes the token it could not read, which may be an unquoted secret; the
            // cause is left out for the same reason
            String problem = UNREAD_TOKEN.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("$1(not shown)");
            throw new ConfigException("", "invalid " + format + where + ": " + problem);
        }
    }

    /** Loads from already-parsed maps and lists (JSON-compatible values). */
    public PipelineDefinition fromMap(Map<String, Object> document) {
        ConfigSection root = new ConfigSection("", document, env);
        PipelineDefinition.Builder b = PipelineDefinition.builder().env(env).classLoader(classLoader);
        component(root, "source").ifPresent(c -> b.source(c.type(), c.settings()));
        component(root, "sink").ifPresent(c -> b.sink(c.type(), c.settings()));
        component(root, "deadLetter").ifPresent(c -> b.deadLetter(c.type(), c.settings()));
        RulesReader reader = new RulesReader(classLoader);
        Map<String, NamedFilter> filters = reader.filters(root);
        filters.values().forEach(b::filter);
        b.rules(reader.rules(root, filters));

        b.settings(SettingsSection.read(root.optSection("settings")));
        ConfigSection backfill = root.optSection("backfill");
        if (backfill != null) {
            b.backfill(backfill.raw());
            backfill.keys().forEach(backfill::ignore); // checked with the rules when the definition is built
        }
        ConfigSection resync = root.optSection("resync");
        if (resync != null) {
            b.resync(resync.raw());
            resync.keys().forEach(resync::ignore); // likewise
        }
        root.finish();
        return root.at("", b::build);
    }

    private static java.util.Optional<ComponentConfig> component(ConfigSection root, String key) {
        ConfigSection s = root.optSection(key);
        if (s == null) {
            return java.util.Optional.empty();
        }
        String type = s.string("type");
        if (type.isBlank()) {
            throw new ConfigException(s.path("type"), "must not be blank");
        }
        Map<String, Object> settings = new LinkedHashMap<>(s.raw());
        settings.remove("type");
        for (String k : s.keys()) {
            s.ignore(k); // the provider checks these when it creates the component
        }
        return java.util.Optional.of(new ComponentConfig(type, settings));
    }
}
