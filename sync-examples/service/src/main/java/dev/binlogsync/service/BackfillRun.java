package dev.binlogsync.service;

import dev.binlogsync.core.micrometer.BackfillMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The backfill the service runs beside a pipeline whose definition has a {@code backfill} section,
 * or the re-sync when it also has a {@code resync} section ({@link PipelineRegistry#backfills()}).
 * Thread-safe.
 */
public interface BackfillRun {

    /** Its state and progress now. */
    BackfillStatus status();

    /** Its meters (tags {@code pipeline}, {@code table}), to bind to the registry {@code /metrics} renders. */
    BackfillMeterBinder meters();

    /**
     * Binds every meter of the run (its {@link #meters()} and, for a re-sync, its own), each tagged
     * {@code pipeline}, to {@code registry}.
     */
    default void bindMeters(MeterRegistry registry) {
        meters().bindTo(registry);
    }
}
