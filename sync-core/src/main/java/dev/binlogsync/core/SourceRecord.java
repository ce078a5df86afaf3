package dev.binlogsync.core;

import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One record read from a {@link Source}: its position, the change events decoded from it (zero or
 * more: one Canal message can carry many rows, a DDL message none), and either nothing or the
 * reason it could not be decoded.
 *
 * <p>A record whose {@link #failure()} is set carries no events; the pipeline hands it to its
 * decode-failure policy (stop, dead-letter or counted skip) before its position may be committed.
 *
 * <p>The raw key and value are kept so a dead-letter sink can write the original bytes (after
 * processing, the pipeline keeps a record only while a rejected document may still need it: see
 * {@code SyncPipeline.Builder.maxBufferedBytes}). Arrays are not copied and compare by reference;
 * do not modify them.
 *
 * @param position where the record sits in its source
 * @param events the decoded change events, in the order the source emitted them
 * @param key the raw record key, or null
 * @param value the raw record value, or null (a tombstone)
 * @param timestampMillis the source's own record time (the Kafka record timestamp), epoch ms, or 0
 * @param failure why the record could not be decoded, or null when it was
 */
public record SourceRecord(
        SourcePosition position,
        List<ChangeEvent> events,
        @Nullable byte[] key,
        @Nullable byte[] value,
        long timestampMillis,
        @Nullable DecodeException failure) {

    public SourceRecord {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(events, "events");
        if (failure != null && !events.isEmpty()) {
            throw new IllegalArgumentException("a failed record carries no events: " + position);
        }
    }

    /** A decoded record. */
    public static SourceRecord of(SourcePosition position, List<ChangeEvent> events) {
        return new SourceRecord(position, events, null, null, 0L, null);
    }

    /** A record that could not be decoded. */
    public static SourceRecord failed(
            SourcePosition position, @Nullable byte[] key, @Nullable byte[] value, DecodeException failure) {
        Objects.requireNonNull(failure, "failure");
        return new SourceRecord(position, List.of(), key, value, 0L, failure);
    }

    /** Whether decoding failed. */
    public boolean isFailed() {
        return failure != null;
    }
}
