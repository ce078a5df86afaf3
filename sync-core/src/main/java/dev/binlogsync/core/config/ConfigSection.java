package dev.binlogsync.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.binlogsync.core.Secrets;
import javax.annotation.Nullable;

/**
 * One object of a configuration file, with typed, path-aware accessors. String values are
 * interpolated when read: {@code ${NAME}} is the environment variable {@code NAME} (an error when
 * unset), {@code ${NAME:default}} falls back to {@code default}, <code>$${</code> is a literal
 * <code>${</code>. Numbers, booleans, durations and sizes may also be given as strings, so they can come
 * from the environment ({@code "port": "${ES_PORT:9200}"}).
 *
 * <p>Every key read (or asked for) is remembered; {@link #finish()} rejects the keys nobody asked
 * for, so a misspelt option fails loudly instead of being ignored. Errors are
 * {@link ConfigException}s naming the full path, e.g. {@code sink.hosts[1]}. An error never quotes
 * the value of a key that names a secret ({@link dev.binlogsync.core.Secrets}), and a builder's
 * error reported through {@link #at} has every such value of the section replaced by
 * {@code ****}.
 *
 * <p>Formats: durations {@code 200ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601
 * ({@code PT2S}); sizes a number of bytes or {@code 512kb}, {@code 5mb}, {@code 1gb} (powers of
 * 1024; {@code kib}/{@code mib}/{@code gib} also accepted); enums case-insensitive, {@code -} and
 * {@code _} interchangeable.
 *
 * <p>Not thread-safe; used while building components.
 */
public final class ConfigSection {
    private static final Pattern VAR = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

    private final String path;
    private final Map<String, Object> values;
    private final Map<String, String> env;
    private final Set<String> asked = new LinkedHashSet<>();
    private final List<ConfigSection> children = new ArrayList<>();

    /**
     * @param path the path of this object ({@code ""} for the root)
     * @param values the object's raw values (maps, lists, strings, numbers, booleans, nulls)
     * @param env the environment for {@code ${...}} interpolation
     */
    public ConfigSection(String path, Map<String, Object> values, Map<String, String> env) {
        this.path = Objects.requireNonNull(path, "path");
        this.values = Objects.requireNonNull(values, "values");
        this.env = Objects.requireNonNull(env, "env");
    }

    /** The path of this section, e.g. {@code source}; empty for the root. */
    public String path() {
        return path;
    }

    /** The path of {@code key} in this section, e.g. {@code source.topics}. */
    public String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether {@code key} is present (with any value, even null); counts as asking for it. */
    public boolean has(String key) {
        asked.add(key);
        return values.containsKey(key) && values.get(key) != null;
    }

    /** The keys present, in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** The raw (uninterpolated) values, for rendering back. */
    public Map<String, Object> raw() {
        return Collections.unmodifiableMap(values);
    }

    /** Marks {@code key} as known without reading it. */
    public void ignore(String key) {
        asked.add(key);
    }

    // ---------------------------------------------------------------- scalars

    /** A required string. */
    public String string(String key) {
        String s = optString(key);
        if (s == null) {
            throw new ConfigException(path(key), "is required");
        }
        return s;
    }

    /** A string, or {@code def} when absent. */
    public String string(String key, String def) {
        String s = optString(key);
        return s == null ? def : s;
    }

