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

    /** The counters with the gauges of the moment; timings, sizes, lag and heartbeat are left empty (see Monitor). */
    PipelineMetrics snapshot(long coalesced, int inFlightRequests, long bufferedActions, long bufferedBytes,
            boolean paused, Duration pausedTime) {
        return PipelineMetrics.builder()
                .records(records).events(events)
                .indexActions(indexActions).upsertActions(upsertActions).deleteActions(deleteActions)
                .updateActions(updateActions).coalesced(coalesced)
                .stale(stale).missing(missing).retried(retried).deadLettered(deadLettered).skipped(skipped)
                .bulks(bulks).failedBulks(failedBulks).inDoubtBulks(inDoubtBulks).fencedWrites(fencedWrites)
                .commits(commits).inFlightRequests(inFlightRequests)
                .bufferedActions(bufferedActions).bufferedBytes(bufferedBytes)
                .paused(paused).pausedTime(pausedTime)
                .build();
    }
}
