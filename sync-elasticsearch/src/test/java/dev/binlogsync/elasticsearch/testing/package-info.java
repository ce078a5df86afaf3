/**
 * Test fixtures for code that talks to Elasticsearch: {@link
 * dev.binlogsync.elasticsearch.testing.EmbeddedElasticsearch}, a real node in the test JVM, and
 * {@link dev.binlogsync.elasticsearch.testing.FaultProxy}, a loopback proxy in front of it that
 * injects the faults after which a request may still be applied late (held past the client's
 * timeout, 502/503/504 while forwarding, reset after sending, stalled reads). Shipped in the
 * {@code sync-elasticsearch} test-jar.
 */
@NonNullByDefault
package dev.binlogsync.elasticsearch.testing;

import dev.binlogsync.core.NonNullByDefault;
