package dev.binlogsync.service;

import java.time.Instant;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The service as {@code /status} shows it beside its pipelines ({@link PipelineRegistry#serviceStatus()}):
 * an immutable value without secrets.
 *
 * @param configSource where the configuration is read ({@link ConfigSource#describe()}: a file's
 *     path, a variable's name, a URL cut to scheme, host, port and path)
 * @param lastReloadAt when the configuration was last read with a result other than "unchanged"
 *     (the first read at start included), or read unchanged again after a failed read; null before
 *     the start
 * @param lastReloadResult that read's outcome ({@link BinlogSyncService.PollResult}: {@code APPLIED},
 *     {@code REFUSED}, {@code UNREADABLE}, or {@code UNCHANGED} when the source became readable
 *     again with the same document); null before the start
 * @param lastReload what the last applied configuration changed; null before the start
 * @param lastReloadError why the last configuration offered was refused or could not be read; null
 *     when the last one was applied
 * @param lastReloadErrorAt when that was; null with {@code lastReloadError}
 * @param appliedConfigurations how many configurations were applied, the first one included
 */
public record ServiceStatus(String configSource, @Nullable Instant lastReloadAt,
        @Nullable BinlogSyncService.PollResult lastReloadResult, @Nullable PipelineSupervisor.Reload lastReload,
        @Nullable String lastReloadError, @Nullable Instant lastReloadErrorAt, long appliedConfigurations) {

    /** Checks the source is given. */
    public ServiceStatus {
        Objects.requireNonNull(configSource, "configSource");
    }
}
