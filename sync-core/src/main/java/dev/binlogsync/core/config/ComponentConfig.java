package dev.binlogsync.core.config;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.internal.Arguments;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code source}, {@code sink} or {@code deadLetter} section of a pipeline configuration: a
 * {@code type} resolved through {@link ComponentProvider} and the provider's settings, kept as
 * written (with {@code ${...}} unresolved, so rendering back never exposes a secret taken from the
 * environment). {@link #toString()} masks values whose key names a secret, at any depth and
 * inside lists, by {@link Secrets}' rule (password, secret, token, jaas, api key, private key,
 * credentials, ...), and the user info of URLs.
 *
 * <p>Immutable at the top level: the constructor copies {@code settings} into an unmodifiable
 * map that keeps the given order; nested maps and lists are not copied, so treat them as read-only.
 * Safe to share between threads when they are left unchanged. The constructor throws
 * {@link NullPointerException} for a null {@code type} or {@code settings} and
 * {@link IllegalArgumentException} for a blank {@code type} or a {@code type} key inside
 * {@code settings}; it does not check the values (the provider does).
 *
 * @param type the provider type, e.g. {@code kafka}
 * @param settings the other keys of the section: JSON-compatible values, insertion-ordered
 */
public record ComponentConfig(String type, Map<String, Object> settings) {

    public ComponentConfig {
        Arguments.nonBlank(type, "type");
        Objects.requireNonNull(settings, "settings");
        if (settings.containsKey("type")) {
            throw new IllegalArgumentException("settings must not contain 'type'");
        }
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    @Override
    public String toString() {
        return "ComponentConfig[type=" + type + ", settings=" + mask(settings) + "]";
    }

    static Object mask(Object value) {
        return Secrets.mask(value);
    }
}
