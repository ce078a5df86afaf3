package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-syncs the index behind an alias without downtime: loads a fresh index while the stream keeps
 * the old one current, switches the alias atomically, and the stream goes on writing into the new
 * index. For a mapping change, or a suspected drift. See {@code docs/backfill.md}, "Re-sync".
 *
 * <pre>{@code
 * ShadowWriteSink shadowing = ShadowWriteSink.wrap(elasticsearchSink,
 *         Resync.shadowsToRestore(client, "binlog-sync-backfill", "items"));
 * SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(shadowing).build();
 * pipeline.start();
 * ...
 * Resync resync = Resync.builder()
 *     .client(client).alias("items").newIndex("items-v2")
 *     .newIndexBody("{\"mappings\":{\"properties\":{\"name\":{\"type\":\"keyword\"}}}}")
 *     .rules(rules).dataSource(dataSource).sink(backfillSink)   // backfillSink: a started ElasticsearchSink
 *     .shadowSinks(shadowing)
 *     .backfill(b -> b.chunkSize(1000).maxRowsPerSecond(5_000))
 *     .deleteOldIndex(true)
 *     .build();
 * boolean done = resync.run();   // blocks; false when stop() came first (a new Resync continues it)
 * }</pre>
 *
 * <p><b>What {@link #run()} does</b>, each step recorded in a state document ({@code resync:<alias>}
 * in the state index, default {@code binlog-sync-backfill}) before it takes effect:
 * <ol>
 *   <li>{@code PREPARING}: resolves the alias to its one index (the old index), saves the state,
 *       creates the new index with the given body (default: the old index's mappings, shard and
 *       replica counts and analysis);</li>
 *   <li>{@code SHADOWING}: saves the state, turns on the shadow in every {@link ShadowWriteSink}
 *       given (the pipeline's writes to the alias are also written to the new index), waits until
 *       the requests sent without the shadow have completed, then runs a {@link Backfill} of the
 *       alias's tables into the new index (its checkpoints under a name of this re-sync's own);</li>
 *   <li>saves the state again (conditionally: an {@link #abort()} begun meanwhile fails the run
 *       here), switches the alias in one {@code POST _aliases} (remove the old index, add the new one as
 *       the write index), then saves {@code SWITCHED}. When the "alias" is a concrete index (which
 *       needs {@link Builder#deleteOldIndex deleteOldIndex(true)}), the same request adds the alias
 *       to the new index and removes the old index ({@code remove_index}), while every shadow sink
 *       {@linkplain ShadowWriteSink#hold() holds} the pipelines' requests and none is in flight: no
 *       write meets the index's removal;</li>
 *   <li>stops the shadows, deletes the old index when asked (after the requests sent before have
 *       completed), and deletes the state.</li>
 * </ol>
 * A run stopped or failed at any point is continued by the next {@link #run()} with the same alias
 * and new index; {@link #abort()} discards an unfinished one. Only the alias's rules are loaded
 * (rules whose index is exactly the alias, {@code Backfill.Builder.tablesOf(alias)}: a rule with a
 * pattern, such as sharded tables versioned into one alias, loads every table it matches in
 * {@code information_schema} when the backfill starts); their tables' rules must suit a backfill.
 *
 * <p><b>Requirements.</b> Those of the backfill (the stream running with full row images, the data
 * source the primary); every pipeline that writes to the alias must write through one of the given
 * {@link ShadowWriteSink}s, built with {@link #shadowsToRestore} so that a restarted pipeline
 * turns the shadow on before its first write. A pipeline elsewhere (another process of the consumer
 * group) is not shadowed: with {@link Builder#consumerGroup} the run checks, before the load and
 * again right before the switch, that every current member of the group is one of the given
 * sinks' pipelines, and otherwise fails naming the others (and records that, so that a later run
 * asks for {@link #abort()}); without it nothing detects them.
 *
 * <p><b>Threading.</b> {@link #run()} and {@link #abort()} run on the caller's thread;
 * {@link #stop()} from any thread. Failures are {@link SyncException}s (retriable ones when trying
 * again may help), or the backfill's {@code BackfillException}; the state stays valid for a re-run.
 */
public final class Resync {
    private static final Logger LOG = LoggerFactory.getLogger(Resync.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the shadow's switch waits for requests sent without it. */
    private static final Duration EARLIER_BULKS = Duration.ofMinutes(5);

    /** The steps a re-sync records in its state document (and {@link #phase()} reports). */
    public enum Phase {
        /** The new index is being created; nothing is copied into it yet. */
        PREPARING,
        /** The pipelines copy their writes to the alias into the new index; the backfill loads it. */
        SHADOWING,
        /** The alias points at the new index; what is left is stopping the shadows and the cleanup. */
        SWITCHED,
        /** An {@link #abort()} is discarding the re-sync. */
        ABORTING
    }

    private final RestClient client;
    private final String alias;
    private final String newIndex;
    @Nullable private final String newIndexBody;
    private final String stateIndex;
    private final Rules rules;
    private final DataSource dataSource;
    private final BulkSink sink;
    private final DocumentReader reader;
    private final CheckpointStore checkpointStore;
    private final List<ShadowWriteSink> shadowSinks;
    @Nullable private final Supplier<? extends Collection<String>> groupMembers;
    @Nullable private final Supplier<? extends Collection<String>> shadowedMembers;
    /** Members found writing without the shadow, as recorded in the state; null when none. */
    @Nullable private String unshadowed;
    private final Consumer<Backfill.Builder> backfillSettings;
    private final boolean deleteOldIndex;
    private volatile boolean stopped;
    @Nullable private volatile Backfill running;
    /** The step last read or saved by this instance; null before. */
    @Nullable private volatile Phase phase;
    /** Whether the last run() found the re-sync finished before it (the alias already at the new index, no state). */
    private volatile boolean foundFinished;
    /** seq_no and primary_term of the state document as last read or written; null when there is none. */
    @Nullable private long[] stateVersion;

    private Resync(Builder b) {
        this.client = Objects.requireNonNull(b.client);
        this.alias = Objects.requireNonNull(b.alias);
        this.newIndex = Objects.requireNonNull(b.newIndex);
        this.newIndexBody = b.newIndexBody;
        this.stateIndex = b.stateIndex;
        this.rules = Objects.requireNonNull(b.rules);
        this.dataSource = Objects.requireNonNull(b.dataSource);
        this.sink = Objects.requireNonNull(b.sink);
        this.reader = (DocumentReader) b.sink;
        this.checkpointStore = b.checkpointStore != null ? b.checkpointStore
                : ElasticsearchCheckpointStore.of(client, stateIndex);
        this.shadowSinks = List.copyOf(b.shadowSinks);
        this.groupMembers = b.groupMembers;
        this.shadowedMembers = b.shadowedMembers;
        this.backfillSettings = b.backfillSettings;
        this.deleteOldIndex = b.deleteOldIndex;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * As {@link #shadowsToRestore(RestClient, String, String...)} through the first host of
     * {@code sink} (the sink keeps owning the connection; read after it started).
     */
    public static Supplier<Map<String, String>> shadowsToRestore(ElasticsearchSink sink, String stateIndex,
            String... aliases) {
        Objects.requireNonNull(sink, "sink");
        return () -> shadowsToRestore(sink.restClients().get(0), stateIndex, aliases).get();
    }

    /**
     * The step this instance last read from the state or saved: null before {@link #run()} read it,
     * {@link Phase#SWITCHED} once the alias points at the new index (also when {@link #run()} found
     * it finished before). Any thread.
     */
    @Nullable
    public Phase phase() {
        return phase;
    }

    /**
     * Whether the last {@link #run()} found the re-sync already finished (no state, the alias points
     * at the new index): it did nothing. Any thread.
     */
    public boolean foundFinished() {
        return foundFinished;
    }

    /**
     * The shadows to restore when a pipeline's {@link ShadowWriteSink} starts: for each alias whose
     * re-sync (state in {@code stateIndex}) is in its shadowing step, alias to new index. Read with a
     * real-time get when called; a failure to read throws (and so fails the pipeline's start: it
     * must not write without knowing).
     */
    public static Supplier<Map<String, String>> shadowsToRestore(RestClient client, String stateIndex,
            String... aliases) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(stateIndex, "stateIndex");
        List<String> names = List.of(aliases);
        return () -> {
            Map<String, String> out = new HashMap<>();
            for (String a : names) {
                JsonNode state = readState(client, stateIndex, a);
                if (state != null && Phase.SHADOWING.name().equals(state.path("phase").asText())) {
                    out.put(a, state.path("to").asText());
                }
            }
            return out;
        };
    }

    /**
     * Runs the re-sync, or continues the one the state records (see the class comment). Blocks.
     *
     * <p>A run that finds no state while the alias points at exactly the new index returns true at
     * once and does nothing ({@link #foundFinished()}): that re-sync finished before.
     *
     * @return true when the alias points at the new index and the re-sync is finished; false when
     *     {@link #stop()} came first (the state stays; the run() of a new Resync of the
     *     alias continues it; this instance stays stopped)
     * @throws SyncException when a step fails (the state stays valid), when the alias neither points
     *     at exactly one index nor is a concrete index, when it is a concrete index without
     *     {@code deleteOldIndex(true)}, when the new index exists before a re-sync into it started, or when
     *     a re-sync of the alias into another index is unfinished, or when a pipeline wrote to the
     *     alias without the shadow while the state says it was on (see {@link #abort()})
     */
    public boolean run() {
        foundFinished = false;
        ensureStateIndex();
        JsonNode state = loadState();
        if (state == null) {
            String from = aliasTarget();
            if (from == null && isConcreteIndex(alias)) {
                if (!deleteOldIndex) {
                    throw new SyncException("re-sync of " + shown(alias) + ": it is a concrete index; the switch turns its"
                            + " name into an alias of the new index, which deletes it (remove_index): set deleteOldIndex"
                            + " to accept that, or name the index through an alias first");
                }
                from = alias; // a concrete index: "from" equal to the alias marks it in the state
            }
            if (newIndex.equals(from)) {
                foundFinished = true;
                this.phase = Phase.SWITCHED;
                LOG.info("re-sync of {}: it points at {} already and no re-sync is recorded: nothing to do",
                        shown(alias), shown(newIndex));
                return true;
            }
            if (from == null) {
                throw new SyncException("re-sync of " + shown(alias) + ": it is neither an alias of exactly one index"
                        + " nor an index");
            }
            if (from.equals(newIndex) || indexExists(newIndex)) {
                throw new SyncException("re-sync of " + shown(alias) + ": the new index " + shown(newIndex)
                        + " exists already; name a new one");
            }
            unshadowed = null;
            state = saveState(from, UUID.randomUUID().toString(), Phase.PREPARING);
        } else if (!newIndex.equals(state.path("to").asText())) {
            throw new SyncException("re-sync of " + shown(alias) + ": a re-sync into "
                    + shown(state.path("to").asText()) + " is unfinished; run it to its end or abort() it first");
        }
        String from = state.path("from").asText();
        String run = state.path("run").asText();
        Phase phase = Phase.valueOf(state.path("phase").asText());
        this.phase = phase;
        unshadowed = state.hasNonNull("unshadowed") ? state.path("unshadowed").asText() : null;
        if (phase == Phase.ABORTING) {
            throw new SyncException("re-sync of " + shown(alias) + ": an abort() of it is unfinished; call abort()"
                    + " again, then run");
        }
        if (phase == Phase.SHADOWING && unshadowed != null && !newIndex.equals(aliasTarget())) {
            throw new SyncException("re-sync of " + shown(alias) + ": members of the consumer group wrote to it"
                    + " without the shadow into " + shown(newIndex) + " (" + unshadowed + "); the new index may be"
                    + " stale: abort() this re-sync, and run it again once every member writes through a shadow sink");
        }
        if (phase == Phase.SHADOWING && !coveredSinceStart() && !newIndex.equals(aliasTarget())) {
            // a pipeline wrote without the shadow since it last started (and the alias, where its
            // writes went, is not yet the new index): the new index may have missed changes the
            // backfill's checkpoints count as done. Loading it afresh at once
            // could let a copy still in flight land in the new index after its re-creation, where
            // the backfill's create would keep it; so the operator decides (abort, then run again)
            throw new SyncException("re-sync of " + shown(alias) + ": a pipeline wrote to it without the shadow into "
                    + shown(newIndex) + " since it started (its ShadowWriteSink was not built with"
                    + " Resync.shadowsToRestore, or did not restore it); the new index may be stale: abort() this"
                    + " re-sync and run it again");
        }
        if (phase == Phase.PREPARING) {
            // nothing was shadowed into the new index yet: whatever an earlier run left there goes
            deleteIndex(newIndex);
            createIndex(from);
            saveState(from, run, Phase.SHADOWING);
            phase = Phase.SHADOWING;
        }
        if (phase == Phase.SHADOWING) {
            for (ShadowWriteSink s : shadowSinks) {
                s.shadow(alias, newIndex);
            }
            awaitEarlierBulks();
            checkMembers(from, run, "before the load");
            if (stopped || !backfill(run).run()) {
                return false;
            }
            checkMembers(from, run, "before the switch");
            // claims the state once more, conditionally: an abort() that began meanwhile (it saves
            // ABORTING first, then deletes the new index) makes this fail instead of pointing the
            // alias at an index it deleted, or that the backfill's late writes re-created
            saveState(from, run, Phase.SHADOWING);
            switchAlias(from);
            saveState(from, run, Phase.SWITCHED);
        }
        finish(from);
        return true;
    }

    /**
     * Makes {@link #run()} return false after the backfill's chunk in progress, and every later
     * {@link #run()} of this instance (a new {@code Resync} continues). Any thread.
     */
    public void stop() {
        stopped = true;
        Backfill b = running;
        if (b != null) {
            b.stop();
        }
    }

    /**
     * Discards an unfinished re-sync of the alias: saves {@code ABORTING} in its state (conditionally:
     * a {@link #run()} that is about to switch the alias, or this, fails), stops the shadows, waits
     * for the requests that
     * carried copies (and the late-write fence of one that failed in doubt, bounded by 5 min: then
     * a {@link RetriableSyncException}, call it again), deletes the new index (unless the alias
     * already points at it: then the re-sync is finished instead) and the state.
     *
     * @return true when there was one to discard or finish
     */
    public boolean abort() {
        ensureStateIndex();
        JsonNode state = loadState();
        if (state == null) {
            return false;
        }
        String from = state.path("from").asText();
        String to = state.path("to").asText();
        if (to.equals(aliasTarget())) {
            finish(from);
            return true;
        }
        if (!Phase.ABORTING.name().equals(state.path("phase").asText())) {
            // conditionally, over the state just read: a run() past its backfill claims the state
            // before it switches the alias, so one of the two fails
            saveState(from, state.path("run").asText(), Phase.ABORTING, to);
        }
        for (ShadowWriteSink s : shadowSinks) {
            s.stopShadow(alias);
        }
        awaitEarlierBulks();
        deleteIndex(to);
        deleteState();
        return true;
    }

    /** Waits until no request sent before the shadows' last change is in flight. */
    private void awaitEarlierBulks() {
        for (ShadowWriteSink s : shadowSinks) {
            try {
                s.awaitEarlierBulks(EARLIER_BULKS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyncException("re-sync of " + shown(alias) + " interrupted");
            } catch (TimeoutException e) {
                throw new RetriableSyncException("re-sync of " + shown(alias) + ": " + e.getMessage());
            }
        }
    }

    /**
     * Stops the shadows, deletes the old index when asked (once the requests sent before that have
     * completed: one sent before the switch may still write the old index through the alias, and
     * would fail permanently on its deletion), and the state.
     */
    private void finish(String from) {
        for (ShadowWriteSink s : shadowSinks) {
            s.stopShadow(alias);
        }
        // a concrete index (from equal to the alias) was deleted by the switch; its name is the alias now
        if (deleteOldIndex && !from.equals(alias)) {
            awaitEarlierBulks();
            deleteIndex(from);
        }
        deleteState();
        LOG.info("re-sync of {} finished: it points at {}", shown(alias), shown(newIndex));
    }

    /**
     * With a consumer group given: fails when a current member of the group is none of the shadow
     * sinks' pipelines (it may write to the alias without copies), after recording that in the
     * state, so that no later run loads or switches to the new index without an abort first.
     */
    private void checkMembers(String from, String run, String when) {
        if (groupMembers == null || shadowedMembers == null) {
            return;
        }
        Set<String> others = new TreeSet<>(groupMembers.get());
        others.removeAll(new HashSet<>(shadowedMembers.get()));
        if (others.isEmpty()) {
            return;
        }
        List<String> named = new ArrayList<>();
        for (String m : others) {
            named.add(UntrustedText.shown(m, 256));
        }
        unshadowed = String.join(", ", named);
        saveState(from, run, Phase.SHADOWING);
        throw new SyncException("re-sync of " + shown(alias) + ": " + when + ", members of the consumer group write"
                + " without a shadow sink of this re-sync: " + unshadowed + " (a pipeline in another process, or built"
                + " without the ShadowWriteSink); the new index " + shown(newIndex) + " may miss their writes: stop them"
                + " or run every pipeline of the group in this process, then abort() this re-sync and run it again");
    }

    private boolean coveredSinceStart() {
        for (ShadowWriteSink s : shadowSinks) {
            if (!s.covers(alias, newIndex)) {
                return false;
            }
        }
        return true;
    }

    /** The backfill into the new index: the alias's actions redirected, checkpoints of this run's own. */
    private Backfill backfill(String run) {
        Backfill.Builder b = Backfill.builder();
        backfillSettings.accept(b);
        b.dataSource(dataSource).rules(rules);
        Redirect redirect = new Redirect(sink, reader, alias, newIndex);
        b.sink(redirect).reader(redirect).checkpointStore(new Prefixed(checkpointStore, "resync/" + alias + "/" + run + "/"));
        // the tables of the alias's rules, a pattern's listed when the backfill runs; parents before
        // the tables merged into them
        b.tablesOf(alias);
        Backfill backfill = b.build();
        running = backfill;
        if (stopped) {
            backfill.stop();
        }
        return backfill;
    }

    /** The one index the alias points at, or null when it is not an alias of exactly one index. */
    @Nullable
    private String aliasTarget() {
        try {
            Response r = client.performRequest(new Request("GET", "/_alias/" + path(alias)));
            JsonNode body = read(r);
            Iterator<String> names = body.fieldNames();
            List<String> indices = new ArrayList<>();
            names.forEachRemaining(indices::add);
            return indices.size() == 1 ? indices.get(0) : null;
        } catch (ResponseException e) {
            if (status(e) == 404) {
                return null;
            }
            throw failure("reading the alias " + alias, e);
        } catch (IOException e) {
            throw failure("reading the alias " + alias, e);
        }
    }

    /** Whether {@code name} is an index itself (not an alias, not absent). */
    private boolean isConcreteIndex(String name) {
        try {
            Request r = new Request("GET", "/" + path(name) + "/_settings");
            r.addParameter("filter_path", "*.settings.index.uuid");
            JsonNode body = read(client.performRequest(r));
            List<String> indices = new ArrayList<>();
            body.fieldNames().forEachRemaining(indices::add);
            return indices.equals(List.of(name));
        } catch (ResponseException e) {
            if (status(e) == 404) {
                return false;
            }
            throw failure("reading the index " + name, e);
        } catch (IOException e) {
            throw failure("reading the index " + name, e);
        }
    }

    private boolean indexExists(String index) {
        try {
            Response r = client.performRequest(new Request("HEAD", "/" + path(index)));
            return r.getStatusLine().getStatusCode() == 200;
        } catch (ResponseException e) {
            if (status(e) == 404) {
                return false;
            }
            throw failure("checking the index " + index, e);
        } catch (IOException e) {
            throw failure("checking the index " + index, e);
        }
    }

    private void createIndex(String from) {
        String body = newIndexBody != null ? newIndexBody : copiedBody(from);
        Request r = new Request("PUT", "/" + path(newIndex));
        r.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        try {
            client.performRequest(r);
        } catch (IOException e) {
            throw failure("creating the index " + newIndex, e);
        }
        LOG.info("re-sync of {}: created {}", shown(alias), shown(newIndex));
    }

    /** The old index's mappings, shard and replica counts and analysis settings. */
    private String copiedBody(String from) {
        try {
            JsonNode old = read(client.performRequest(new Request("GET", "/" + path(from)))).path(from);
            ObjectNode body = JSON.createObjectNode();
            ObjectNode index = body.putObject("settings").putObject("index");
            JsonNode settings = old.path("settings").path("index");
            for (String key : List.of("number_of_shards", "number_of_replicas", "analysis")) {
                if (settings.has(key)) {
                    index.set(key, settings.get(key));
                }
            }
            if (old.has("mappings")) {
                body.set("mappings", old.get("mappings"));
            }
            return body.toString();
        } catch (IOException e) {
            throw failure("reading the index " + from, e);
        }
    }

    private void deleteIndex(String index) {
        try {
            client.performRequest(new Request("DELETE", "/" + path(index)));
            LOG.info("re-sync of {}: deleted {}", shown(alias), shown(index));
        } catch (ResponseException e) {
            if (status(e) != 404) {
                throw failure("deleting the index " + index, e);
            }
        } catch (IOException e) {
            throw failure("deleting the index " + index, e);
        }
    }

    /**
     * Points the alias at the new index in one request: remove from the old index, add to the new one
     * as the write index. Atomic: readers see one or the other. Skipped when already done.
     */
    private void switchAlias(String from) {
        if (newIndex.equals(aliasTarget())) {
            return;
        }
        boolean concrete = from.equals(alias);
        ObjectNode body = JSON.createObjectNode();
        var actions = body.putArray("actions");
        ObjectNode add = actions.addObject().putObject("add");
        add.put("index", newIndex);
        add.put("alias", alias);
        add.put("is_write_index", true);
        if (concrete) {
            actions.addObject().putObject("remove_index").put("index", from);
        } else {
            ObjectNode remove = actions.addObject().putObject("remove");
            remove.put("index", from);
            remove.put("alias", alias);
        }
        Request r = new Request("POST", "/_aliases");
        r.setEntity(new StringEntity(body.toString(), ContentType.APPLICATION_JSON));
        if (concrete) {
            // no write of the pipelines may be in flight when the index it names is removed: it
            // could fail on the index's shard; held ones go out after the switch, through the alias
            for (ShadowWriteSink s : shadowSinks) {
                s.hold();
            }
        }
        try {
            if (concrete) {
                awaitEarlierBulks();
            }
            client.performRequest(r);
        } catch (IOException e) {
            throw failure("switching the alias " + alias + " from " + from + " to " + newIndex, e);
        } finally {
            if (concrete) {
                for (ShadowWriteSink s : shadowSinks) {
                    s.release();
                }
            }
        }
        LOG.info("re-sync of {}: the alias points at {} (was {})", shown(alias), shown(newIndex), shown(from));
    }

    private void ensureStateIndex() {
        Request r = new Request("PUT", "/" + path(stateIndex));
        r.setEntity(new StringEntity("{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"dynamic\":false}}",
                ContentType.APPLICATION_JSON));
        try {
            client.performRequest(r);
        } catch (ResponseException e) {
            if (status(e) != 400 || !String.valueOf(e.getMessage()).contains("resource_already_exists_exception")) {
                throw failure("creating the state index " + stateIndex, e);
            }
        } catch (IOException e) {
            throw failure("creating the state index " + stateIndex, e);
        }
    }

    @Nullable
    private JsonNode loadState() {
        Request r = new Request("GET", "/" + path(stateIndex) + "/_doc/" + stateId(alias));
        r.addParameter("realtime", "true");
        try {
            JsonNode doc = read(client.performRequest(r));
            if (!doc.path("found").asBoolean(false)) {
                stateVersion = null;
                return null;
            }
            stateVersion = new long[] {doc.path("_seq_no").asLong(), doc.path("_primary_term").asLong()};
            return JSON.readTree(doc.path("_source").path("resync").asText());
        } catch (ResponseException e) {
            if (status(e) == 404) {
                stateVersion = null;
                return null;
            }
            throw failure("reading the re-sync state of " + alias, e);
        } catch (IOException e) {
            throw failure("reading the re-sync state of " + alias, e);
        }
    }

    @Nullable
    private static JsonNode readState(RestClient client, String stateIndex, String alias) {
        Request r = new Request("GET", "/" + path(stateIndex) + "/_doc/" + stateId(alias));
        r.addParameter("realtime", "true");
        try {
            JsonNode doc = read(client.performRequest(r));
            return doc.path("found").asBoolean(false) ? JSON.readTree(doc.path("_source").path("resync").asText()) : null;
        } catch (ResponseException e) {
            if (status(e) == 404) {
                return null;
            }
            throw failure("reading the re-sync state of " + alias, e);
        } catch (IOException e) {
            throw failure("reading the re-sync state of " + alias, e);
        }
    }

    /**
     * Saves the state conditionally (a create when there was none, else over the version last read
     * or written): a second re-sync of the alias fails instead of overwriting it.
     */
    private JsonNode saveState(String from, String run, Phase phase) {
        return saveState(from, run, phase, newIndex);
    }

    private JsonNode saveState(String from, String run, Phase phase, String to) {
        ObjectNode state = JSON.createObjectNode();
        state.put("alias", alias);
        state.put("from", from);
        state.put("to", to);
        state.put("run", run);
        state.put("phase", phase.name());
        if (unshadowed != null && phase == Phase.SHADOWING) {
            state.put("unshadowed", unshadowed);
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("resync", state.toString());
        Request r = new Request("PUT", "/" + path(stateIndex) + "/_doc/" + stateId(alias));
        long[] version = stateVersion;
        if (version == null) {
            r.addParameter("op_type", "create");
        } else {
            r.addParameter("if_seq_no", Long.toString(version[0]));
            r.addParameter("if_primary_term", Long.toString(version[1]));
        }
        r.addParameter("refresh", "true");
        r.setEntity(new StringEntity(doc.toString(), ContentType.APPLICATION_JSON));
        try {
            JsonNode answer = read(client.performRequest(r));
            stateVersion = new long[] {answer.path("_seq_no").asLong(), answer.path("_primary_term").asLong()};
        } catch (ResponseException e) {
            stateVersion = null;
            if (status(e) == 409) {
                throw new SyncException("re-sync of " + shown(alias) + ": its state changed meanwhile (an abort(), or"
                        + " another re-sync: run one re-sync per alias, and abort() only a re-sync that is not running)");
            }
            throw failure("saving the re-sync state of " + alias, e);
        } catch (IOException e) {
            stateVersion = null;
            throw failure("saving the re-sync state of " + alias, e);
        }
        this.phase = phase;
        LOG.info("re-sync of {} into {}: {}", shown(alias), shown(to), phase);
        return state;
    }

    private void deleteState() {
        Request r = new Request("DELETE", "/" + path(stateIndex) + "/_doc/" + stateId(alias));
        r.addParameter("refresh", "true");
        try {
            client.performRequest(r);
        } catch (ResponseException e) {
            if (status(e) != 404) {
                throw failure("deleting the re-sync state of " + alias, e);
            }
        } catch (IOException e) {
            throw failure("deleting the re-sync state of " + alias, e);
        }
        stateVersion = null;
    }

    private static String stateId(String alias) {
        return path("resync:" + alias);
    }

    private static String path(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode read(Response r) throws IOException {
        try (InputStream in = r.getEntity().getContent()) {
            return JSON.readTree(in);
        }
    }

    private static int status(ResponseException e) {
        return e.getResponse().getStatusLine().getStatusCode();
    }

    private static String shown(String name) {
        return UntrustedText.shown(name, 256);
    }

    private static SyncException failure(String what, IOException e) {
        int status = e instanceof ResponseException ? status((ResponseException) e) : 0;
        String why = "re-sync: " + UntrustedText.shown(what, 512) + " failed: "
                + (status == 0 ? Secrets.describe(e) : "HTTP " + status + serverError((ResponseException) e));
        return status == 0 || status == 429 || status >= 500 ? new RetriableSyncException(why, e) : new SyncException(why, e);
    }

    /** The server's error type and reason, redacted and bounded, or nothing. */
    private static String serverError(ResponseException e) {
        try {
            JsonNode error = read(e.getResponse()).path("error");
            if (error.isObject()) {
                return " " + UntrustedText.shown(error.path("type").asText(), 128) + ": "
                        + Secrets.redact(error.path("reason").asText(), 512);
            }
        } catch (IOException | RuntimeException ignored) {
            // the status alone then
        }
        return "";
    }

    /**
     * The backfill's sink and reader with the alias's documents redirected to the new index: every
     * field of an action but its index passes unchanged (external versions and their type, the
     * {@code if_seq_no} condition), and the stored documents read come back as the reader gave them
     * (their stored routing and {@code _version} included). Package-private for its test.
     */
    static final class Redirect implements BulkSink, DocumentReader {
        private final BulkSink sink;
        private final DocumentReader reader;
        private final String from;
        private final String to;

        Redirect(BulkSink sink, DocumentReader reader, String from, String to) {
            this.sink = sink;
            this.reader = reader;
            this.from = from;
            this.to = to;
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            List<DocumentAction> out = new ArrayList<>(actions.size());
            for (DocumentAction a : actions) {
                out.add(a.index().equals(from) ? new DocumentAction(to, a.id(), a.routing(), a.type(), a.document(),
                        a.version(), a.versionType(), a.ifSeqNo(), a.ifPrimaryTerm()) : a);
            }
            return sink.execute(out);
        }

        @Override
        public java.time.Duration lateWriteFence() {
            return sink.lateWriteFence();
        }

        @Override
        public boolean replacesObjectFields() {
            return sink.replacesObjectFields();
        }

        @Override
        public CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs) {
            List<DocumentRef> out = new ArrayList<>(refs.size());
            for (DocumentRef r : refs) {
                out.add(r.index().equals(from) ? new DocumentRef(to, r.id(), r.routing()) : r);
            }
            return reader.read(out);
        }
    }

    /** A checkpoint store with every table's name prefixed: this run's checkpoints are its own. */
    private static final class Prefixed implements CheckpointStore {
        private final CheckpointStore store;
        private final String prefix;

        Prefixed(CheckpointStore store, String prefix) {
            this.store = store;
            this.prefix = prefix;
        }

        @Override
        @Nullable
        public Checkpoint load(String table) {
            return store.load(prefix + table);
        }

        @Override
        public void save(String table, Checkpoint checkpoint) {
            store.save(prefix + table, checkpoint);
        }
    }

    /**
     * Builds a {@link Resync}. Setters check their argument ({@link IllegalArgumentException});
     * {@link #build()} checks the combination ({@link IllegalStateException}). Not thread-safe.
     */
    public static final class Builder {
        @Nullable private RestClient client;
        @Nullable private String alias;
        @Nullable private String newIndex;
        @Nullable private String newIndexBody;
        private String stateIndex = "binlog-sync-backfill";
        @Nullable private Rules rules;
        @Nullable private DataSource dataSource;
        @Nullable private BulkSink sink;
        @Nullable private CheckpointStore checkpointStore;
        private final List<ShadowWriteSink> shadowSinks = new ArrayList<>();
        @Nullable private Supplier<? extends Collection<String>> groupMembers;
        @Nullable private Supplier<? extends Collection<String>> shadowedMembers;
        private Consumer<Backfill.Builder> backfillSettings = b -> { };
        private boolean deleteOldIndex;

        private Builder() {
        }

        /** The client for the alias, index and state requests; required. The caller's; not closed. */
        public Builder client(RestClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The client of {@code sink}'s first host for the alias, index and state requests (the sink
         * keeps owning it: the re-sync must not run after the sink is closed).
         */
        public Builder client(ElasticsearchSink sink) {
            Objects.requireNonNull(sink, "sink");
            return client(sink.restClients().get(0));
        }

        /** The alias the rules write to (exactly their index name); required. */
        public Builder alias(String alias) {
            this.alias = indexName("alias", alias);
            return this;
        }

        /** The index to load and switch the alias to; required, must not exist before the first run. */
        public Builder newIndex(String index) {
            this.newIndex = indexName("newIndex", index);
            return this;
        }

        /** The body of the new index's creation ({@code settings}, {@code mappings}); default the old index's. */
        public Builder newIndexBody(String json) {
            Objects.requireNonNull(json, "json");
            try {
                if (!JSON.readTree(json).isObject()) {
                    throw new IllegalArgumentException("newIndexBody must be a JSON object");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("newIndexBody is not JSON: " + e.getMessage(), e);
            }
            this.newIndexBody = json;
            return this;
        }

        /** Where the state document lives; default {@code binlog-sync-backfill} (the checkpoint index). */
        public Builder stateIndex(String index) {
            this.stateIndex = indexName("stateIndex", index);
            return this;
        }

        /** The stream's rules; required. Those whose index is the alias are loaded. */
        public Builder rules(Rules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** The backfill's data source (the primary); required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * The backfill's sink, started by the caller, also its {@link DocumentReader} (an
         * {@link ElasticsearchSink}); required. Not the pipeline's {@link ShadowWriteSink}.
         */
        public Builder sink(BulkSink sink) {
            Objects.requireNonNull(sink, "sink");
            if (sink instanceof ShadowWriteSink) {
                throw new IllegalArgumentException("the re-sync's sink must not be the pipeline's ShadowWriteSink");
            }
            if (!(sink instanceof DocumentReader)) {
                throw new IllegalArgumentException("the re-sync's sink must also be a DocumentReader (an ElasticsearchSink)");
            }
            this.sink = sink;
            return this;
        }

        /** The backfill's checkpoint store; default an {@link ElasticsearchCheckpointStore} in the state index. */
        public Builder checkpointStore(CheckpointStore store) {
            this.checkpointStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The sinks of every pipeline that writes to the alias; at least one. */
        public Builder shadowSinks(ShadowWriteSink... sinks) {
            for (ShadowWriteSink s : sinks) {
                shadowSinks.add(Objects.requireNonNull(s, "sink"));
            }
            return this;
        }

        /**
         * The consumer group the pipelines that write to the alias belong to: {@code members}
         * answers the group's current member ids (e.g. {@code KafkaGroupMembers} in
         * {@code sync-kafka}), {@code shadowed} those of the pipelines whose sinks were given with
         * {@link #shadowSinks} (e.g. from each {@code KafkaSource.memberId()}). {@link #run()} asks
         * both before the load and right before the switch, and fails when the group has a member
         * that is not shadowed (see the class comment). A supplier that throws fails the run. Not
         * set by default: then nothing checks for pipelines in other processes.
         */
        public Builder consumerGroup(Supplier<? extends Collection<String>> members,
                Supplier<? extends Collection<String>> shadowed) {
            this.groupMembers = Objects.requireNonNull(members, "members");
            this.shadowedMembers = Objects.requireNonNull(shadowed, "shadowed");
            return this;
        }

        /**
         * Further backfill settings (chunk size, rate, listener, retries, restart fence). The re-sync
         * sets the data source, rules, sink, reader, checkpoint store and tables itself, after these.
         */
        public Builder backfill(Consumer<Backfill.Builder> settings) {
            this.backfillSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Whether the old index is deleted once the alias points at the new one; default false.
         * Required for a concrete index, which the switch deletes.
         */
        public Builder deleteOldIndex(boolean delete) {
            this.deleteOldIndex = delete;
            return this;
        }

        /**
         * @throws IllegalStateException when a required value is missing, the alias equals the new
         *     index, no shadow sink is given, or no rule writes to the alias
         */
        public Resync build() {
            if (client == null || alias == null || newIndex == null || rules == null || dataSource == null
                    || sink == null) {
                throw new IllegalStateException("a re-sync needs client, alias, newIndex, rules, dataSource and sink");
            }
            if (alias.equals(newIndex)) {
                throw new IllegalStateException("the new index must differ from the alias: " + alias);
            }
            if (shadowSinks.isEmpty()) {
                throw new IllegalStateException("a re-sync needs the ShadowWriteSink of every pipeline that writes to "
                        + alias);
            }
            boolean written = false;
            for (TableRule r : rules.rules()) {
                written |= r.index().equals(alias);
            }
            if (!written) {
                throw new IllegalStateException("no rule writes to the alias " + alias);
            }
            return new Resync(this);
        }

        private static String indexName(String what, String name) {
            Objects.requireNonNull(name, what);
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || name.contains("/")
                    || name.contains(",") || name.contains("*") || name.startsWith("_") || name.startsWith("-")) {
                throw new IllegalArgumentException(what + " is not a valid index name: " + UntrustedText.shown(name, 256));
            }
            return name;
        }
    }
}
