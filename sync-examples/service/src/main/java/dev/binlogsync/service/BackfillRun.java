package dev.binlogsync.service;

import dev.binlogsync.core.micrometer.BackfillMeterBinder;

/**
 * The backfill the service runs beside a pipeline whose definition has a {@code backfill} section
 * ({@link PipelineRegistry#backfills()}). Thread-safe.
 */
public interface BackfillRun {

    /** Its state and progress now. */
    BackfillStatus status();

    /** Its meters (tags {@code pipeline}, {@code table}), to bind to the registry {@code /metrics} renders. */
    BackfillMeterBinder meters();
}
