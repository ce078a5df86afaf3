package dev.binlogsync.testing;

/**
 * Where {@link TestServers} takes a test's servers from.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum ServerSource {
    /**
     * The servers of this package, started by the test itself without Docker: {@link EmbeddedKafka},
     * {@link EmbeddedElasticsearch}, {@link EmbeddedMariaDb}.
     */
    IN_PROCESS,
    /**
     * Testcontainers' containers of the same servers ({@link TestServers#KAFKA_IMAGE}, {@link
     * TestServers#ELASTICSEARCH_IMAGE}, {@link TestServers#MARIADB_IMAGE}); needs a reachable Docker
     * engine.
     */
    CONTAINERS
}
