package dev.binlogsync.kafka.config;

import dev.binlogsync.core.Source;
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
import java.util.List;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code source.type = "kafka"}: a {@link KafkaSource}. Keys:
 *
 * <ul>
 *   <li>{@code bootstrapServers} (string or list), {@code groupId}: required;
 *   <li>{@code topics} (list) or {@code topicPattern} (regex);
 *   <li>{@code format}: {@code canal} (default), {@code debezium} or {@code maxwell}; for Canal an
 *       optional {@code canal} object with {@code tinyint1AsBoolean}, {@code dateTimeStyle}
 *       ({@code raw}, {@code iso_local}, {@code iso_offset}, {@code iso_utc}) and {@code zone};
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

    private static MessageDecoder decoder(ConfigSection c) {
        String format = c.string("format", "canal");
        ConfigSection canal = c.optSection("canal");
        if (canal != null && !format.equals("canal")) {
            throw new ConfigException(c.path("canal"), "only applies to format canal, not " + format);
        }
        switch (format) {
            case "canal": {
                if (canal == null) {
                    return CanalFlatMessageDecoder.create();
                }
                CanalFlatMessageDecoder.Builder d = CanalFlatMessageDecoder.builder();
                d.tinyint1AsBoolean(canal.bool("tinyint1AsBoolean", true));
                DateTimeStyle style = canal.enumValue("dateTimeStyle", DateTimeStyle.class, null);
                if (style != null) {
                    d.dateTimeStyle(style);
                }
                String zone = canal.optString("zone");
                if (zone != null) {
                    try {
                        d.zone(ZoneId.of(zone));
                    } catch (DateTimeException e) {
                        throw new ConfigException(canal.path("zone"), "unknown time zone '" + zone + "'", e);
                    }
                }
                return d.build();
            }
            case "debezium":
                return DebeziumDecoder.create();
            case "maxwell":
                return MaxwellDecoder.create();
            default:
                throw new ConfigException(c.path("format"), "must be canal, debezium or maxwell, not '" + format + "'");
        }
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
