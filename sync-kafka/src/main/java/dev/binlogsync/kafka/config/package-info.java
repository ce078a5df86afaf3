/**
 * {@link dev.binlogsync.core.config.ComponentProvider}s that let a configuration file create a
 * {@link dev.binlogsync.kafka.KafkaSource} ({@code source.type = "kafka"}) and a
 * {@link dev.binlogsync.kafka.KafkaDeadLetterSink} ({@code deadLetter.type = "kafka"}). Registered
 * through {@code META-INF/services}; see {@code docs/configuration.md} for the keys.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.kafka.config;

import dev.binlogsync.core.NonNullByDefault;
