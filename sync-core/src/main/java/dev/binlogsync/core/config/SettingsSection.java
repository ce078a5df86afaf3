package dev.binlogsync.core.config;

import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * The {@code settings} section of a configuration file: one key per {@link PipelineSettings.Builder}
 * method, with the method's name, read into that builder (so the file gets the builder's checks
 * and defaults) and rendered back from a {@link PipelineSettings}. {@code ConfigFileSettingsTest}
 * fails when a builder method has no key here.
 */
final class SettingsSection {

    private static final List<Setting<?>> ALL = List.of(
            new Setting<>("onDecodeFailure", Kind.POLICY, PipelineSettings.Builder::onDecodeFailure,
                    PipelineSettings::onDecodeFailure),
            new Setting<>("onRejected", Kind.POLICY, PipelineSettings.Builder::onRejected,
                    PipelineSettings::onRejected),
            new Setting<>("maxBulkActions", Kind.INT, PipelineSettings.Builder::maxBulkActions,
                    PipelineSettings::maxBulkActions),
            new Setting<>("maxBulkBytes", Kind.BYTES, PipelineSettings.Builder::maxBulkBytes,
                    PipelineSettings::maxBulkBytes),
            new Setting<>("flushInterval", Kind.DURATION, PipelineSettings.Builder::flushInterval,
                    PipelineSettings::flushInterval),
            new Setting<>("maxInFlightRequests", Kind.INT, PipelineSettings.Builder::maxInFlightRequests,
                    PipelineSettings::maxInFlightRequests),
            new Setting<>("lanes", Kind.INT, PipelineSettings.Builder::lanes,
                    // lanes not set follow maxInFlightRequests: written only when they differ
                    s -> s.lanes() == s.maxInFlightRequests() ? null : s.lanes()),
            new Setting<>("maxBufferedActions", Kind.INT, PipelineSettings.Builder::maxBufferedActions,
                    PipelineSettings::maxBufferedActions),
            new Setting<>("maxBufferedBytes", Kind.BYTES, PipelineSettings.Builder::maxBufferedBytes,
                    PipelineSettings::maxBufferedBytes),
            new Setting<>("retryInitialBackoff", Kind.DURATION, PipelineSettings.Builder::retryInitialBackoff,
                    PipelineSettings::retryInitialBackoff),
            new Setting<>("retryMaxBackoff", Kind.DURATION, PipelineSettings.Builder::retryMaxBackoff,
                    PipelineSettings::retryMaxBackoff),
            new Setting<>("maxRetries", Kind.INT, PipelineSettings.Builder::maxRetries,
                    PipelineSettings::maxRetries),
            new Setting<>("commitInterval", Kind.DURATION, PipelineSettings.Builder::commitInterval,
                    PipelineSettings::commitInterval),
            new Setting<>("pollTimeout", Kind.DURATION, PipelineSettings.Builder::pollTimeout,
                    PipelineSettings::pollTimeout),
            new Setting<>("drainTimeout", Kind.DURATION, PipelineSettings.Builder::drainTimeout,
                    PipelineSettings::drainTimeout),
            new Setting<>("threadName", Kind.STRING, PipelineSettings.Builder::threadName,
                    PipelineSettings::threadName),
            new Setting<>("summaryInterval", Kind.DURATION, PipelineSettings.Builder::summaryInterval,
                    PipelineSettings::summaryInterval),
            new Setting<>("stalledAfter", Kind.DURATION, PipelineSettings.Builder::stalledAfter,
                    PipelineSettings::stalledAfter),
            new Setting<>("sinkUnreachableAfter", Kind.DURATION, PipelineSettings.Builder::sinkUnreachableAfter,
                    PipelineSettings::sinkUnreachableAfter));

    private SettingsSection() {
    }

    /** The keys, in file order. */
    static List<String> keys() {
        List<String> keys = new ArrayList<>(ALL.size());
        for (Setting<?> s : ALL) {
            keys.add(s.name);
        }
        return keys;
    }

    /**
     * The settings of {@code section}, or the defaults when it is null.
     *
     * @throws ConfigException naming the key whose value the builder rejects, or the section when
     *     the values contradict each other
     */
    static PipelineSettings read(@Nullable ConfigSection section) {
        PipelineSettings.Builder b = PipelineSettings.builder();
        if (section == null) {
            return b.build();
        }
        for (Setting<?> s : ALL) {
            if (section.has(s.name)) {
                section.at(s.name, () -> {
                    s.read(section, b);
                    return b;
                });
            }
        }
        return section.at("", b::build);
    }

    /** The values that differ from the defaults, as file values (durations as {@code 200ms} etc.). */
    static Map<String, Object> render(PipelineSettings settings) {
        PipelineSettings defaults = PipelineSettings.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        for (Setting<?> s : ALL) {
            Object value = s.get.apply(settings);
            if (value != null && !value.equals(s.get.apply(defaults))) {
                m.put(s.name, s.kind.render(value));
            }
        }
        return m;
    }

    private enum Kind {
        INT, BYTES, DURATION, POLICY, STRING;

        Object render(Object value) {
            if (value instanceof Duration d) {
                return Objects.requireNonNull(PipelineDefinition.render(d));
            }
            if (value instanceof FailurePolicy p) {
                return RulesWriter.lower(p);
            }
            return value;
        }
    }

    private static final class Setting<V> {
        final String name;
        final Kind kind;
        final BiConsumer<PipelineSettings.Builder, V> set;
        final Function<PipelineSettings, ?> get;

        Setting(String name, Kind kind, BiConsumer<PipelineSettings.Builder, V> set,
                Function<PipelineSettings, ?> get) {
            this.name = name;
            this.kind = kind;
            this.set = set;
            this.get = get;
        }

        @SuppressWarnings("unchecked")
        void read(ConfigSection section, PipelineSettings.Builder b) {
            Object value = switch (kind) {
                case INT -> section.intValue(name);
                case BYTES -> section.bytes(name, 0);
                case DURATION -> section.duration(name, null);
                case POLICY -> section.enumValue(name, FailurePolicy.class, null);
                case STRING -> section.string(name);
            };
            set.accept(b, (V) value);
        }
    }
}