    /** A string, or null when absent. */
    @Nullable
    public String optString(String key) {
        Object v = get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(path(key), "must be a string, not " + kind(v));
        }
        return v instanceof String ? interpolate((String) v, path(key)) : plain(v);
    }

    /** An int, or {@code def} when absent. */
    public int intValue(String key, int def) {
        return has(key) ? (int) integral(key, Integer.MIN_VALUE, Integer.MAX_VALUE) : def;
    }

    /** A required int. */
    public int intValue(String key) {
        requirePresent(key);
        return (int) integral(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A long, or {@code def} when absent. */
    public long longValue(String key, long def) {
        return has(key) ? integral(key, Long.MIN_VALUE, Long.MAX_VALUE) : def;
    }

    /** A boolean ({@code true}/{@code false}, also as strings), or {@code def} when absent. */
    public boolean bool(String key, boolean def) {
        Object v = get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = scalarString(key, v).trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw new ConfigException(path(key), "must be true or false, not " + shown(key, s));
    }

    /** A duration ({@code 200ms}, {@code 2s}, {@code PT2S}), or {@code def} when absent. */
    @Nullable
    public Duration duration(String key, @Nullable Duration def) {
        Object v = get(key);
        if (v == null) {
            return def;
        }
        String s = scalarString(key, v).trim();
        Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    case "h": return Duration.ofHours(n);
                    default: return Duration.ofDays(n);
                }
            }
            if (s.startsWith("P") || s.startsWith("p")) {
                return Duration.parse(s);
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            // reported below
        }
        throw new ConfigException(path(key), "must be a duration such as 200ms, 2s, 5m, 1h or PT2S, not " + shown(key, s));
    }

    /** A size in bytes ({@code 5242880}, {@code 5mb}), or {@code def} when absent. */
    public long bytes(String key, long def) {
        Object v = get(key);
        if (v == null) {
            return def;
        }
        String s = scalarString(key, v).trim();
        Matcher m = SIZE.matcher(s.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "b" : m.group(2);
                long factor = unit.startsWith("k") ? 1L << 10 : unit.startsWith("m") ? 1L << 20 : unit.startsWith("g") ? 1L << 30 : 1;
                return Math.multiplyExact(n, factor);
            } catch (ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        throw new ConfigException(path(key), "must be a size such as 1048576, 512kb, 5mb or 1gb, not " + shown(key, s));
    }

    /** An enum constant by case-insensitive name ({@code -} and {@code _} alike), or {@code def}. */
    @Nullable
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, @Nullable E def) {
        String s = optString(key);
        if (s == null) {
            return def;
        }
        String norm = s.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(norm)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(path(key), "must be one of " + names + ", not " + shown(key, s));
    }

    /** Any JSON-compatible value, strings interpolated (also inside lists and objects); null when absent. */
    @Nullable
    public Object value(String key) {
        Object v = get(key);
        return v == null ? null : resolve(v, path(key));
    }

    // ------------------------------------------------------------ structures

    /** A list of strings; a single string counts as a one-element list; empty when absent. */
    public List<String> stringList(String key) {
        Object v = get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String) {
            return List.of(interpolate((String) v, path(key)));
        }
        if (!(v instanceof List)) {
            throw new ConfigException(path(key), "must be a list of strings, not " + kind(v));
        }
        List<?> list = (List<?>) v;
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            String p = path(key) + "[" + i + "]";
            if (item == null || item instanceof Map || item instanceof List) {
                throw new ConfigException(p, "must be a string, not " + kind(item));
            }
            out.add(item instanceof String ? interpolate((String) item, p) : plain(item));
        }
        return out;
    }

    /** An object of string values, in file order; empty when absent. */
    public Map<String, String> stringMap(String key) {
        ConfigSection s = optSection(key);
        if (s == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : s.keys()) {
            out.put(k, s.string(k));
        }
        return out;
    }

    /** A required nested object. */
    public ConfigSection section(String key) {
        ConfigSection s = optSection(key);
        if (s == null) {
            throw new ConfigException(path(key), "is required");
        }
        return s;
    }

    /** A nested object, or null when absent. */
    @Nullable
    public ConfigSection optSection(String key) {
        Object v = get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(path(key), "must be an object, not " + kind(v));
        }
        return child(path(key), castMap(v));
    }

    /** A list of objects; empty when absent. */
    public List<ConfigSection> sections(String key) {
        Object v = get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new ConfigException(path(key), "must be a list of objects, not " + kind(v));
        }
        List<?> list = (List<?>) v;
        List<ConfigSection> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            String p = path(key) + "[" + i + "]";
            if (!(item instanceof Map)) {
                throw new ConfigException(p, "must be an object, not " + kind(item));
            }
            out.add(child(p, castMap(item)));
        }
        return out;
    }

    /**
     * Runs {@code action} and turns an {@link IllegalArgumentException} or
     * {@link IllegalStateException} it throws (a builder rejecting a value) into a
     * {@link ConfigException} at {@code path(key)}.
     */
    public <T> T at(String key, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException e) {
            String where = key.isEmpty() ? path : path(key);
            String message = String.valueOf(e.getMessage());
            String scrubbed = scrub(message);
            if (scrubbed.equals(message)) {
                throw new ConfigException(where, message, e);
            }
            // the builder quoted a secret: neither the message nor the cause may carry it
            IllegalArgumentException cause = new IllegalArgumentException(e.getClass().getSimpleName() + ": " + scrubbed);
            cause.setStackTrace(e.getStackTrace());
            throw new ConfigException(where, scrubbed, cause);
        }
    }

    /**
     * {@code message} with every value of a secret-named key of this section (at any depth, as
     * written and as interpolated) replaced by {@link Secrets#MASK}: a builder's error may quote
     * the value it rejected.
     */
    String scrub(String message) {
        List<String> secrets = new ArrayList<>();
        collectSecrets(values, false, path, secrets);
        secrets.sort((a, b) -> b.length() - a.length()); // a longer secret before one it contains
        String out = message;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, Secrets.MASK);
            }
        }
        return out;
    }

    private void collectSecrets(@Nullable Object v, boolean secret, String p, List<String> out) {
        if (v instanceof Map) {
            for (Map.Entry<String, Object> e : castMap(v).entrySet()) {
                collectSecrets(e.getValue(), secret || Secrets.isSecretKey(e.getKey()), p + "." + e.getKey(), out);
            }
        } else if (v instanceof List) {
            for (Object item : (List<?>) v) {
                collectSecrets(item, secret, p, out);
            }
        } else if (secret && v != null) {
            String raw = v instanceof String ? (String) v : plain(v);
            out.add(raw);
            if (v instanceof String) {
                try {
                    out.add(interpolate(raw, p));
                } catch (ConfigException unset) {
                    // an unset variable: nothing was substituted
                }
            }
        }
    }

    /** A rejected value for an error message: quoted, or hidden when {@code key} names a secret. */
    private static String shown(String key, String value) {
        return Secrets.isSecretKey(key) ? "the given value (hidden: " + key + " is a secret)" : "'" + value + "'";
    }

    /**
     * Rejects keys of this section and of the sections read from it that nobody asked for.
     *
     * @throws ConfigException naming the first unknown key's path and the keys that are known there
     */
    public void finish() {
        for (String k : values.keySet()) {
            if (!asked.contains(k)) {
                throw new ConfigException(path(k), "unknown key; known keys here: " + new TreeSet<>(asked));
            }
        }
        for (ConfigSection c : children) {
            c.finish();
        }
    }

    /** The path and the keys; never a value (values may be secrets). */
    @Override
    public String toString() {
        return "ConfigSection[" + (path.isEmpty() ? "(root)" : path) + ", keys=" + values.keySet() + "]";
    }

    // --------------------------------------------------------------- helpers

    private ConfigSection child(String p, Map<String, Object> m) {
        ConfigSection c = new ConfigSection(p, m, env);
        children.add(c);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object v) {
        return (Map<String, Object>) v;
    }

    @Nullable
    private Object get(String key) {
        asked.add(key);
        return values.get(key);
    }

    private void requirePresent(String key) {
        if (get(key) == null) {
            throw new ConfigException(path(key), "is required");
        }
    }

    private long integral(String key, long min, long max) {
        Object v = get(key);
        String s = scalarString(key, v).trim();
        try {
            BigDecimal d = new BigDecimal(s);
            long l = d.longValueExact();
            if (l < min || l > max) {
                throw new ArithmeticException();
            }
            return l;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(path(key), "must be an integer" + (max == Integer.MAX_VALUE ? " (32-bit)" : "")
                    + ", not " + shown(key, s));
        }
    }

    private String scalarString(String key, Object v) {
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(path(key), "must be a single value, not " + kind(v));
        }
        return v instanceof String ? interpolate((String) v, path(key)) : plain(v);
    }

    private static String plain(Object v) {
        return v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : String.valueOf(v);
    }

    private Object resolve(Object v, String p) {
        if (v instanceof String) {
            return interpolate((String) v, p);
        }
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : castMap(v).entrySet()) {
                out.put(e.getKey(), e.getValue() == null ? null : resolve(e.getValue(), p + "." + e.getKey()));
            }
            return out;
        }
        if (v instanceof List) {
            List<?> list = (List<?>) v;
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                out.add(item == null ? null : resolve(item, p + "[" + i + "]"));
            }
            return out;
        }
        return v;
    }

    /** Resolves {@code ${NAME}}, {@code ${NAME:default}} and {@code $${}. */
    String interpolate(String s, String p) {
        if (s.indexOf('$') < 0) {
            return s;
        }
        Matcher m = VAR.matcher(s);
        StringBuilder sb = new StringBuilder();
        int last = 0;
        while (m.find()) {
            sb.append(s, last, m.start());
            if (m.group().equals("$${")) {
                sb.append("${");
            } else {
                String name = m.group(1);
                String value = env.get(name);
                if (value == null) {
                    if (m.group(2) == null) {
                        throw new ConfigException(p, "environment variable " + name + " is not set (write ${" + name
                                + ":default} for a fallback)");
                    }
                    value = m.group(2);
                }
                sb.append(value);
            }
            last = m.end();
        }
        sb.append(s, last, s.length());
        return sb.toString();
    }

    private static String kind(@Nullable Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }
}
