package dev.binlogsync.service;

import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.elasticsearch.ElasticsearchCheckpointStore;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import javax.annotation.Nullable;

/**
 * Runs the {@code backfill} section of one running pipeline on its own daemon thread
 * ({@code binlog-sync-backfill-<name>}), as {@link LoadRunner} describes: its own
 * {@link ElasticsearchSink} made from the pipeline's {@code sink} settings, a
 * {@link JdbcUrlDataSource} from {@code jdbc}, and an {@link ElasticsearchCheckpointStore} in
 * {@code checkpointIndex}, so a new run resumes after the last chunk done. Unless
 * {@code yieldToStream} is false, the backfill yields to the pipeline it runs beside
 * ({@link Backfill.Builder#yieldTo(SyncPipeline, java.time.Duration)} with {@code maxStreamLatency},
 * default {@link Backfill#DEFAULT_MAX_STREAM_LATENCY}, 5 s): before each chunk it waits, at most {@code maxYield}, while the pipeline's sync
 * latency is above it. A failure counts in the table's {@code binlogsync.backfill.failures}.
 *
 * <p>Thread-safe: the supervisor starts and stops it, the endpoints read it.
 */
final class BackfillRunner extends LoadRunner {

    // guarded by lock
    @Nullable private Backfill backfill;
    private boolean loadStopped;

    BackfillRunner(String name, PipelineDefinition definition, SyncPipeline pipeline) {
        super("backfill", name, definition, pipeline);
    }

    @Override
    boolean runsAtStart() {
        return config.runAtStart();
    }

    @Override
    boolean load(ElasticsearchSink es) {
        Backfill.Builder builder = definition.toBackfillBuilder(dataSource(), es)
                .checkpointStore(ElasticsearchCheckpointStore.of(es, config.checkpointIndex()))
                .listener(new Listener());
        if (config.yieldToStream()) {
            // the stream shares the cluster: the backfill gives way while the stream is behind
            builder.yieldTo(pipeline, config.maxStreamLatency());
        }
        Backfill b = builder.build();
        synchronized (lock) {
            if (loadStopped) {
                return false;
            }
            backfill = b;
        }
        // the tables are logged once the run has listed them (Listener.tablesResolved): Backfill.tables()
        // now would list a pattern's tables a second time, and could see others than the run loads
        log.info("pipeline {}: backfill starting{}", name, config.yieldToStream()
                ? ", yielding to the stream while its sync latency is above " + config.maxStreamLatency().toMillis() + " ms"
                : "");
        return b.run();
    }

    @Override
    void stopLoad() {
        synchronized (lock) {
            loadStopped = true;
            if (backfill != null) {
                backfill.stop();
            }
        }
    }

    @Override
    void countFailure(String table) {
        meters.failed(table);
    }

    @Override
    public BackfillStatus status() {
        return baseStatus(null);
    }
}
