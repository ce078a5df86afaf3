package dev.binlogsync.kafka;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * Where a {@link KafkaSource} starts reading each partition. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #committedOrEarliest()} (the default): the group's committed offset; a partition the
 *       group never committed starts at its earliest offset (nothing is skipped).</li>
 *   <li>{@link #committedOrLatest()}: the committed offset; a partition never committed starts at
 *       its end (only records written from now on).</li>
 *   <li>{@link #timestamp(Instant)}: the first offset whose record timestamp is at or after the
 *       instant ({@code offsetsForTimes}), <b>ignoring committed offsets</b>. A partition with no
 *       record at or after that time (all older, or empty) starts at its end offset, i.e. with the
 *       next record written to it; that end offset is taken before the timestamp is looked up, so
 *       a record written in between is read, not skipped.</li>
 *   <li>{@link #offsets(Map)}: explicit offsets per partition ({@code "topic-partition"} to the
 *       offset of the first record to read), ignoring committed offsets for those partitions;
 *       other partitions behave as {@link #committedOrEarliest()}. An offset outside the
 *       partition's range (deleted by retention, or beyond the end) falls back to the earliest
 *       offset.</li>
 * </ul>
 *
 * <p><b>When it applies.</b> A timestamp or explicit offset is applied the first time each
 * partition is assigned to the {@code KafkaSource} instance, from inside the rebalance, before any
 * record of it is returned, so the group starts there at once. A partition assigned again later in
 * the same instance (after a rebalance) resumes from the committed offset as usual. Every new
 * {@code KafkaSource} (an application restart, or a second instance in the group taking over a
 * partition for the first time) applies it again: configure a timestamp or offsets for the run
 * that should reposition the group, then go back to {@link #committedOrEarliest()}.
 */
public final class StartPosition {

    enum Kind { COMMITTED_OR_EARLIEST, COMMITTED_OR_LATEST, TIMESTAMP, OFFSETS }

    private static final StartPosition EARLIEST = new StartPosition(Kind.COMMITTED_OR_EARLIEST, null, Map.of());
    private static final StartPosition LATEST = new StartPosition(Kind.COMMITTED_OR_LATEST, null, Map.of());

    private final Kind kind;
    @Nullable
    private final Instant timestamp;
    private final Map<String, Long> offsets;

    private StartPosition(Kind kind, @Nullable Instant timestamp, Map<String, Long> offsets) {
        this.kind = kind;
        this.timestamp = timestamp;
        this.offsets = offsets;
    }

    /** The committed offset, else the earliest. The default. */
    public static StartPosition committedOrEarliest() {
        return EARLIEST;
    }

    /** The committed offset, else the end of the partition. */
    public static StartPosition committedOrLatest() {
        return LATEST;
    }

    /**
     * The first record at or after {@code time} on first assignment; partitions without such a
     * record start at their end offset.
     *
     * @throws IllegalArgumentException if {@code time} is before the epoch
     */
    public static StartPosition timestamp(Instant time) {
        Objects.requireNonNull(time, "time");
        if (time.toEpochMilli() < 0) {
            throw new IllegalArgumentException("timestamp must not be before the epoch: " + time);
        }
        return new StartPosition(Kind.TIMESTAMP, time, Map.of());
    }

    /**
     * Explicit offsets on first assignment, keyed by {@code "topic-partition"} (e.g.
     * {@code "orders-3"}); the offset is the first record to read.
     *
     * @throws IllegalArgumentException if the map is empty, a name is not {@code topic-partition}
     *     or an offset is negative
     */
    public static StartPosition offsets(Map<String, Long> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("offsets must not be empty");
        }
        Map<String, Long> copy = new TreeMap<>();
        for (Map.Entry<String, Long> e : offsets.entrySet()) {
            PartitionNames.parse(e.getKey());
            Long offset = Objects.requireNonNull(e.getValue(), "offset of " + e.getKey());
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0: " + e.getKey() + "=" + offset);
            }
            copy.put(e.getKey(), offset);
        }
        return new StartPosition(Kind.OFFSETS, null, Map.copyOf(copy));
    }

    Kind kind() {
        return kind;
    }

    @Nullable
    Instant timestampOrNull() {
        return timestamp;
    }

    Map<String, Long> offsetsMap() {
        return offsets;
    }

    /** The Kafka {@code auto.offset.reset} this start position implies. */
    String autoOffsetReset() {
        return kind == Kind.COMMITTED_OR_LATEST ? "latest" : "earliest";
    }

    @Override
    public String toString() {
        switch (kind) {
            case TIMESTAMP: return "timestamp(" + timestamp + ")";
            case OFFSETS: return "offsets(" + offsets + ")";
            case COMMITTED_OR_LATEST: return "committedOrLatest";
            default: return "committedOrEarliest";
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StartPosition
                && kind == ((StartPosition) o).kind
                && Objects.equals(timestamp, ((StartPosition) o).timestamp)
                && offsets.equals(((StartPosition) o).offsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, timestamp, offsets);
    }
}
