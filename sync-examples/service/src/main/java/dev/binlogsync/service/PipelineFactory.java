package dev.binlogsync.service;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.config.ResyncConfig;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.Resync;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds (but does not start) the pipeline of one entry of the {@code pipelines} section. The
 * {@link PipelineSupervisor} builds every new or changed pipeline before it stops any running one,
 * so a factory must not do anything visible outside the process: creating clients is fine,
 * connecting to a consumer group is not (the shipped Kafka source joins its group only when the
 * pipeline starts).
 *
 * <p>Called on the thread that applies a configuration, one call at a time.
 */
@FunctionalInterface
public interface PipelineFactory {

    /**
     * The pipeline for {@code definition}, not started.
     *
     * @param name the entry's name in {@code pipelines}
     * @throws ConfigException or {@link IllegalStateException} when the definition cannot be built;
     *     anything created before the failure is closed
     */
    SyncPipeline create(String name, PipelineDefinition definition);

    /**
     * The factory the service uses: the source, sink and dead-letter sink through their
     * providers ({@code source} and {@code sink} sections required), the rules and settings of the
     * definition, and the entry's name as the pipeline's name ({@link SyncPipeline#name()}, the
     * {@code pipeline} tag of its meters): a {@code settings.threadName} other than the entry's name
     * is a {@link ConfigException} at {@code settings.threadName}, raised before anything is
     * created. With a {@code resync} section the sink (which must be {@code elasticsearch}) is
     * wrapped in a {@link ShadowWriteSink} that restores, when the pipeline starts, the shadow the
     * re-sync's state document records (in the {@code backfill} section's {@code checkpointIndex}),
     * so a restarted or replaced pipeline copies its writes into the new index before its first
     * write; the {@code backfill} section then needs {@code jdbc.url}. A builder's rejection
     * ({@code drainTimeout} not below the source's max poll interval, a {@code dead_letter} policy
     * without a {@code deadLetter} section) is a {@link ConfigException} at {@code settings}, and
     * the components made are closed.
     */
    static PipelineFactory standard() {
        return (name, definition) -> {
            String threadName = definition.settings().threadName();
            if (threadName != null && !threadName.equals(name)) {
                throw new ConfigException("settings.threadName", "must be left out or be the pipeline's name '" + name
                        + "', not '" + threadName + "': the name tags its metrics, status and alerts");
            }
            ResyncConfig resync = definition.resync();
            if (resync != null && Objects.requireNonNull(definition.backfill()).jdbcUrl() == null) {
                throw new ConfigException("backfill.jdbc.url", "is required: the service's re-sync reads MySQL through it");
            }
            List<AutoCloseable> made = new ArrayList<>();
            try {
                Source source = definition.createSource();
                made.add(source);
                BulkSink sink = definition.createSink();
                made.add(sink);
                ShadowWriteSink shadow = null;
                if (resync != null) {
                    if (!(sink instanceof ElasticsearchSink es)) {
                        throw new ConfigException("resync", "needs the elasticsearch sink, not "
                                + sink.getClass().getSimpleName());
                    }
                    shadow = ShadowWriteSink.wrap(es, Resync.shadowsToRestore(es,
                            Objects.requireNonNull(definition.backfill()).checkpointIndex(), resync.alias()));
                    sink = shadow;
                }
                SyncPipeline.Builder b = SyncPipeline.builder()
                        .ruleSet(definition.rules())
                        .settings(definition.settings())
                        .source(source)
                        .sink(sink);
                if (definition.deadLetter() != null) {
                    DeadLetterSink deadLetter = definition.createDeadLetterSink();
                    made.add(deadLetter);
                    b.deadLetterSink(deadLetter);
                }
                b.threadName(name);
                try {
                    SyncPipeline pipeline = b.build();
                    if (shadow != null) {
                        ResyncRunner.register(pipeline, shadow, source);
                    }
                    return pipeline;
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new ConfigException("settings", String.valueOf(e.getMessage()), e);
                }
            } catch (RuntimeException | Error e) {
                for (int i = made.size() - 1; i >= 0; i--) {
                    try {
                        made.get(i).close();
                    } catch (Exception | LinkageError suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        };
    }
}
