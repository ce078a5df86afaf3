/**
 * Decoders that turn the bytes of one Kafka record into binlog {@link dev.binlogsync.core.ChangeEvent}s:
 * {@link dev.binlogsync.kafka.decode.CanalFlatMessageDecoder},
 * {@link dev.binlogsync.kafka.decode.DebeziumDecoder}, {@link dev.binlogsync.kafka.decode.MaxwellDecoder},
 * or any {@link dev.binlogsync.kafka.decode.MessageDecoder} of your own.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.kafka.decode;

import javax.annotation.ParametersAreNonnullByDefault;
