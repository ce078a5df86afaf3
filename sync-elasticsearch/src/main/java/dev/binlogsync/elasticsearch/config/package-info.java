/**
 * The {@link dev.binlogsync.core.config.ComponentProvider} that lets a configuration file create an
 * {@link dev.binlogsync.elasticsearch.ElasticsearchSink} ({@code sink.type = "elasticsearch"}).
 * Registered through {@code META-INF/services}; see {@code docs/configuration.md} for the keys.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch.config;

import javax.annotation.ParametersAreNonnullByDefault;
