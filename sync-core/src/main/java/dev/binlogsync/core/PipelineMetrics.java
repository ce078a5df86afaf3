package dev.binlogsync.core;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A point-in-time snapshot of a {@link SyncPipeline}'s counters, from {@link SyncPipeline#metrics()}.
 * Counters and distributions are cumulative since the pipeline started; gauges
 * ({@code inFlightRequests}, {@code bufferedActions}, {@code bufferedBytes}, {@code paused},
 * {@code lag}, {@code heartbeatAge}) are the current value. Immutable and thread-safe; equal when
 * every value is equal.
 *
 * <p>Distributions ({@link Timing}, {@link Sizes}) come from fixed-bucket log-linear histograms:
 * a reported percentile is at most 6.25% above the true value and never above the maximum.
 *
 * <p>New values may be added in later versions: read them through the accessors, and make a
 * snapshot (for a test of code that reads metrics) with {@link #builder()}, where every value not
 * set is zero or empty.
 */
public final class PipelineMetrics {

    /** All zero: a pipeline that has not started. */
    public static final PipelineMetrics EMPTY = builder().build();

    private final long records;
    private final long events;
    private final long indexActions;
    private final long upsertActions;
    private final long deleteActions;
    private final long updateActions;
    private final long coalesced;
    private final long stale;
    private final long missing;
    private final long retried;
    private final long deadLettered;
    private final long skipped;
    private final long bulks;
    private final long failedBulks;
    private final long inDoubtBulks;
    private final long fencedWrites;
    private final long commits;
    private final int inFlightRequests;
    private final long bufferedActions;
    private final long bufferedBytes;
    private final boolean paused;
    private final Duration pausedTime;
    private final Timing syncLatency;
    private final Timing bulkDuration;
    private final Sizes bulkActions;
    private final Sizes bulkBytes;
    private final Map<String, Long> lag;
    @Nullable private final Duration heartbeatAge;

    private PipelineMetrics(Builder b) {
        this.records = b.records;
        this.events = b.events;
        this.indexActions = b.indexActions;
        this.upsertActions = b.upsertActions;
        this.deleteActions = b.deleteActions;
        this.updateActions = b.updateActions;
        this.coalesced = b.coalesced;
        this.stale = b.stale;
        this.missing = b.missing;
        this.retried = b.retried;
        this.deadLettered = b.deadLettered;
        this.skipped = b.skipped;
        this.bulks = b.bulks;
        this.failedBulks = b.failedBulks;
        this.inDoubtBulks = b.inDoubtBulks;
        this.fencedWrites = b.fencedWrites;
        this.commits = b.commits;
        this.inFlightRequests = b.inFlightRequests;
        this.bufferedActions = b.bufferedActions;
        this.bufferedBytes = b.bufferedBytes;
        this.paused = b.paused;
        this.pausedTime = b.pausedTime;
        this.syncLatency = b.syncLatency;
        this.bulkDuration = b.bulkDuration;
        this.bulkActions = b.bulkActions;
        this.bulkBytes = b.bulkBytes;
        this.lag = b.lag;
        this.heartbeatAge = b.heartbeatAge;
    }

    /** A builder with every value zero or empty (no heartbeat). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this snapshot's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.records = records;
        b.events = events;
        b.indexActions = indexActions;
        b.upsertActions = upsertActions;
        b.deleteActions = deleteActions;
        b.updateActions = updateActions;
        b.coalesced = coalesced;
        b.stale = stale;
        b.missing = missing;
        b.retried = retried;
        b.deadLettered = deadLettered;
        b.skipped = skipped;
        b.bulks = bulks;
        b.failedBulks = failedBulks;
        b.inDoubtBulks = inDoubtBulks;
        b.fencedWrites = fencedWrites;
        b.commits = commits;
        b.inFlightRequests = inFlightRequests;
        b.bufferedActions = bufferedActions;
        b.bufferedBytes = bufferedBytes;
        b.paused = paused;
        b.pausedTime = pausedTime;
        b.syncLatency = syncLatency;
        b.bulkDuration = bulkDuration;
        b.bulkActions = bulkActions;
        b.bulkBytes = bulkBytes;
        b.lag = lag;
        b.heartbeatAge = heartbeatAge;
        return b;
    }

    /** Source records read. */
    public long records() {
        return records;
    }

    /** Change events read (one record can carry several). */
    public long events() {
        return events;
    }

    /** INDEX actions the rule set produced. */
    public long indexActions() {
        return indexActions;
    }

    /** UPSERT actions the rule set produced. */
    public long upsertActions() {
        return upsertActions;
    }

    /** DELETE actions the rule set produced. */
    public long deleteActions() {
        return deleteActions;
    }

    /** UPDATE actions the rule set produced (merge rules writing into a parent document that must exist). */
    public long updateActions() {
        return updateActions;
    }

    /** Actions merged into an earlier buffered action for the same document. */
    public long coalesced() {
        return coalesced;
    }

    /** Items the index did not apply because it holds a newer external version. */
    public long stale() {
        return stale;
    }

    /**
     * UPDATE items whose document did not exist (a merged child row whose parent document is deleted,
     * filtered out or not yet written); done, nothing written.
     */
    public long missing() {
        return missing;
    }

    /** Items sent again after a retryable failure. */
    public long retried() {
        return retried;
    }

    /** Dead letters acknowledged by the dead-letter sink. */
    public long deadLettered() {
        return deadLettered;
    }

    /** Records, events or items dropped by an explicit {@link FailurePolicy#SKIP}. */
    public long skipped() {
        return skipped;
    }

    /** Bulk requests completed. */
    public long bulks() {
        return bulks;
    }

    /** Bulk requests that failed as a whole. */
    public long failedBulks() {
        return failedBulks;
    }

    /**
     * Bulk requests that failed in doubt ({@link RequestInDoubtException}: the sink cannot tell
     * whether the server applied them, e.g. a timeout after sending); part of {@link #failedBulks()}.
     * Each is retried by the pipeline and, unless its fence is zero, fences its documents (see
     * {@link #fencedWrites()}).
     */
    public long inDoubtBulks() {
        return inDoubtBulks;
    }

    /**
     * Times a document's newer write was held back by a late-write fence: counted once per document
     * and fence, when the pipeline would have sent a buffered action of the document but the fence
     * of an in-doubt bulk holding it had not ended (an extended fence is the same fence). Each such
     * wait delays that document by up to the fence's duration; a fence whose documents see no newer
     * change counts nothing.
     */
    public long fencedWrites() {
        return fencedWrites;
    }

    /** Successful commits to the source. */
    public long commits() {
        return commits;
    }

    /** Bulk requests currently in flight. */
    public int inFlightRequests() {
        return inFlightRequests;
    }

    /** Actions held and not yet acknowledged (buffered, in flight, waiting for retry). */
    public long bufferedActions() {
        return bufferedActions;
    }

    /**
     * What {@code maxBufferedBytes} bounds: the estimated size of those actions plus the records not
     * yet done (a fixed overhead each, plus their raw bytes when rejected documents are dead-lettered,
     * which keeps them until their actions are written), plus the dead letters not yet acknowledged by
     * the dead-letter sink.
     */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Whether the source is paused now (backpressure). */
    public boolean paused() {
        return paused;
    }

    /** Total time the source has been paused. */
    public Duration pausedTime() {
        return pausedTime;
    }

    /**
     * Per acknowledged action, the time from its binlog event ({@link ChangeEvent#eventTimeMillis()},
     * the oldest one for a coalesced action) to the sink's acknowledgement, millisecond resolution;
     * events without a time are not counted.
     */
    public Timing syncLatency() {
        return syncLatency;
    }

    /** Per completed bulk request, the time from sending it to its completion. */
    public Timing bulkDuration() {
        return bulkDuration;
    }

    /** Per completed bulk request, the number of actions in it. */
    public Sizes bulkActions() {
        return bulkActions;
    }

    /** Per completed bulk request, the estimated bytes of its actions. */
    public Sizes bulkBytes() {
        return bulkBytes;
    }

    /**
     * Per partition, records not yet read, as the source last reported it (sampled at most once a
     * second); empty when the source does not know.
     */
    public Map<String, Long> lag() {
        return lag;
    }

    /**
     * The age of the newest heartbeat reported through {@link SyncPipeline#reportHeartbeat}, or null
     * when none was reported.
     */
    @Nullable
    public Duration heartbeatAge() {
        return heartbeatAge;
    }

    /** Actions the rule set produced, all operations together. */
    public long actions() {
        return indexActions + upsertActions + deleteActions + updateActions;
    }

    /** The sum of {@link #lag()} over all partitions. */
    public long totalLag() {
        long sum = 0;
        for (long l : lag.values()) {
            sum += l;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PipelineMetrics m)) {
            return false;
        }
        return records == m.records
                && events == m.events
                && indexActions == m.indexActions
                && upsertActions == m.upsertActions
                && deleteActions == m.deleteActions
                && updateActions == m.updateActions
                && coalesced == m.coalesced
                && stale == m.stale
                && missing == m.missing
                && retried == m.retried
                && deadLettered == m.deadLettered
                && skipped == m.skipped
                && bulks == m.bulks
                && failedBulks == m.failedBulks
                && inDoubtBulks == m.inDoubtBulks
                && fencedWrites == m.fencedWrites
                && commits == m.commits
                && inFlightRequests == m.inFlightRequests
                && bufferedActions == m.bufferedActions
                && bufferedBytes == m.bufferedBytes
                && paused == m.paused
                && Objects.equals(pausedTime, m.pausedTime)
                && Objects.equals(syncLatency, m.syncLatency)
                && Objects.equals(bulkDuration, m.bulkDuration)
                && Objects.equals(bulkActions, m.bulkActions)
                && Objects.equals(bulkBytes, m.bulkBytes)
                && Objects.equals(lag, m.lag)
                && Objects.equals(heartbeatAge, m.heartbeatAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(records, events, indexActions, upsertActions, deleteActions, updateActions, coalesced, stale,
                missing, retried, deadLettered, skipped, bulks, failedBulks, inDoubtBulks, fencedWrites, commits,
                inFlightRequests, bufferedActions, bufferedBytes, paused, pausedTime, syncLatency, bulkDuration,
                bulkActions, bulkBytes, lag, heartbeatAge);
    }

    @Override
    public String toString() {
        return "PipelineMetrics[" + "records=" + records
                + ", events=" + events
                + ", indexActions=" + indexActions
                + ", upsertActions=" + upsertActions
                + ", deleteActions=" + deleteActions
                + ", updateActions=" + updateActions
                + ", coalesced=" + coalesced
                + ", stale=" + stale
                + ", missing=" + missing
                + ", retried=" + retried
                + ", deadLettered=" + deadLettered
                + ", skipped=" + skipped
                + ", bulks=" + bulks
                + ", failedBulks=" + failedBulks
                + ", inDoubtBulks=" + inDoubtBulks
                + ", fencedWrites=" + fencedWrites
                + ", commits=" + commits
                + ", inFlightRequests=" + inFlightRequests
                + ", bufferedActions=" + bufferedActions
                + ", bufferedBytes=" + bufferedBytes
                + ", paused=" + paused
                + ", pausedTime=" + pausedTime
                + ", syncLatency=" + syncLatency
                + ", bulkDuration=" + bulkDuration
                + ", bulkActions=" + bulkActions
                + ", bulkBytes=" + bulkBytes
                + ", lag=" + lag
                + ", heartbeatAge=" + heartbeatAge + "]";
    }

    /**
     * Builds a {@link PipelineMetrics}; every value not set is zero, empty, or (heartbeat age)
     * null. Used by the pipeline, and by tests of code that reads metrics. Each setter checks its
     * value at once: a negative count, gauge, lag or duration is an {@link IllegalArgumentException}
     * naming the value, a null one a {@link NullPointerException}. Not thread-safe.
     */
    public static final class Builder {
        private long records = 0;
        private long events = 0;
        private long indexActions = 0;
        private long upsertActions = 0;
        private long deleteActions = 0;
        private long updateActions = 0;
        private long coalesced = 0;
        private long stale = 0;
        private long missing = 0;
        private long retried = 0;
        private long deadLettered = 0;
        private long skipped = 0;
        private long bulks = 0;
        private long failedBulks = 0;
        private long inDoubtBulks = 0;
        private long fencedWrites = 0;
        private long commits = 0;
        private int inFlightRequests = 0;
        private long bufferedActions = 0;
        private long bufferedBytes = 0;
        private boolean paused = false;
        private Duration pausedTime = Duration.ZERO;
        private Timing syncLatency = Timing.EMPTY;
        private Timing bulkDuration = Timing.EMPTY;
        private Sizes bulkActions = Sizes.EMPTY;
        private Sizes bulkBytes = Sizes.EMPTY;
        private Map<String, Long> lag = Map.of();
        @Nullable private Duration heartbeatAge = null;

        private Builder() {
        }

        /** See {@link PipelineMetrics#records()}. */
        public Builder records(long records) {
            this.records = notNegative(records, "records");
            return this;
        }

        /** See {@link PipelineMetrics#events()}. */
        public Builder events(long events) {
            this.events = notNegative(events, "events");
            return this;
        }

        /** See {@link PipelineMetrics#indexActions()}. */
        public Builder indexActions(long indexActions) {
            this.indexActions = notNegative(indexActions, "indexActions");
            return this;
        }

        /** See {@link PipelineMetrics#upsertActions()}. */
        public Builder upsertActions(long upsertActions) {
            this.upsertActions = notNegative(upsertActions, "upsertActions");
            return this;
        }

        /** See {@link PipelineMetrics#deleteActions()}. */
        public Builder deleteActions(long deleteActions) {
            this.deleteActions = notNegative(deleteActions, "deleteActions");
            return this;
        }

        /** See {@link PipelineMetrics#updateActions()}. */
        public Builder updateActions(long updateActions) {
            this.updateActions = notNegative(updateActions, "updateActions");
            return this;
        }

        /** See {@link PipelineMetrics#coalesced()}. */
        public Builder coalesced(long coalesced) {
            this.coalesced = notNegative(coalesced, "coalesced");
            return this;
        }

        /** See {@link PipelineMetrics#stale()}. */
        public Builder stale(long stale) {
            this.stale = notNegative(stale, "stale");
            return this;
        }

        /** See {@link PipelineMetrics#missing()}. */
        public Builder missing(long missing) {
            this.missing = notNegative(missing, "missing");
            return this;
        }

        /** See {@link PipelineMetrics#retried()}. */
        public Builder retried(long retried) {
            this.retried = notNegative(retried, "retried");
            return this;
        }

        /** See {@link PipelineMetrics#deadLettered()}. */
        public Builder deadLettered(long deadLettered) {
            this.deadLettered = notNegative(deadLettered, "deadLettered");
            return this;
        }

        /** See {@link PipelineMetrics#skipped()}. */
        public Builder skipped(long skipped) {
            this.skipped = notNegative(skipped, "skipped");
            return this;
        }

        /** See {@link PipelineMetrics#bulks()}. */
        public Builder bulks(long bulks) {
            this.bulks = notNegative(bulks, "bulks");
            return this;
        }

        /** See {@link PipelineMetrics#failedBulks()}. */
        public Builder failedBulks(long failedBulks) {
            this.failedBulks = notNegative(failedBulks, "failedBulks");
            return this;
        }

        /** See {@link PipelineMetrics#inDoubtBulks()}. */
        public Builder inDoubtBulks(long inDoubtBulks) {
            this.inDoubtBulks = notNegative(inDoubtBulks, "inDoubtBulks");
            return this;
        }

        /** See {@link PipelineMetrics#fencedWrites()}. */
        public Builder fencedWrites(long fencedWrites) {
            this.fencedWrites = notNegative(fencedWrites, "fencedWrites");
            return this;
        }

        /** See {@link PipelineMetrics#commits()}. */
        public Builder commits(long commits) {
            this.commits = notNegative(commits, "commits");
            return this;
        }

        /** See {@link PipelineMetrics#inFlightRequests()}. */
        public Builder inFlightRequests(int inFlightRequests) {
            this.inFlightRequests = notNegative(inFlightRequests, "inFlightRequests");
            return this;
        }

        /** See {@link PipelineMetrics#bufferedActions()}. */
        public Builder bufferedActions(long bufferedActions) {
            this.bufferedActions = notNegative(bufferedActions, "bufferedActions");
            return this;
        }

        /** See {@link PipelineMetrics#bufferedBytes()}. */
        public Builder bufferedBytes(long bufferedBytes) {
            this.bufferedBytes = notNegative(bufferedBytes, "bufferedBytes");
            return this;
        }

        /** See {@link PipelineMetrics#paused()}. */
        public Builder paused(boolean paused) {
            this.paused = paused;
            return this;
        }

        /** See {@link PipelineMetrics#pausedTime()}. */
        public Builder pausedTime(Duration pausedTime) {
            this.pausedTime = notNegativeTime(pausedTime, "pausedTime");
            return this;
        }

        /** See {@link PipelineMetrics#syncLatency()}. */
        public Builder syncLatency(Timing syncLatency) {
            this.syncLatency = Objects.requireNonNull(syncLatency, "syncLatency");
            return this;
        }

        /** See {@link PipelineMetrics#bulkDuration()}. */
        public Builder bulkDuration(Timing bulkDuration) {
            this.bulkDuration = Objects.requireNonNull(bulkDuration, "bulkDuration");
            return this;
        }

        /** See {@link PipelineMetrics#bulkActions()}. */
        public Builder bulkActions(Sizes bulkActions) {
            this.bulkActions = Objects.requireNonNull(bulkActions, "bulkActions");
            return this;
        }

        /** See {@link PipelineMetrics#bulkBytes()}. */
        public Builder bulkBytes(Sizes bulkBytes) {
            this.bulkBytes = Objects.requireNonNull(bulkBytes, "bulkBytes");
            return this;
        }

        /** See {@link PipelineMetrics#lag()}. */
        public Builder lag(Map<String, Long> lag) {
            Objects.requireNonNull(lag, "lag");
            lag.forEach((partition, records) -> {
                Objects.requireNonNull(partition, "lag partition");
                Objects.requireNonNull(records, "lag of " + partition);
                if (records < 0) {
                    throw new IllegalArgumentException("lag of " + partition + " must be >= 0: " + records);
                }
            });
            this.lag = Map.copyOf(lag);
            return this;
        }

        /** See {@link PipelineMetrics#heartbeatAge()}. */
        public Builder heartbeatAge(@Nullable Duration heartbeatAge) {
            this.heartbeatAge = heartbeatAge == null ? null : notNegativeTime(heartbeatAge, "heartbeatAge");
            return this;
        }

        /** The snapshot. */
        public PipelineMetrics build() {
            return new PipelineMetrics(this);
        }

        private static long notNegative(long value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0: " + value);
            }
            return value;
        }

        private static int notNegative(int value, String name) {
            return (int) notNegative((long) value, name);
        }
    }

    /**
     * A distribution of durations, reported like a Micrometer timer: {@code count} and
     * {@code total} since the pipeline started (for rates), {@code p50}, {@code p99} and
     * {@code max} over the last minute (between 60 and 75 seconds: five 15-second slices), so they
     * show the pipeline's state now, not its history; zero when nothing was recorded in that
     * window. Percentiles are at most 6.25% above the true value (log-linear buckets) and never
     * above {@code max}. Immutable.
     *
     * @param count values recorded since the start
     * @param total their sum
     * @param p50 the median over the last minute
     * @param p99 the 99th percentile over the last minute
     * @param max the largest value over the last minute
     */
    public record Timing(long count, Duration total, Duration p50, Duration p99, Duration max) {
        /** Nothing recorded. */
        public static final Timing EMPTY = new Timing(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        /**
         * @throws IllegalArgumentException naming the value if one is negative
         */
        public Timing {
            Builder.notNegative(count, "count");
            notNegativeTime(total, "total");
            notNegativeTime(p50, "p50");
            notNegativeTime(p99, "p99");
            notNegativeTime(max, "max");
        }
    }

    /**
     * A distribution of sizes (counts of actions, or bytes), reported like {@link Timing}:
     * {@code count} and {@code total} since the start, {@code p50}, {@code p99} and {@code max}
     * over the last minute (0 when nothing was recorded in it). Immutable.
     *
     * @param count values recorded since the start
     * @param total their sum
     * @param p50 the median over the last minute
     * @param p99 the 99th percentile over the last minute
     * @param max the largest value over the last minute
     */
    public record Sizes(long count, long total, long p50, long p99, long max) {
        /** Nothing recorded. */
        public static final Sizes EMPTY = new Sizes(0, 0, 0, 0, 0);

        /**
         * @throws IllegalArgumentException naming the value if one is negative
         */
        public Sizes {
            Builder.notNegative(count, "count");
            Builder.notNegative(total, "total");
            Builder.notNegative(p50, "p50");
            Builder.notNegative(p99, "p99");
            Builder.notNegative(max, "max");
        }
    }

    /** {@code d}, if not null and not negative. */
    static Duration notNegativeTime(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0: " + d);
        }
        return d;
    }
}
