/**
 * Test fixtures for code that talks to Elasticsearch: {@link
 * dev.binlogsync.elasticsearch.testing.EmbeddedElasticsearch}, a real node in the test JVM.
 * Shipped in the {@code sync-elasticsearch} test-jar.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch.testing;

import javax.annotation.ParametersAreNonnullByDefault;
