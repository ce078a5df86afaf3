package dev.binlogsync.testing;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.http.HttpHost;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The container side of {@link TestServers}. Only this class touches Testcontainers, so the
 * in-process path never loads it (nor asks Docker anything). Not run on the machines this project
 * is built on: they have no Docker engine.
 */
final class Containers {

    /** The password of the MariaDB container's root user. */
    static final String MARIADB_PASSWORD = "binlog-sync";

    private Containers() {
    }

    /** Whether a Docker engine answers; Testcontainers asks once per JVM and logs when none does. */
    static boolean dockerReachable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static TestServers.Kafka kafka() {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(TestServers.KAFKA_IMAGE));
        container.start();
        return new TestServers.Kafka() {
            @Override
            public String bootstrapServers() {
                return container.getBootstrapServers();
            }

            @Override
            public ServerSource source() {
                return ServerSource.CONTAINERS;
            }

            @Override
            public void close() {
                container.close();
            }
        };
    }

    static TestServers.Elasticsearch elasticsearch() {
        ElasticsearchContainer container = new ElasticsearchContainer(DockerImageName.parse(TestServers.ELASTICSEARCH_IMAGE))
                .withEnv("xpack.security.enabled", "false")
                .withEnv("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
        container.start();
        HttpHost host = HttpHost.create("http://" + container.getHttpHostAddress());
        return new TestServers.Elasticsearch() {
            @Override
            public HttpHost httpHost() {
                return host;
            }

            @Override
            public ServerSource source() {
                return ServerSource.CONTAINERS;
            }

            @Override
            public void close() {
                container.close();
            }
        };
    }

    static TestServers.MariaDb mariaDb() {
        MariaDBContainer<?> container = new MariaDBContainer<>(DockerImageName.parse(TestServers.MARIADB_IMAGE))
                .withUsername("root")
                .withPassword(MARIADB_PASSWORD)
                .withCommand(containerOptions().toArray(String[]::new));
        container.start();
        return new TestServers.MariaDb() {
            @Override
            public String host() {
                return container.getHost();
            }

            @Override
            public int port() {
                return container.getMappedPort(3306);
            }

            @Override
            public String user() {
                return container.getUsername();
            }

            @Override
            public String password() {
                return container.getPassword();
            }

            @Override
            public ServerSource source() {
                return ServerSource.CONTAINERS;
            }

            @Override
            public void close() {
                container.close();
            }
        };
    }

    /**
     * {@link EmbeddedMariaDb}'s server options less its loopback binding: inside a container the
     * server must listen on the container's interface for the mapped port to reach it.
     */
    static List<String> containerOptions() {
        return EmbeddedMariaDb.BINLOG_OPTIONS.stream()
                .filter(option -> !option.startsWith("--bind-address"))
                .collect(Collectors.toList());
    }
}
