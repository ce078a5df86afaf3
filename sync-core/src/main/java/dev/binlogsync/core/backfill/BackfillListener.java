package dev.binlogsync.core.backfill;

/**
 * Hears a {@link Backfill}'s progress. Called on the backfill's thread, so it must return quickly;
 * an exception it throws is logged and ignored. Every method has an empty default.
 */
public interface BackfillListener {

    /**
     * {@link Backfill#run()} loads {@code tables} ({@code database.table}, in order; a pattern's as
     * it listed them from {@code information_schema} at its start), once their rules were checked,
     * before the first table starts. The list to log: {@link Backfill#tables()} called before the
     * run lists the patterns' tables on its own, and may see others.
     */
    default void tablesResolved(java.util.List<String> tables) {
    }

    /** A table's backfill starts (or resumes from {@code checkpoint}). */
    default void tableStarted(String table, Checkpoint checkpoint) {
    }

    /**
     * A chunk is done: its creates were acknowledged and it was verified. Its upper key is saved in
     * the checkpoint with the next chunk's pending save (or at a stop or the end), so a crash right
     * after this call makes the next run verify and read this chunk again.
     */
    default void chunkDone(BackfillProgress progress) {
    }

    /** Every chunk of {@code table} is done. */
    default void tableFinished(BackfillProgress progress) {
    }
}
