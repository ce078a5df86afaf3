package dev.binlogsync.kafka.decode;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.SourcePosition;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Turns the key and value bytes of one Kafka record into zero or more change events.
 *
 * <p><b>Contract.</b> Returns the events in the order the record carries them (one Canal message
 * may hold many rows), or an empty list for a record that carries no row change (a DDL message, a
 * tombstone, a bootstrap marker). Input that cannot be decoded is reported by throwing a
 * {@link DecodeException} whose message says what is wrong (which field, which column, which
 * value); {@code KafkaSource} prefixes it with the topic, partition and offset and hands the record
 * to the pipeline's failure policy. Any other runtime exception is treated the same way; a decoder
 * must never return null and never silently drop a row or change a value: a change it cannot
 * express as rows (a {@code TRUNCATE}, a statement-format change) is a {@link DecodeException}.
 *
 * <p><b>Threading.</b> Called by the pipeline thread only, but the decoders of this package are
 * immutable and thread-safe, so one instance may serve several sources.
 *
 * <p><b>Row images.</b> An event says whether its row is the whole row
 * ({@link ChangeEvent#rowImage()}); one built without saying is {@code UNKNOWN}, and rules in the
 * default write mode then upsert rather than replace the document. A decoder whose format always
 * carries every column passes {@code RowImage.FULL}.
 *
 * <p>Example of a custom decoder for a format with one JSON row per message, every column in it:
 * <pre>{@code
 * MessageDecoder mine = (key, value, pos) -> List.of(new ChangeEvent(
 *         "shop", "orders", Operation.INSERT, parse(value), Map.of(), List.of("id"), 0L, pos, RowImage.FULL));
 * }</pre>
 */
@FunctionalInterface
public interface MessageDecoder {

    /**
     * Decodes one record.
     *
     * @param key the raw record key, or null
     * @param value the raw record value, or null for a tombstone
     * @param position the record's position; every returned event carries it
     * @return the events, possibly empty, never null
     * @throws DecodeException when the record cannot be decoded; the message says what is wrong
     */
    List<ChangeEvent> decode(@Nullable byte[] key, @Nullable byte[] value, SourcePosition position);
}
