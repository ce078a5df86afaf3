package dev.binlogsync.service;

import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.config.ResyncConfig;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.Resync;
import dev.binlogsync.kafka.KafkaGroupMembers;
import dev.binlogsync.kafka.KafkaSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import javax.annotation.Nullable;

/**
 * Runs the {@code resync} section of one running pipeline on its own daemon thread
 * ({@code binlog-sync-re-sync-<name>}), as {@link LoadRunner} describes: a {@link Resync} of the
 * section's alias into its new index, with the pipeline's {@link ShadowWriteSink} (the standard
 * factory wraps the pipeline's sink in one that restores the shadow from the state document when it
 * starts), the state and the load's checkpoints in the {@code backfill} section's
 * {@code checkpointIndex}, and the load's parameters from the {@code backfill} section. A run
 * continues the re-sync its state records (after a restart or a reload); a run that finds the alias
 * already at the new index with no state does nothing and says so ({@link BackfillStatus.Resync#alreadySwitched()}).
 * A failure counts in {@code binlogsync.resync.failures} ({@link ResyncMeters}). With a Kafka source
 * the run checks the consumer group before the load and before the switch
 * ({@link Resync.Builder#consumerGroup}): a member in another process (which this run does not
 * shadow) makes it fail, naming the member.
 *
 * <p>{@link #abort()} discards the unfinished re-sync (the supervisor calls it when a reload
 * removes the section, or changes its alias or new index, after the old pipeline drained).
 *
 * <p>Thread-safe: the supervisor starts and stops it, the endpoints read it.
 */
final class ResyncRunner extends LoadRunner {
    /** The shadow sink of each pipeline the standard factory built with a re-sync; weak: a closed pipeline goes. */
    private static final Map<SyncPipeline, ShadowWriteSink> SHADOWS = new WeakHashMap<>();
    /** The Kafka source of each such pipeline; guarded by {@link #SHADOWS}. */
    private static final Map<SyncPipeline, KafkaSource> SOURCES = new WeakHashMap<>();

    private final ResyncConfig resync;
    @Nullable private final ShadowWriteSink shadow;
    @Nullable private final KafkaSource source;
    private final ResyncMeters resyncMeters;
    // guarded by lock
    @Nullable private Resync running;
    private boolean loadStopped;

    ResyncRunner(String name, PipelineDefinition definition, SyncPipeline pipeline) {
        super("re-sync", name, definition, pipeline);
        this.resync = Objects.requireNonNull(definition.resync(), "the definition has no resync section");
        synchronized (SHADOWS) {
            this.shadow = SHADOWS.get(pipeline); // null: the run fails, saying why
            this.source = SOURCES.get(pipeline);
        }
        this.resyncMeters = new ResyncMeters(pipeline.name(), resync.alias());
    }

    /** Records the shadow sink the factory built {@code pipeline} with. */
    static void register(SyncPipeline pipeline, ShadowWriteSink shadow, @Nullable Source source) {
        synchronized (SHADOWS) {
            SHADOWS.put(pipeline, shadow);
            if (source instanceof KafkaSource kafka) {
                SOURCES.put(pipeline, kafka);
            }
        }
    }

    /** The {@code backfill} section's {@code runAtStart}: false holds the re-sync (the shadow its state records stays on). */
    @Override
    boolean runsAtStart() {
        return config.runAtStart();
    }

    /** The re-sync of the section, with {@code es} for its requests and load. */
    @Override
    void checkRunnable() {
        if (shadow == null) {
            throw new IllegalStateException("pipeline " + name + " has a resync section but its sink is no"
                    + " ShadowWriteSink (build the pipeline with PipelineFactory.standard())");
        }
    }

    private Resync build(ElasticsearchSink es, @Nullable KafkaGroupMembers group) {
        checkRunnable();
        Resync.Builder b = Resync.builder()
                .client(es)
                .alias(resync.alias())
                .newIndex(resync.newIndex())
                .stateIndex(config.checkpointIndex())
                .rules(definition.rules())
                .dataSource(dataSource())
                .sink(es)
                .shadowSinks(shadow)
                .backfill(definition.toResyncBackfillSettings().andThen(bf -> bf.listener(new Listener())))
                .deleteOldIndex(resync.deleteOldIndex());
        KafkaSource kafka = source;
        if (group != null && kafka != null) {
            b.consumerGroup(group, () -> kafka.memberId().map(Set::of).orElse(Set.of()));
        }
        String body = resync.newIndexBody();
        if (body != null) {
            b.newIndexBody(body);
        }
        return b.build();
    }

