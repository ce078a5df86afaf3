package dev.binlogsync.kafka.config;

import dev.binlogsync.core.Source;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.core.config.ComponentProvider;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.StartPosition;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.decode.DateTimeStyle;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import dev.binlogsync.kafka.decode.MessageDecoder;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.annotation.Nullable;

/**
 * {@code source.type = "kafka"}: a {@link KafkaSource}. Keys:
 *
 * <ul>
 *   <li>{@code bootstrapServers} (string or list), {@code groupId}: required;
 *   <li>{@code topics} (list) or {@code topicPattern} (regex);
 *   <li>{@code format}: {@code canal} (default), {@code debezium} or {@code maxwell}, with an
 *       optional object of the same name: {@code canal} takes {@code tinyint1AsBoolean} (default
 *       false), {@code dateTimeStyle} ({@code raw}, {@code iso_local}, {@code iso_offset},
 *       {@code iso_utc}), {@code zone} and {@code syncedTables}; {@code debezium} takes
 *       {@code tinyint1AsBoolean}, {@code dateTimeStyle}, {@code zone} and {@code syncedTables};
 *       {@code maxwell} takes
 *       {@code syncedTables} (a list of regular expressions, each matched against the whole
 *       {@code database.table}; default every table); each takes {@code fullRowImage} (whether the
 *       server logs {@code binlog_row_image=FULL}: default false for canal and maxwell, true for
 *       debezium; see the decoders' builders);
 *   <li>{@code startPosition}: {@code committed-or-earliest} (default), {@code committed-or-latest},
 *       or an ISO-8601 instant to start from by timestamp;
 *   <li>{@code security}: see {@code docs/configuration.md};
 *   <li>{@code properties}: Kafka consumer properties passed through;
 *   <li>{@code commitTimeout}, {@code closeTimeout}: durations.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class KafkaSourceProvider implements ComponentProvider<Source> {

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public Class<Source> componentType() {
        return Source.class;
    }

    @Override
    public Source create(ConfigSection c) {
        KafkaSource.Builder b = KafkaSource.builder();
        String servers = KafkaConfigs.bootstrapServers(c);
        c.at("bootstrapServers", () -> b.bootstrapServers(servers));
        String group = c.string("groupId");
        c.at("groupId", () -> b.groupId(group));
        List<String> topics = c.stringList("topics");
        if (!topics.isEmpty()) {
            c.at("topics", () -> b.topics(topics));
        }
        String pattern = c.optString("topicPattern");
        if (pattern != null) {
            try {
                b.topicPattern(Pattern.compile(pattern));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(c.path("topicPattern"), "invalid regular expression: " + e.getDescription(), e);
            }
        }
        b.decoder(decoder(c));
        String start = c.optString("startPosition");
        if (start != null) {
            b.startPosition(startPosition(c, start));
        }
        b.security(KafkaConfigs.security(c));
        KafkaConfigs.properties(c, b::property);
        KafkaConfigs.duration(c, "commitTimeout", b::commitTimeout);
        KafkaConfigs.duration(c, "closeTimeout", b::closeTimeout);
        return c.at("", b::build);
    }

    /**
     * The values of the decoder {@code format} and its options describe
     * ({@code CanalFlatMessageDecoder.backfillValues()}, likewise Debezium and Maxwell): a backfill
     * of this source's tables reads each column as this stream's decoder types it.
     */
    @Override
    public BackfillValues backfillValues(ConfigSection c) {
        MessageDecoder d = decoder(c);
        if (d instanceof CanalFlatMessageDecoder canal) {
            return canal.backfillValues();
        }
        if (d instanceof DebeziumDecoder debezium) {
            return debezium.backfillValues();
        }
        return ((MaxwellDecoder) d).backfillValues();
    }

    private static final List<String> FORMATS = List.of("canal", "debezium", "maxwell");

    /** The decoder the section's {@code format} and its settings object describe. */
    static MessageDecoder decoder(ConfigSection c) {
        String format = c.string("format", "canal");
        if (!FORMATS.contains(format)) {
            throw new ConfigException(c.path("format"), "must be canal, debezium or maxwell, not '" + format + "'");
        }
        for (String other : FORMATS) {
            if (!other.equals(format) && c.has(other)) {
                throw new ConfigException(c.path(other), "only applies to format " + other + ", not " + format);
            }
        }
        ConfigSection d = c.optSection(format);
        switch (format) {
            case "canal": {
                if (d == null) {
                    return CanalFlatMessageDecoder.create();
                }
                CanalFlatMessageDecoder.Builder b = CanalFlatMessageDecoder.builder();
                decoderOptions(d, b::tinyint1AsBoolean, b::syncedTables, b::dateTimeStyle, b::zone);
                b.fullRowImage(d.bool("fullRowImage", false));
                return b.build();
            }
            case "debezium": {
                if (d == null) {
                    return DebeziumDecoder.create();
                }
                DebeziumDecoder.Builder b = DebeziumDecoder.builder();
                decoderOptions(d, b::tinyint1AsBoolean, b::syncedTables, b::dateTimeStyle, b::zone);
                b.fullRowImage(d.bool("fullRowImage", true));
                return b.build();
            }
            default: {
                if (d == null) {
                    return MaxwellDecoder.create();
                }
                MaxwellDecoder.Builder b = MaxwellDecoder.builder();
                BiPredicate<String, String> synced = syncedTables(d);
                if (synced != null) {
                    b.syncedTables(synced);
                }
                b.fullRowImage(d.bool("fullRowImage", false));
                return b.build();
            }
        }
    }

    /** {@code dateTimeStyle} and {@code zone}, the same keys for the Canal and Debezium decoders. */
    /** The options the Canal and Debezium decoders share: {@code tinyint1AsBoolean}, {@code syncedTables}, date-times. */
    private static void decoderOptions(ConfigSection d, Consumer<Boolean> tinyint1AsBoolean,
            Consumer<BiPredicate<String, String>> syncedTables, Consumer<DateTimeStyle> style, Consumer<ZoneId> zone) {
        tinyint1AsBoolean.accept(d.bool("tinyint1AsBoolean", false));
        BiPredicate<String, String> synced = syncedTables(d);
        if (synced != null) {
            syncedTables.accept(synced);
        }
        dateTimes(d, style, zone);
    }

    private static void dateTimes(ConfigSection d, Consumer<DateTimeStyle> style, Consumer<ZoneId> zone) {
        DateTimeStyle s = d.enumValue("dateTimeStyle", DateTimeStyle.class, null);
        if (s != null) {
            style.accept(s);
        }
        String z = d.optString("zone");
        if (z != null) {
            try {
                zone.accept(ZoneId.of(z));
            } catch (DateTimeException e) {
                throw new ConfigException(d.path("zone"), "unknown time zone '" + z + "'", e);
            }
        }
    }

    /**
     * {@code syncedTables}: regular expressions, each matched against the whole of
     * {@code database.table}; null when absent (every table counts as synced).
     */
    @Nullable
    private static BiPredicate<String, String> syncedTables(ConfigSection d) {
        if (!d.has("syncedTables")) {
            return null;
        }
        List<String> regexes = d.stringList("syncedTables");
        if (regexes.isEmpty()) {
            throw new ConfigException(d.path("syncedTables"), "must list at least one database.table pattern");
        }
        List<Pattern> patterns = new ArrayList<>(regexes.size());
        for (String regex : regexes) {
            try {
                patterns.add(Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw new ConfigException(d.path("syncedTables"), "invalid regular expression '" + regex + "': "
                        + e.getDescription(), e);
            }
        }
        return (database, table) -> {
            String qualified = database + "." + table;
            for (Pattern p : patterns) {
                if (p.matcher(qualified).matches()) {
                    return true;
                }
            }
            return false;
        };
    }

    private static StartPosition startPosition(ConfigSection c, String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "committed-or-earliest":
            case "earliest":
                return StartPosition.committedOrEarliest();
            case "committed-or-latest":
            case "latest":
                return StartPosition.committedOrLatest();
            default:
                try {
                    return StartPosition.timestamp(Instant.parse(s.trim()));
                } catch (DateTimeException e) {
                    throw new ConfigException(c.path("startPosition"), "must be committed-or-earliest, committed-or-latest"
                            + " or an ISO-8601 instant such as 2024-03-05T00:00:00Z, not '" + s + "'", e);
                }
        }
    }

}
