/**
 * Real servers for tests, started by the test itself without Docker: {@link
 * dev.binlogsync.testing.EmbeddedKafka} (a KRaft broker in the test JVM), {@link
 * dev.binlogsync.testing.EmbeddedElasticsearch} (an Elasticsearch 8.19 node in the test JVM),
 * {@link dev.binlogsync.testing.EmbeddedMariaDb} (a MariaDB server process with its binlog on, for
 * end-to-end tests) and {@link dev.binlogsync.testing.FaultProxy} (a loopback HTTP proxy that
 * injects the faults after which a request may still be applied late). {@link
 * dev.binlogsync.testing.TestServers} picks Testcontainers' containers for Kafka, Elasticsearch and
 * MariaDB instead where Docker is reachable, or where a system property asks for them.
 *
 * <p>Shipped as {@code dev.binlogsync:sync-testing}; one test-scoped dependency brings every
 * server's jars. Every server binds 127.0.0.1 only; {@code close()} stops it and deletes its data.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@NonNullByDefault
package dev.binlogsync.testing;

import dev.binlogsync.core.NonNullByDefault;
