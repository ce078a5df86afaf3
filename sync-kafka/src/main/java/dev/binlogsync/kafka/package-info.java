/**
 * Kafka for binlog-sync: {@link dev.binlogsync.kafka.KafkaSource} (a consumer group as a
 * {@link dev.binlogsync.core.Source}, committing only what the pipeline says is done),
 * {@link dev.binlogsync.kafka.KafkaDeadLetterSink} (dead letters to a topic, original bytes plus
 * headers) and {@link dev.binlogsync.kafka.KafkaSecurity} (SASL / SSL settings with masked secrets).
 * The message formats live in {@link dev.binlogsync.kafka.decode}.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.kafka;

import dev.binlogsync.core.NonNullByDefault;
