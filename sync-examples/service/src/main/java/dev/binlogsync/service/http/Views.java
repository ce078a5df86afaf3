package dev.binlogsync.service.http;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertEvent;
import dev.binlogsync.service.BackfillStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;

/**
 * The JSON bodies of {@code /health} and {@code /status}, as maps of plain values (strings,
 * numbers, booleans, lists, maps, null) in a stable order. Every free text a pipeline reports
 * (health reasons, error messages, alert values) goes through {@link Secrets#redact(CharSequence)} (URLs cut to scheme and host, secret-named values masked).
 */
final class Views {
    /** The reason {@code /health} gives when the registry runs no pipeline. */
    static final String NO_PIPELINE = "no pipeline is running";

    private Views() {
    }

    /** A health reading: whether the whole service is up, and the body. */
    record Health(boolean up, Map<String, Object> body) {
    }

    /**
     * The service is UP when at least one pipeline runs and every pipeline is
     * {@link PipelineHealth.Status#HEALTHY}; DOWN otherwise, with the reason per pipeline.
     */
    static Health health(Map<String, SyncPipeline> pipelines) {
        return health(pipelines, Map.of());
    }

    /**
     * As {@link #health(Map)}; a pipeline whose backfill failed is DOWN too (reason
     * {@code backfill failed: ...}), though it keeps streaming: its index lacks rows until a new run;
     * so is one whose re-sync failed (reason {@code re-sync of <alias> failed: ...}; the alias keeps
     * pointing at the old index, which the stream keeps current).
     */
    static Health health(Map<String, SyncPipeline> pipelines, Map<String, BackfillStatus> backfills) {
        Map<String, Object> perPipeline = new LinkedHashMap<>();
        boolean allHealthy = true;
        for (Map.Entry<String, SyncPipeline> e : new TreeMap<>(pipelines).entrySet()) {
            PipelineHealth h = e.getValue().health();
            allHealthy &= h.isHealthy();
            Map<String, Object> entry = healthOf(h);
            BackfillStatus b = backfills.get(e.getKey());
            if (b != null) {
                Map<String, Object> bf = new LinkedHashMap<>();
                bf.put("state", b.state().name());
                if (b.resync() != null) {
                    bf.put("resync", b.resync().step());
                }
                if (b.state() == BackfillStatus.State.FAILED) {
                    allHealthy = false;
                    bf.put("reason", (b.resync() != null ? "re-sync of " + b.resync().alias() + " failed: "
                            : "backfill failed: ") + Secrets.redact(String.valueOf(b.error())));
                }
                entry.put("backfill", bf);
            }
            perPipeline.put(e.getKey(), entry);
        }
        boolean up = allHealthy && !pipelines.isEmpty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        if (pipelines.isEmpty()) {
            body.put("reason", NO_PIPELINE);
        }
        body.put("pipelines", perPipeline);
        return new Health(up, body);
    }

    private static Map<String, Object> healthOf(PipelineHealth h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", h.status().name());
        m.put("healthy", h.isHealthy());
        m.put("reason", Secrets.redact(h.reason()));
        return m;
    }

    /** What {@code /status} shows of one pipeline. */
    static Map<String, Object> status(String name, SyncPipeline p, List<AlertEvent> firing) {
        return status(name, p, firing, null);
    }

    /** What {@code /status} shows of one pipeline and its backfill (null when it has none). */
    static Map<String, Object> status(String name, SyncPipeline p, List<AlertEvent> firing,
            @Nullable BackfillStatus backfill) {
        PipelineMetrics m = p.metrics();
        PipelineHealth h = p.health();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        if (!name.equals(p.name())) {
            s.put("pipeline", p.name()); // the name the meters' pipeline tag and the alerts carry
        }
        s.put("state", p.state().name());
        s.put("health", healthOf(h));

        Map<String, Object> lag = new LinkedHashMap<>();
        lag.put("total", m.lag().isEmpty() ? null : m.totalLag());
        lag.put("partitions", new TreeMap<>(m.lag()));
        s.put("lag", lag);

        s.put("syncLatencyMillis", timing(m.syncLatency()));
        s.put("bulkDurationMillis", timing(m.bulkDuration()));

        Map<String, Object> buffered = new LinkedHashMap<>();
        buffered.put("actions", m.bufferedActions());
        buffered.put("bytes", m.bufferedBytes());
        s.put("buffered", buffered);
        s.put("inFlightRequests", m.inFlightRequests());
        s.put("paused", m.paused());
        s.put("heartbeatAgeMillis", m.heartbeatAge() == null ? null : m.heartbeatAge().toMillis());

        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("records", m.records());
        counts.put("events", m.events());
        counts.put("actions", m.actions());
        counts.put("bulks", m.bulks());
        counts.put("failedBulks", m.failedBulks());
        counts.put("retried", m.retried());
        counts.put("deadLettered", m.deadLettered());
        counts.put("skipped", m.skipped());
        counts.put("commits", m.commits());
        s.put("counts", counts);

        Throwable error = p.failure() != null ? p.failure() : h.cause();
        s.put("lastError", error == null ? null : message(error));

        List<Object> alerts = new ArrayList<>(firing.size());
        for (AlertEvent e : firing) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("condition", e.condition().name());
            a.put("observed", Secrets.redact(e.observed()));
            a.put("bound", e.bound());
            a.put("since", e.since().toString());
            alerts.add(a);
        }
        s.put("alerts", alerts);
        if (backfill != null) {
            s.put("backfill", backfill(backfill));
        }
        return s;
    }

    private static Map<String, Object> backfill(BackfillStatus b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", b.state().name());
        m.put("error", b.error() == null ? null : Secrets.redact(b.error()));
        m.put("startedAt", b.startedAt() == null ? null : b.startedAt().toString());
        m.put("endedAt", b.endedAt() == null ? null : b.endedAt().toString());
        BackfillStatus.Resync r = b.resync();
        if (r != null) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("alias", r.alias());
            rm.put("newIndex", r.newIndex());
            rm.put("step", r.step());
            rm.put("alreadySwitched", r.alreadySwitched());
            rm.put("deleteOldIndex", r.deleteOldIndex());
            m.put("resync", rm);
        }
        Map<String, Object> tables = new LinkedHashMap<>();
        for (BackfillStatus.Table t : b.tables()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("rowsDone", t.rowsDone());
            tm.put("rowsPerSecond", t.rowsPerSecond());
            tm.put("estimatedRowsLeft", t.estimatedRowsLeft());
            tm.put("created", t.created());
            tm.put("existed", t.existed());
            tm.put("removed", t.removed());
            tm.put("chunks", t.chunks());
            tm.put("finished", t.finished());
            tables.put(t.table(), tm);
        }
        m.put("tables", tables);
        return m;
    }

    private static Map<String, Object> timing(PipelineMetrics.Timing t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", millis(t.p50()));
        m.put("p99", millis(t.p99()));
        m.put("max", millis(t.max()));
        m.put("count", t.count());
        return m;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** An error's message without secrets; its class name when it has none. */
    static String message(Throwable t) {
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getName() : Secrets.redact(msg);
    }

    /** For log lines about an exception: its class and its message without secrets. */
    static String describe(Throwable t) {
        return Secrets.describe(t);
    }
}
