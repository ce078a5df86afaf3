package dev.binlogsync.service;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A pipeline's backfill, or re-sync, as {@code /status} and {@code /health} show it: an immutable
 * value without secrets.
 *
 * @param state where the run is
 * @param error why it failed (secrets and URLs cleaned by {@link dev.binlogsync.core.Secrets#redact});
 *     null unless {@link State#FAILED}
 * @param startedAt when the run started; null when it is {@link State#NOT_STARTED}
 * @param endedAt when it ended (done, stopped or failed); null while it runs
 * @param tables the tables seen so far, in name order
 * @param resync the re-sync's own part when the run is a re-sync ({@code resync} section); null for a backfill
 */
public record BackfillStatus(State state, @Nullable String error, @Nullable Instant startedAt,
        @Nullable Instant endedAt, List<Table> tables, @Nullable Resync resync) {

    /** Copies the list. */
    public BackfillStatus {
        Objects.requireNonNull(state, "state");
        tables = List.copyOf(tables);
    }

    /** A backfill's status (no re-sync part). */
    public BackfillStatus(State state, @Nullable String error, @Nullable Instant startedAt,
            @Nullable Instant endedAt, List<Table> tables) {
        this(state, error, startedAt, endedAt, tables, null);
    }

    /**
     * What a re-sync adds to its status.
     *
     * @param alias the alias re-synced
     * @param newIndex the index it loads and switches the alias to
     * @param step the step its state document records ({@code PREPARING}, {@code SHADOWING},
     *     {@code SWITCHED}, {@code ABORTING}); null before the run read it
     * @param alreadySwitched whether the run found the alias already pointing at the new index with
     *     no re-sync recorded: a re-sync finished before, nothing was done
     * @param deleteOldIndex whether the old index is deleted after the switch
     */
    public record Resync(String alias, String newIndex, @Nullable String step, boolean alreadySwitched,
            boolean deleteOldIndex) {
        /** Checks the names. */
        public Resync {
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(newIndex, "newIndex");
        }
    }

    /** Where a backfill run is. */
    public enum State {
        /** The section sets {@code runAtStart: false}: the service does not run it. */
        NOT_STARTED,
        /** Loading. */
        RUNNING,
        /** Every table is loaded (for a re-sync: the alias points at the new index and the cleanup is done). */
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
