package dev.binlogsync.service;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A pipeline's backfill as {@code /status} and {@code /health} show it: an immutable value without
 * secrets.
 *
 * @param state where the run is
 * @param error why it failed (secrets and URLs cleaned by {@link dev.binlogsync.core.Secrets#redact});
 *     null unless {@link State#FAILED}
 * @param startedAt when the run started; null when it is {@link State#NOT_STARTED}
 * @param endedAt when it ended (done, stopped or failed); null while it runs
 * @param tables the tables seen so far, in name order
 */
public record BackfillStatus(State state, @Nullable String error, @Nullable Instant startedAt,
        @Nullable Instant endedAt, List<Table> tables) {

    /** Copies the list. */
    public BackfillStatus {
        Objects.requireNonNull(state, "state");
        tables = List.copyOf(tables);
    }

    /** Where a backfill run is. */
    public enum State {
        /** The section sets {@code runAtStart: false}: the service does not run it. */
        NOT_STARTED,
        /** Loading. */
        RUNNING,
        /** Every table is loaded. */
        DONE,
        /** Stopped after its chunk by a reload or the shutdown; the next run resumes from the checkpoints. */
        STOPPED,
        /** Failed ({@code error}); the stream keeps running, the next run (a reload that changes the section, a restart) resumes. */
        FAILED
    }

    /**
     * One table's progress in this run.
     *
     * @param table {@code database.table}
     * @param rowsDone rows read in done chunks
     * @param rowsPerSecond rows done per second of the table's run
     * @param estimatedRowsLeft rows still to read, estimated; null when unknown
     * @param created documents created
     * @param existed creates that found the stream's copy (kept)
     * @param removed snapshot copies of rows deleted meanwhile, removed by the verification
     * @param chunks chunks done
     * @param finished whether every chunk of the table is done
     */
    public record Table(String table, long rowsDone, double rowsPerSecond, @Nullable Long estimatedRowsLeft,
            long created, long existed, long removed, long chunks, boolean finished) {
    }
}
