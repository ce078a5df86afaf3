package dev.binlogsync.core.internal;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncClock;
import java.time.Duration;
import javax.annotation.Nullable;

/** The validated settings of one pipeline, built by {@code SyncPipeline.Builder}. */
public record PipelineConfig(
        Source source,
        RuleSet ruleSet,
        BulkSink sink,
        @Nullable DeadLetterSink deadLetterSink,
        FailurePolicy onDecodeFailure,
        FailurePolicy onRejected,
        int maxBulkActions,
        long maxBulkSize,
        Duration flushInterval,
        int maxInFlightRequests,
        int lanes,
        int maxBufferedActions,
        long maxBufferedBytes,
        Duration retryInitial,
        Duration retryMax,
        int maxRetries,
        Duration commitInterval,
        Duration pollTimeout,
        Duration drainTimeout,
        SyncClock clock,
        String threadName,
        PipelineListener listener,
        Duration summaryInterval,
        Duration stalledAfter,
        Duration sinkUnreachableAfter) {
}
