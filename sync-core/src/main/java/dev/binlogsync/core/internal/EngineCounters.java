package dev.binlogsync.core.internal;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.PipelineMetrics;
import java.time.Duration;

/**
 * The engine's running totals, and the one place a {@link PipelineMetrics} snapshot is built from
 * them (the gauges of the moment are passed in). Written by the pipeline thread only; the snapshot
 * it builds is published through a volatile field for other threads.
 */
final class EngineCounters {
    private long records;
    private long events;
    private long indexActions;
    private long upsertActions;
    private long deleteActions;
    private long updateActions;
    private long stale;
    private long missing;
    private long retried;
    private long deadLettered;
    private long skipped;
    private long bulks;
    private long failedBulks;
    private long inDoubtBulks;
    private long fencedWrites;
    private long commits;

    void record() {
        records++;
    }

    void event() {
        events++;
    }

    /** One action the rule set produced. */
    void action(ActionType type) {
        switch (type) {
            case INDEX: indexActions++; break;
            case UPSERT: upsertActions++; break;
            case UPDATE: updateActions++; break;
            default: deleteActions++; break;
        }
    }

    void stale() {
        stale++;
    }

    void missing() {
        missing++;
    }

    void retried(int actions) {
        retried += actions;
    }

    void deadLettered() {
        deadLettered++;
    }

    void skipped() {
        skipped++;
    }

    void bulk() {
        bulks++;
    }

    void failedBulk() {
        failedBulks++;
    }

    /** A bulk request failed in doubt (also counted by {@link #failedBulk()}). */
    void inDoubtBulk() {
        inDoubtBulks++;
    }

    /** A fence held back a write of its document for the first time. */
    void fencedWrite() {
        fencedWrites++;
    }

    void commit() {
        commits++;
    }

    /**
     * The counters with the gauges of the moment; timings, sizes, lag and heartbeat are left empty
     * (see Monitor). A negative value (a user's {@code SyncClock} that went back gives a negative
     * {@code pausedTime}) shows as 0: {@link PipelineMetrics.Builder} refuses it, and a metric must
     * not fail the pipeline thread that publishes it.
     */
    PipelineMetrics snapshot(long coalesced, int inFlightRequests, long bufferedActions, long bufferedBytes,
            boolean paused, Duration pausedTime) {
        return PipelineMetrics.builder()
                .records(atLeast0(records)).events(atLeast0(events))
                .indexActions(atLeast0(indexActions)).upsertActions(atLeast0(upsertActions))
                .deleteActions(atLeast0(deleteActions)).updateActions(atLeast0(updateActions))
                .coalesced(atLeast0(coalesced))
                .stale(atLeast0(stale)).missing(atLeast0(missing)).retried(atLeast0(retried))
                .deadLettered(atLeast0(deadLettered)).skipped(atLeast0(skipped))
                .bulks(atLeast0(bulks)).failedBulks(atLeast0(failedBulks)).inDoubtBulks(atLeast0(inDoubtBulks))
                .fencedWrites(atLeast0(fencedWrites)).commits(atLeast0(commits))
                .inFlightRequests(Math.max(0, inFlightRequests))
                .bufferedActions(atLeast0(bufferedActions)).bufferedBytes(atLeast0(bufferedBytes))
                .paused(paused).pausedTime(pausedTime.isNegative() ? Duration.ZERO : pausedTime)
                .build();
    }

    private static long atLeast0(long value) {
        return Math.max(0, value);
    }
}
