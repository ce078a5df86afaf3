/**
 * {@link dev.binlogsync.core.config.ComponentProvider}s that let a configuration file create a
 * {@link dev.binlogsync.kafka.KafkaSource} ({@code source.type = "kafka"}) and a
 * {@link dev.binlogsync.kafka.KafkaDeadLetterSink} ({@code deadLetter.type = "kafka"}). Registered
 * through {@code META-INF/services}; see {@code docs/configuration.md} for the keys.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.kafka.config;

import javax.annotation.ParametersAreNonnullByDefault;
