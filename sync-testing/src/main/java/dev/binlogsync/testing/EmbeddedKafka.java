package dev.binlogsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * A real Kafka broker (KRaft, combined broker + controller, one node) running inside the test JVM,
 * bound to 127.0.0.1 only. No Docker needed; about 2.5 s to start and 330 MiB. ({@link TestServers}
 * gives a Kafka container instead where Docker is reachable; this class is the in-process one, with
 * SASL/SSL listeners and {@link #restart()} that a container does not offer.)
 *
 * <pre>{@code
 * static EmbeddedKafka kafka = EmbeddedKafka.builder().saslUser("alice", "alice-secret").start();
 * kafka.createTopic("orders", 3);
 * String servers = kafka.bootstrapServers();          // PLAINTEXT
 * String saslServers = kafka.saslBootstrapServers();  // SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256/512
 * // with builder().sslListener(): an SSL listener whose self-signed certificate names only localhost
 * String sslServers = kafka.sslBootstrapServers();    // localhost:port; trust kafka.sslTruststore()
 * kafka.restart();                                    // same ports, same data
 * kafka.close();                                      // stop and delete the data
 * }</pre>
 *
 * <p>{@link #shared()} gives one broker per JVM for tests that only need topics of their own.
 * Tuned for tests: consumer-offset and transaction topics with 1 replica and few partitions, no
 * initial rebalance delay, 500 ms heartbeats for the new consumer group protocol, and a minimum
 * session timeout of 1 s (so a test can let an abandoned member expire quickly).
 *
 * <p><b>Dependencies:</b> {@code dev.binlogsync:sync-testing} (test scope) brings the broker
 * ({@code org.apache.kafka:kafka_2.13}) and the Jackson version it needs; add an slf4j binding such
 * as {@code slf4j-simple}. A project that manages Jackson itself must keep it at Kafka's version
 * (2.21.7 for Kafka 4.4.0): the broker fails to start on another.
 *
 * <p>Thread-safe: the lifecycle methods are synchronized.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static EmbeddedKafka shared;

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int saslPort;
    private final Map<String, String> saslUsers;
    private final int sslPort;
    @Nullable
    private final Path tlsDir;
    private final Properties config;
    @Nullable
    private KafkaRaftServer server;
    @Nullable
    private Admin admin;
    @Nullable
    private KafkaProducer<byte[], byte[]> producer;
    private boolean closed;

    private EmbeddedKafka(Builder b) {
        try {
            this.logDir = Files.createTempDirectory("embedded-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        this.saslUsers = Map.copyOf(b.saslUsers);
        this.saslPort = saslUsers.isEmpty() ? -1 : freePort();
        this.sslPort = b.ssl ? freePort() : -1;
        this.tlsDir = b.ssl ? selfSignedStores() : null;
        this.config = config(b.brokerProperties);
        format();
    }

    /** A builder for a broker of your own. */
    public static Builder builder() {
        return new Builder();
    }

    /** The SASL user of {@link #shared()}. */
    public static final String SHARED_SASL_USER = "alice";
    /** The SASL password of {@link #shared()}. */
    public static final String SHARED_SASL_PASSWORD = "alice-secret";

    /**
     * One started broker per JVM, stopped when the JVM exits; it has a SASL listener for
     * {@link #SHARED_SASL_USER} / {@link #SHARED_SASL_PASSWORD}. Give every test its own topics
     * and groups; tests that stop or restart a broker need one of their own.
     */
    public static synchronized EmbeddedKafka shared() {
        if (shared == null) {
            EmbeddedKafka k = builder().saslUser(SHARED_SASL_USER, SHARED_SASL_PASSWORD).start();
            Runtime.getRuntime().addShutdownHook(new Thread(k::close, "embedded-kafka-shutdown"));
            shared = k;
        }
        return shared;
    }

    private Properties config(Map<String, String> extra) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        String listeners = "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort;
        String advertised = "PLAINTEXT://127.0.0.1:" + brokerPort;
        if (saslPort > 0) {
            listeners += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
            advertised += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
            p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
            StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            saslUsers.forEach((user, password) -> plain.append(" user_").append(user).append("=\"").append(password).append('"'));
            p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", plain.append(';').toString());
            String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
            p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config", scram);
            p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram);
        }
        if (sslPort > 0) {
            // bound to 127.0.0.1, advertised as localhost: the certificate names localhost only
            listeners += ",SSL://127.0.0.1:" + sslPort;
            advertised += ",SSL://localhost:" + sslPort;
            p.put("listener.name.ssl.ssl.keystore.type", "PKCS12");
            p.put("listener.name.ssl.ssl.keystore.location", tlsDir.resolve("broker.p12").toString());
            p.put("listener.name.ssl.ssl.keystore.password", SSL_STORE_PASSWORD);
            p.put("listener.name.ssl.ssl.key.password", SSL_STORE_PASSWORD);
        }
        p.put("listeners", listeners);
        p.put("advertised.listeners", advertised);
        p.put("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.min.session.timeout.ms", "1000");
        p.put("group.consumer.heartbeat.interval.ms", "500");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.session.timeout.ms", "6000");
        p.put("group.consumer.min.session.timeout.ms", "3000");
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.putAll(extra);
        return p;
    }

    /** The password of the SSL listener's key store and of {@link #sslTruststore()}. */
    public static final String SSL_STORE_PASSWORD = "embedded-tls";

    /**
     * A new directory with {@code broker.p12} (a self-signed RSA key pair whose certificate's only
     * subject alternative name is {@code DNS:localhost}, valid 2 days) and {@code truststore.p12}
     * (that certificate), made with the JDK's {@code keytool}.
     */
    private static Path selfSignedStores() {
        try {
            Path dir = Files.createTempDirectory("embedded-kafka-tls-");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            String broker = dir.resolve("broker.p12").toString();
            String cert = dir.resolve("broker.pem").toString();
            keytool(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-storetype", "PKCS12",
                    "-keystore", broker, "-storepass", SSL_STORE_PASSWORD, "-keypass", SSL_STORE_PASSWORD);
            keytool(keytool, "-exportcert", "-alias", "broker", "-rfc", "-file", cert, "-keystore", broker,
                    "-storepass", SSL_STORE_PASSWORD);
            keytool(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert, "-storetype", "PKCS12",
                    "-keystore", dir.resolve("truststore.p12").toString(), "-storepass", SSL_STORE_PASSWORD);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool failed (" + p.exitValue() + "): "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private void format() {
        Path file = logDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            config.store(out, "embedded kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("format", "-t", randomClusterId(), "-c", file.toString()));
        saslUsers.forEach((user, password) -> {
            args.add("--add-scram");
            args.add("SCRAM-SHA-256=[name=" + user + ",password=" + password + "]");
            args.add("--add-scram");
            args.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
        });
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc = StorageTool.execute(args.toArray(new String[0]), new PrintStream(output, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting " + logDir + " failed (" + rc + "): " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    /** Starts the broker (again, on the same ports and data) and waits until it serves requests. */
    public synchronized EmbeddedKafka start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (server != null) {
            return this;
        }
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        s.startup();
        server = s;
        awaitReady();
        return this;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin().describeCluster().nodes().get(5, TimeUnit.SECONDS);
                admin().listTopics().names().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = new IllegalStateException("broker not ready: " + e, e);
            }
        }
        throw last != null ? last : new IllegalStateException("broker not ready in 60 s");
    }

    /** Stops the broker, keeping its data and ports for {@link #start()}. */
    public synchronized void stop() {
        closeClients();
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            s.shutdown();
            s.awaitShutdown();
        }
    }

    /** {@link #stop()} then {@link #start()}: same ports, same data. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops the broker and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        for (Path dir : tlsDir == null ? List.of(logDir) : List.of(logDir, tlsDir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // best effort: a temp directory
            }
        }
    }

    /** The PLAINTEXT listener, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * The SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for the users given to
     * {@link Builder#saslUser}).
     *
     * @throws IllegalStateException if the broker has no SASL users
     */
    public String saslBootstrapServers() {
        if (saslPort < 0) {
            throw new IllegalStateException("no SASL listener: use builder().saslUser(..)");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** Creates a topic with {@code partitions} partitions (1 replica) and waits until it is usable; fine if it exists. */
    public void createTopic(String name, int partitions) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("creating topic " + name + " failed: " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("creating topic " + name + " failed: " + e, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                var d = admin().describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS).get(name);
                if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (Exception e) {
                // not there yet
            }
        }
        throw new IllegalStateException("topic " + name + " has no leaders after 30 s");
    }

    /** An admin client on the PLAINTEXT listener, owned by this broker (closed on stop). */
    public synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> c = new HashMap<>();
            c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
            admin = Admin.create(c);
        }
        return admin;
    }

    /**
     * Writes one record synchronously (acks=all).
     *
     * @param partition the partition, or null to let the producer choose
     * @param timestamp the record timestamp (epoch ms), or null for now
     */
    public RecordMetadata send(String topic, @Nullable Integer partition, @Nullable byte[] key, @Nullable byte[] value,
            @Nullable Long timestamp) {
        try {
            return producer().send(new ProducerRecord<>(topic, partition, timestamp, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("sending to " + topic + " failed: " + e, e);
        }
    }

    /** Writes the records in order (pipelined, acks=all) and waits until all are acknowledged. */
    public void sendAll(List<ProducerRecord<byte[], byte[]>> records) {
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> r : records) {
            acks.add(producer().send(r));
        }
        for (java.util.concurrent.Future<RecordMetadata> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("sending failed: " + e, e);
            }
        }
    }

    /** Writes a UTF-8 value (null key) to a partition synchronously. */
    public RecordMetadata send(String topic, int partition, String value) {
        return send(topic, partition, null, value.getBytes(StandardCharsets.UTF_8), null);
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> c = new HashMap<>();
            c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            // one request in flight keeps pipelined sends in order; the idempotent producer was seen
            // to fail with OutOfOrderSequenceException on this (overloaded) test machine
            c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** The group's committed offsets (next offset to read) per partition, read from the broker. */
    public Map<TopicPartition, Long> committedOffsets(String groupId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> m =
                    admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("reading the offsets of group " + groupId + " failed: " + e, e);
        }
    }

    /** A plain byte-array consumer (no group commits) on the PLAINTEXT listener; the caller closes it. */
    public KafkaConsumer<byte[], byte[]> consumer(String groupId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void closeClients() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The SSL listener as {@code localhost:port}, the one name its certificate holds (connect to
     * {@code 127.0.0.1:port} instead to see a hostname mismatch).
     *
     * @throws IllegalStateException if the broker was built without {@link Builder#sslListener()}
     */
    public String sslBootstrapServers() {
        if (sslPort < 0) {
            throw new IllegalStateException("no SSL listener: use builder().sslListener()");
        }
        return "localhost:" + sslPort;
    }

    /** The PKCS12 trust store holding the SSL listener's certificate; password {@link #SSL_STORE_PASSWORD}. */
    public Path sslTruststore() {
        if (tlsDir == null) {
            throw new IllegalStateException("no SSL listener: use builder().sslListener()");
        }
        return tlsDir.resolve("truststore.p12");
    }

    @Override
    public String toString() {
        return "EmbeddedKafka{" + bootstrapServers() + (saslPort > 0 ? ", sasl=127.0.0.1:" + saslPort : "")
                + ", logDir=" + logDir + ", running=" + (server != null) + "}";
    }

    /**
     * Configures an {@link EmbeddedKafka}; from {@link EmbeddedKafka#builder()}.
     *
     * <p>Defaults: a PLAINTEXT listener only, the test-tuned broker properties of the class
     * comment. Arguments must not be null ({@link NullPointerException} naming the argument);
     * setters return this builder. {@link #start()} and {@link #build()} allocate ports and a
     * temporary data directory and format it: {@link java.io.UncheckedIOException} when the
     * directory cannot be made, {@link IllegalStateException} when formatting fails or (for
     * {@link #start()}) the broker does not answer within 60 s. Each call makes a new broker from
     * the values set so far. Not thread-safe: configure and build on one thread.
     */
    public static final class Builder {
        private final Map<String, String> saslUsers = new HashMap<>();
        private final Map<String, String> brokerProperties = new HashMap<>();
        private boolean ssl;

        private Builder() {
        }

        /**
         * Adds an SSL listener with a self-signed certificate made for this broker, naming only
         * {@code localhost} (see {@link #sslBootstrapServers()} and {@link #sslTruststore()}).
         */
        public Builder sslListener() {
            this.ssl = true;
            return this;
        }

        /**
         * Adds a SASL_PLAINTEXT listener (if not yet there) accepting this user with PLAIN,
         * SCRAM-SHA-256 and SCRAM-SHA-512. No authorizer: an authenticated user may do anything.
         */
        public Builder saslUser(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (!user.matches("[A-Za-z0-9_]+") || !password.matches("[A-Za-z0-9_\\-]+")) {
                throw new IllegalArgumentException("keep test user names and passwords to [A-Za-z0-9_-]: " + user);
            }
            saslUsers.put(user, password);
            return this;
        }

        /**
         * Any broker property, overriding the test defaults; the broker checks it when it starts.
         * Setting a name twice keeps the last value.
         */
        public Builder brokerProperty(String name, String value) {
            brokerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Creates, formats and starts the broker. */
        public EmbeddedKafka start() {
            return new EmbeddedKafka(this).start();
        }

        /** Creates and formats the broker without starting it; {@link EmbeddedKafka#start()} starts it. */
        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }
    }
}
