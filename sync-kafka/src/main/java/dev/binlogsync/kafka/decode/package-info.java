/**
 * Decoders that turn the bytes of one Kafka record into binlog {@link dev.binlogsync.core.ChangeEvent}s:
 * {@link dev.binlogsync.kafka.decode.CanalFlatMessageDecoder},
 * {@link dev.binlogsync.kafka.decode.DebeziumDecoder}, {@link dev.binlogsync.kafka.decode.MaxwellDecoder},
 * or any {@link dev.binlogsync.kafka.decode.MessageDecoder} of your own.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.kafka.decode;

import dev.binlogsync.core.NonNullByDefault;
