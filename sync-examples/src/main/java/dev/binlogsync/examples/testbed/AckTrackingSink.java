package dev.binlogsync.examples.testbed;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A {@link BulkSink} decorator that counts acknowledged actions and records, for each acknowledged
 * document carrying a numeric write-time field (epoch ms, set by the workload when it wrote the
 * row), the latency from that write to the sink's acknowledgement: MySQL commit, binlog, relay,
 * Kafka, pipeline, Elasticsearch, all included.
 *
 * <p>Latencies go into a bounded ring (the last 1,048,576), from which {@link #percentiles} reads.
 * Thread-safe: completions may arrive on any thread.
 */
public final class AckTrackingSink implements BulkSink {

    private static final int RING = 1 << 20;

    private final BulkSink delegate;
    private final String timeField;
    private final LongSupplier clock;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failedItems = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final long[] ring = new long[RING];
    private long written;

    /**
     * @param delegate the real sink
     * @param timeField the document field holding the row's write time in epoch ms
     * @param clock the current time in epoch ms
     */
    public AckTrackingSink(BulkSink delegate, String timeField, LongSupplier clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timeField = Objects.requireNonNull(timeField, "timeField");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
        return delegate.execute(actions).whenComplete((results, error) -> {
            if (error != null) {
                failedRequests.incrementAndGet();
                return;
            }
            long now = clock.getAsLong();
            for (int i = 0; i < results.size() && i < actions.size(); i++) {
                if (!results.get(i).isDone()) {
                    failedItems.incrementAndGet();
                    continue;
                }
                acked.incrementAndGet();
                Map<String, Object> doc = actions.get(i).document();
                Object t = doc == null ? null : doc.get(timeField);
                if (t instanceof Number) {
                    record(now - ((Number) t).longValue());
                }
            }
        });
    }

    private synchronized void record(long latencyMillis) {
        ring[(int) (written++ % RING)] = Math.max(0, latencyMillis);
    }

    /** Actions acknowledged as done (success or stale). */
    public long acked() {
        return acked.get();
    }

    /** Item results that were not done (retryable or permanent). */
    public long failedItems() {
        return failedItems.get();
    }

    /** Bulk requests that failed as a whole. */
    public long failedRequests() {
        return failedRequests.get();
    }

    /** How many latencies were recorded so far. */
    public synchronized long samples() {
        return written;
    }

    /**
     * Latency percentiles in ms over the samples recorded since {@code fromSample} (see {@link
     * #samples()}), at most the last 1,048,576.
     *
     * @param fromSample the first sample to include
     * @param percentiles e.g. 50, 99
     * @return one value per percentile, or an empty array when there are no samples
     */
    public long[] percentiles(long fromSample, double... percentiles) {
        return percentilesBetween(fromSample, Long.MAX_VALUE, percentiles);
    }

    /**
     * As {@link #percentiles}, over the samples from {@code fromSample} up to, not including,
     * {@code toSample}.
     */
    public long[] percentilesBetween(long fromSample, long toSample, double... percentiles) {
        long[] copy;
        synchronized (this) {
            long from = Math.max(fromSample, Math.max(0, written - RING));
            int n = (int) (Math.min(written, toSample) - from);
            if (n <= 0) {
                return new long[0];
            }
            copy = new long[n];
            for (int i = 0; i < n; i++) {
                copy[i] = ring[(int) ((from + i) % RING)];
            }
        }
        Arrays.sort(copy);
        long[] out = new long[percentiles.length];
        for (int i = 0; i < percentiles.length; i++) {
            int idx = (int) Math.ceil(percentiles[i] / 100.0 * copy.length) - 1;
            out[i] = copy[Math.min(copy.length - 1, Math.max(0, idx))];
        }
        return out;
    }

    @Override
    public java.time.Duration lateWriteFence() {
        return delegate.lateWriteFence();
    }

    @Override
    public boolean replacesObjectFields() {
        return delegate.replacesObjectFields();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
