package dev.binlogsync.kafka.config;

import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Settings shared by the Kafka source and dead-letter sink providers. */
final class KafkaConfigs {
    private KafkaConfigs() {
    }

    /** {@code bootstrapServers}: a string or a list (joined with commas). */
    static String bootstrapServers(ConfigSection c) {
        List<String> servers = c.stringList("bootstrapServers");
        if (servers.isEmpty()) {
            throw new ConfigException(c.path("bootstrapServers"), "is required");
        }
        return String.join(",", servers);
    }

    /**
     * {@code security}: {@code {mechanism: plain | scram-sha-256 | scram-sha-512, username, password,
     * ssl, truststore, truststorePassword, keystore, keystorePassword, keyPassword}}; absent: none.
     */
    static KafkaSecurity security(ConfigSection parent) {
        ConfigSection s = parent.optSection("security");
        if (s == null) {
            return KafkaSecurity.none();
        }
        KafkaSecurity.Mechanism mechanism = s.enumValue("mechanism", KafkaSecurity.Mechanism.class, null);
        KafkaSecurity sec;
        if (mechanism != null) {
            String user = s.string("username");
            String password = s.string("password");
            sec = s.at("mechanism", () -> KafkaSecurity.sasl(mechanism, user, password));
        } else if (s.has("username") || s.has("password")) {
            throw new ConfigException(s.path("mechanism"), "is required with username and password"
                    + " (plain, scram-sha-256 or scram-sha-512)");
        } else {
            sec = KafkaSecurity.none();
        }
        if (s.bool("ssl", false)) {
            sec = sec.withSsl();
        }
        if (s.has("truststore")) {
            KafkaSecurity base = sec;
            String path = s.string("truststore");
            String password = s.optString("truststorePassword");
            sec = s.at("truststore", () -> base.withTruststore(Path.of(path), password));
        }
        if (s.has("keystore")) {
            KafkaSecurity base = sec;
            String path = s.string("keystore");
            String storePassword = s.string("keystorePassword");
            String keyPassword = s.optString("keyPassword");
            sec = s.at("keystore", () -> base.withKeystore(Path.of(path), storePassword, keyPassword));
        }
        return sec;
    }

    /** {@code properties}: each client property handed to {@code property}, errors naming its path. */
    static void properties(ConfigSection c, BiConsumer<String, Object> property) {
        ConfigSection props = c.optSection("properties");
        if (props != null) {
            for (String k : props.keys()) {
                Object v = props.value(k);
                props.at(k, () -> {
                    property.accept(k, v);
                    return null;
                });
            }
        }
    }

    /** An optional duration {@code key}, handed to {@code setter} when present, errors naming its path. */
    static void duration(ConfigSection c, String key, Consumer<Duration> setter) {
        Duration d = c.duration(key, null);
        if (d != null) {
            c.at(key, () -> {
                setter.accept(d);
                return null;
            });
        }
    }
}