    @Override
    boolean load(ElasticsearchSink es) {
        try (KafkaGroupMembers group = source == null ? null : source.groupMembers()) {
            return load(es, group);
        }
    }

    private boolean load(ElasticsearchSink es, @Nullable KafkaGroupMembers group) {
        KafkaSource kafka = source;
        if (group != null && kafka != null) {
            awaitJoined(kafka);
        }
        Resync r = build(es, group);
        synchronized (lock) {
            if (loadStopped) {
                return false;
            }
            running = r;
        }
        log.info("pipeline {}: re-sync of {} into {} starting (or continuing from its state)", name, resync.alias(),
                resync.newIndex());
        boolean done = r.run();
        if (done) {
            resyncMeters.switched();
            if (r.foundFinished()) {
                log.info("pipeline {}: re-sync of {} into {}: the alias points at the new index already; nothing to do",
                        name, resync.alias(), resync.newIndex());
            }
        }
        return done;
    }

    /**
     * Waits (bounded by the source's max poll interval) until the pipeline's consumer has joined
     * its group: the group may list the member before the source learns its id, and the check
     * would then count the pipeline itself as a member it does not shadow.
     */
    private void awaitJoined(KafkaSource kafka) {
        long deadline = System.nanoTime() + kafka.maxPollInterval().orElse(Duration.ofMinutes(5)).toNanos();
        while (kafka.memberId().isEmpty() && System.nanoTime() - deadline < 0) {
            synchronized (lock) {
                if (loadStopped) {
                    return;
                }
            }
            try {
                Thread.sleep(100); // the source records its id on the pipeline thread; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    void stopLoad() {
        synchronized (lock) {
            loadStopped = true;
            if (running != null) {
                running.stop();
            }
        }
    }

    @Override
    void countFailure(String table) {
        resyncMeters.failed();
    }

    /**
     * Discards the re-sync the state records, if it is unfinished ({@link Resync#abort()}), on the
     * caller's thread, with a sink of its own; after {@link #stop} and after the pipeline drained.
     * A failure is logged, not thrown: the state then stays, and a later run into another new
     * index is refused until it is aborted.
     */
    void abort() {
        if (status().state() == BackfillStatus.State.DONE) {
            return;
        }
        ElasticsearchSink es = null;
        try {
            if (!(definition.createSink() instanceof ElasticsearchSink made)) {
                throw new IllegalStateException("the sink is no ElasticsearchSink");
            }
            es = made;
            es.start();
            boolean discarded = build(es, null).abort();
            log.info("pipeline {}: re-sync of {} into {} {}", name, resync.alias(), resync.newIndex(),
                    discarded ? "aborted: the new index and the state are deleted (or it had switched and is finished)"
                            : "had nothing to abort");
        } catch (RuntimeException e) {
            log.error("pipeline {}: aborting the re-sync of {} into {} failed; its state stays: {}", name,
                    resync.alias(), resync.newIndex(), dev.binlogsync.core.Secrets.describe(e));
        } finally {
            if (es != null) {
                es.close();
            }
        }
    }

    /** Whether {@code next} (null: the pipeline is gone) still re-syncs this alias into this new index. */
    boolean continuedBy(@Nullable PipelineDefinition next) {
        ResyncConfig n = next == null ? null : next.resync();
        return n != null && n.alias().equals(resync.alias()) && n.newIndex().equals(resync.newIndex());
    }

    @Override
    public void bindMeters(MeterRegistry registry) {
        meters.bindTo(registry);
        resyncMeters.bindTo(registry);
    }

    @Override
    public BackfillStatus status() {
        Resync r;
        synchronized (lock) {
            r = running;
        }
        Resync.Phase phase = r == null ? null : r.phase();
        return baseStatus(new BackfillStatus.Resync(resync.alias(), resync.newIndex(),
                phase == null ? null : phase.name(), r != null && r.foundFinished(), resync.deleteOldIndex()));
    }
}
