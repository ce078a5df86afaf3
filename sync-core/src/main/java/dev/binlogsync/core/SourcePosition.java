package dev.binlogsync.core;

import java.util.Objects;

/**
 * Where a {@link SourceRecord} sits in its source: a partition name and an offset that is ordered
 * within that partition. The engine treats the partition name as opaque; it only compares offsets
 * of one partition. For Kafka the partition is {@code topic-partition} and the offset is the
 * record's Kafka offset.
 *
 * <p>Immutable and thread-safe.
 *
 * @param partition the partition this position belongs to, never null or empty
 * @param offset the position within the partition, {@code >= 0}
 */
public record SourcePosition(String partition, long offset) implements Comparable<SourcePosition> {

    public SourcePosition {
        Objects.requireNonNull(partition, "partition");
        if (partition.isEmpty()) {
            throw new IllegalArgumentException("partition must not be empty");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
    }

    /**
     * Orders positions of one partition by offset.
     *
     * @throws IllegalArgumentException if {@code other} belongs to another partition
     */
    @Override
    public int compareTo(SourcePosition other) {
        if (!partition.equals(other.partition)) {
            throw new IllegalArgumentException(
                    "positions of different partitions are not ordered: " + this + " vs " + other);
        }
        return Long.compare(offset, other.offset);
    }

    @Override
    public String toString() {
        return partition + "@" + offset;
    }
}
