package dev.binlogsync.kafka;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.UntrustedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * How a client authenticates to and encrypts its connection with Kafka: SASL PLAIN or SCRAM
 * credentials and / or SSL trust and key stores. Used by {@link KafkaSource.Builder#security} and
 * {@link KafkaDeadLetterSink.Builder#security}; turned into the Kafka client properties
 * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config} and {@code ssl.*}.
 *
 * <p>{@code security.protocol} is {@code SASL_SSL} with credentials and SSL,
 * {@code SASL_PLAINTEXT} with credentials only, {@code SSL} with SSL only, {@code PLAINTEXT}
 * with neither. Anything more exotic (OAUTHBEARER, GSSAPI) goes through the builders'
 * {@code property(...)}.
 *
 * <p><b>Warnings.</b> A source or dead-letter sink whose effective client properties (these
 * conveniences or raw {@code property(...)} calls) send SASL credentials without TLS
 * ({@code security.protocol=SASL_PLAINTEXT}: PLAIN sends the password itself, SCRAM an exchange
 * that can be recorded and attacked offline, and records travel in clear either way) or switch off
 * hostname verification ({@code ssl.endpoint.identification.algorithm} set empty) logs a WARN when
 * built, naming the setting and never a secret.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows a password. The source's and
 * dead-letter sink's {@code toString()} mask every client property that {@link Secrets} calls
 * secret ({@code sasl.jaas.config}, {@code ssl.keystore.key}, {@code *.password}, ...).
 *
 * <pre>{@code
 * KafkaSecurity sec = KafkaSecurity.scramSha512("sync", System.getenv("KAFKA_PASSWORD"))
 *         .withTruststore(Path.of("/etc/kafka/truststore.p12"), System.getenv("TRUSTSTORE_PASSWORD"));
 * }</pre>
 */
public final class KafkaSecurity {

    /** The SASL mechanisms the conveniences support; each sets {@code sasl.mechanism} and its login module. */
    public enum Mechanism {
        /** {@code PLAIN}: user name and password sent as they are; use it only over SSL. */
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        /** {@code SCRAM-SHA-256}: a salted challenge-response: the password itself never crosses the wire (without TLS the exchange can still be recorded and attacked offline). */
        SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        /** {@code SCRAM-SHA-512}: as {@link #SCRAM_SHA_256} with SHA-512. */
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

        private final String kafkaName;
        private final String loginModule;

        Mechanism(String kafkaName, String loginModule) {
            this.kafkaName = kafkaName;
            this.loginModule = loginModule;
        }

        /** The name Kafka uses in {@code sasl.mechanism}. */
        public String kafkaName() {
            return kafkaName;
        }
    }

    private static final KafkaSecurity NONE = new KafkaSecurity(null, null, null, false, null, null, null, null, null);

    @Nullable private final Mechanism mechanism;
    @Nullable private final String username;
    @Nullable private final String password;
    private final boolean ssl;
    @Nullable private final Path truststore;
    @Nullable private final String truststorePassword;
    @Nullable private final Path keystore;
    @Nullable private final String keystorePassword;
    @Nullable private final String keyPassword;

    private KafkaSecurity(@Nullable Mechanism mechanism, @Nullable String username, @Nullable String password,
            boolean ssl, @Nullable Path truststore, @Nullable String truststorePassword,
            @Nullable Path keystore, @Nullable String keystorePassword, @Nullable String keyPassword) {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
        this.ssl = ssl;
        this.truststore = truststore;
        this.truststorePassword = truststorePassword;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.keyPassword = keyPassword;
    }

    /** Plain text, no authentication (the default). */
    public static KafkaSecurity none() {
        return NONE;
    }

    /** SASL/PLAIN with these credentials. */
    public static KafkaSecurity saslPlain(String username, String password) {
        return sasl(Mechanism.PLAIN, username, password);
    }

    /** SASL/SCRAM-SHA-256 with these credentials. */
    public static KafkaSecurity scramSha256(String username, String password) {
        return sasl(Mechanism.SCRAM_SHA_256, username, password);
    }

    /** SASL/SCRAM-SHA-512 with these credentials. */
    public static KafkaSecurity scramSha512(String username, String password) {
        return sasl(Mechanism.SCRAM_SHA_512, username, password);
    }

    /**
     * SASL with the given mechanism and credentials.
     *
     * @throws IllegalArgumentException if the username or password is empty
     */
    public static KafkaSecurity sasl(Mechanism mechanism, String username, String password) {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("password must not be empty (for user " + username + ")");
        }
        return new KafkaSecurity(mechanism, username, password, false, null, null, null, null, null);
    }

    /** SSL with the JVM's default trust store (no SASL unless combined with a SASL factory). */
    public static KafkaSecurity ssl() {
        return NONE.withSsl();
    }

    /** This security with SSL switched on (trusting the JVM's default trust store unless set). */
    public KafkaSecurity withSsl() {
        return new KafkaSecurity(mechanism, username, password, true, truststore, truststorePassword,
                keystore, keystorePassword, keyPassword);
    }

    /**
     * This security with SSL and the given trust store (JKS or PKCS12).
     *
     * @param password the store's password, or null for none
     */
    public KafkaSecurity withTruststore(Path path, @Nullable String password) {
        Objects.requireNonNull(path, "path");
        return new KafkaSecurity(mechanism, username, this.password, true, path, password,
                keystore, keystorePassword, keyPassword);
    }

    /**
     * This security with SSL and a client key store (mutual TLS).
     *
     * @param keyPassword the key's password, or null when it is the store's
     */
    public KafkaSecurity withKeystore(Path path, String storePassword, @Nullable String keyPassword) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(storePassword, "storePassword");
        return new KafkaSecurity(mechanism, username, password, true, truststore, truststorePassword,
                path, storePassword, keyPassword);
    }

    /** The Kafka client properties for this security, in a new mutable map. */
    public Map<String, Object> toProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        String protocol = mechanism != null ? (ssl ? "SASL_SSL" : "SASL_PLAINTEXT") : (ssl ? "SSL" : "PLAINTEXT");
        p.put("security.protocol", protocol);
        if (mechanism != null) {
            p.put("sasl.mechanism", mechanism.kafkaName);
            p.put("sasl.jaas.config", mechanism.loginModule + " required username=\"" + escape(username)
                    + "\" password=\"" + escape(password) + "\";");
        }
        if (truststore != null) {
            p.put("ssl.truststore.location", truststore.toString());
            if (truststorePassword != null) {
                p.put("ssl.truststore.password", truststorePassword);
            }
        }
        if (keystore != null) {
            p.put("ssl.keystore.location", keystore.toString());
            p.put("ssl.keystore.password", keystorePassword);
            if (keyPassword != null) {
                p.put("ssl.key.password", keyPassword);
            }
        }
        return p;
    }

    private static String escape(@Nullable String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Whether a client property name holds a secret that must never be printed ({@link Secrets#isSecretKey}). */
    static boolean isSecret(String property) {
        return Secrets.isSecretKey(property);
    }

    /**
     * {@code props} with the values of secret properties replaced by {@code ****} and the user info
     * of URLs hidden ({@link Secrets#masked}).
     */
    static Map<String, Object> masked(Map<String, ?> props) {
        return Secrets.masked(props);
    }

    /**
     * The WARN lines a client built with these effective properties deserves (see the class
     * comment); empty when none. Names settings and the mechanism, never a value of a secret.
     */
    static List<String> warnings(Map<String, ?> config, String client) {
        List<String> out = new ArrayList<>(2);
        String protocol = setting(config, "security.protocol", "PLAINTEXT");
        if (protocol.equals("SASL_PLAINTEXT")) {
            String mechanism = setting(config, "sasl.mechanism", "GSSAPI");
            String shown = UntrustedText.shown(mechanism, 64);
            if (mechanism.equals("PLAIN")) {
                out.add(client + ": SASL PLAIN over security.protocol=SASL_PLAINTEXT sends the password unencrypted over"
                        + " the network, and every record in clear; use SASL_SSL (KafkaSecurity.saslPlain(..).withSsl()"
                        + " or .withTruststore(..))");
            } else if (mechanism.startsWith("SCRAM-")) {
                out.add(client + ": SASL " + shown + " over security.protocol=SASL_PLAINTEXT is unencrypted: the"
                        + " authentication exchange can be recorded and attacked offline, and every record travels in"
                        + " clear; use SASL_SSL (.withSsl() or .withTruststore(..))");
            } else {
                out.add(client + ": SASL " + shown + " over security.protocol=SASL_PLAINTEXT is unencrypted: credentials"
                        + " or tokens and every record travel in clear; use SASL_SSL");
            }
        }
        Object verification = config.get("ssl.endpoint.identification.algorithm");
        if (verification != null && String.valueOf(verification).isBlank()) {
            out.add(client + ": ssl.endpoint.identification.algorithm is empty, so hostname verification is off: any"
                    + " server holding a certificate the trust store accepts can pose as the broker; remove the"
                    + " setting (Kafka's default, https, verifies the host name)");
        }
        return out;
    }

    private static String setting(Map<String, ?> config, String key, String def) {
        Object v = config.get(key);
        return v == null ? def : String.valueOf(v).trim().toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KafkaSecurity{");
        sb.append(mechanism == null ? "no SASL" : mechanism.kafkaName + " user=" + username + " password=****");
        sb.append(", ssl=").append(ssl);
        if (truststore != null) {
            sb.append(", truststore=").append(truststore).append(truststorePassword == null ? "" : " (password ****)");
        }
        if (keystore != null) {
            sb.append(", keystore=").append(keystore).append(" (password ****)");
        }
        return sb.append('}').toString();
    }
}
