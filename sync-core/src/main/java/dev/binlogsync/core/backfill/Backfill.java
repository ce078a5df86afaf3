package dev.binlogsync.core.backfill;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.internal.DocumentSize;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the rows tables already hold into the index, while the stream keeps running, and ends with
 * the state a full replay of the binlog would give (see {@code docs/backfill.md} for the argument
 * and the limits).
 *
 * <pre>{@code
 * Backfill backfill = Backfill.builder()
 *     .dataSource(dataSource)          // the application's javax.sql.DataSource (its JDBC driver)
 *     .rules(rules)                    // the same Rules as the stream's pipeline
 *     .sink(elasticsearchSink)         // a BulkSink that is also a DocumentReader, started
 *     .checkpointStore(ElasticsearchCheckpointStore.of(client, "binlog-sync-backfill"))
 *     .maxRowsPerSecond(5_000)
 *     .build();
 * backfill.run();                      // blocks; stop() from another thread ends it after its chunk
 * }</pre>
 *
 * <p><b>What a run does</b>, per table: reads the rows in primary-key chunks by keyset pagination
 * ({@code WHERE (pk) > (last) ORDER BY pk LIMIT n}, never {@code OFFSET}) in autocommit with
 * {@code READ COMMITTED} (no lock beyond a plain read's); turns each row into an {@code INSERT}
 * {@link ChangeEvent} carrying the full row through the {@link Rules}; writes the documents as
 * {@link ActionType#CREATE} (a document the stream already wrote is kept: it is at least as new);
 * then <em>verifies</em> the chunk: selects its rows again by key and renders them through the rules
 * (a document a current row produces at exactly its place is done); for the other documents reads
 * them ({@link DocumentReader}), then selects their rows once more and renders them, and removes
 * with a conditional delete every document found that no current row of the chunk produces there
 * (a snapshot copy of a row the stream deleted, filtered out or moved to another index or routing
 * meanwhile). Only then the chunk counts as done. Before its creates are sent, a chunk's documents
 * (index, id, routing) and keys are saved as pending in the {@link CheckpointStore}, with those of
 * the chunk before while that one is not verified yet, and the upper key of the last verified chunk
 * as done: one save per chunk (a chunk without creates, a stop and the end save the last done key
 * on their own). A restart verifies the pending chunks first. Checkpoint saves and loads failing
 * with a {@link RetriableSyncException} are retried like the writes. Consecutive chunks overlap:
 * while a chunk's creates are in flight the next chunk is read and its pending saved, and a chunk
 * is verified while the next chunk's creates are in flight (one bulk of creates at a time). A chunk
 * ends at {@link Builder#chunkSize} rows or once its documents reach {@link Builder#maxChunkBytes}.
 * A table's reads go through one connection of the data source, held for the table's run. With
 * {@link Builder#yieldTo(SyncPipeline, Duration)}, each chunk waits (at most
 * {@link Builder#maxYield}) while the stream's latency is above a target: the stream stays near
 * real time while the backfill shares its sink; it only delays chunks.
 *
 * <p><b>Values.</b> Each column is selected and read through the {@link BackfillValues} of
 * {@link Builder#values}: give the stream's decoder's ({@code decoder.backfillValues()}, built with
 * the stream decoder's options) so a backfilled document equals the stream's document for the same
 * row, types included. Without it, a table is read with the driver's {@code getObject} only when
 * all its columns are of types where that equals every decoder's value (integers, decimals,
 * character columns), and refused otherwise. Key columns are read with {@code getObject} whatever
 * the values. The verification's re-select selects and reads the chunk's rows exactly as the chunk
 * did (the same select list, the same values), so an unchanged row renders to the places its
 * creates went; filters, index templates and routing see the decoder's values.
 *
 * <p><b>Merge rules</b> ({@code mergeInto(...).nestUnder(f)}, cleared on delete, by the child's key)
 * and the parent rule that upserts only because they share its index are served: the parent's rows
 * are created as documents of its fields and verified as above (a conflicting delete is judged
 * again: a merge changes {@code _seq_no} too); a child chunk's fields are written by
 * {@code MergeBackfill} (read the parents, then select the rows with the locking read, then an update
 * conditional on the read {@code _seq_no} where the parent lacks the field). Parent tables load
 * before their children (see {@link Builder#build()}).
 *
 * <p><b>Rules over several tables</b> (a table pattern its index does not separate, such as sharded
 * {@code order_item_N} into {@code order_items}) are served when versioned by a column and alone on
 * their index: each table loads as its own, and the verification selects each key in every table the
 * rule matches (resolved from {@code information_schema} when the table starts; a table created or
 * dropped during the run stops it before any delete). Unversioned, they are refused.
 *
 * <p><b>Tables.</b> By default every table a rule matches, a pattern's listed from
 * {@code information_schema} when {@link #run()} starts ({@link Builder#allTables()}); or the tables
 * of the rules writing one index ({@link Builder#tablesOf}), or tables named ({@link Builder#table}).
 *
 * <p><b>What it refuses</b> (with {@link BackfillException} naming the table and rule, before reading
 * a row): a table no rule names; a rule that upserts for another reason than merge rules sharing its
 * index (an explicit {@code WriteMode.UPSERT}, another table's own rule on its index, a table pattern,
 * a customizer): a create would make a partial document, and an upsert of a snapshot could overwrite
 * newer fields of the stream; a merge rule without {@code nestUnder}, with
 * {@code MergeDelete.IGNORE}, whose foreign key is not the table's key, whose field another merge
 * rule writes too, or whose database or table pattern its index does not separate; a rule versioned by the binlog time
 * (a row read has none), and a table with versioned and unversioned rules; an index template
 * with {@code {$time}}; a rule whose document id is not built from exactly the key columns (the
 * verification selects again only the chunk's rows, so only the row of a document's key may produce
 * it); a composite primary key without an explicit {@code id(...)}; a table without a
 * primary key unless its key columns are configured, NOT NULL and exactly a UNIQUE index; key
 * columns that differ from an existing primary key; key columns that are not integers, decimals
 * or {@code CHAR}/{@code VARCHAR}, or are a {@code TINYINT(1)} (a driver's boolean); without
 * {@link Builder#values}, a column whose driver value may differ from the stream decoder's.
 *
 * <p><b>Requirements.</b> The stream must be running, and must apply every change committed after
 * the backfill's first read (its start position at or before the backfill's start). <b>The stream
 * must run with full row images</b>: each of its writes must index the whole document (a stream
 * writing partial upserts, such as the Canal or Maxwell decoders without {@code fullRowImage(true)}
 * or a {@code MINIMAL}/{@code NOBLOB} binlog row image, can leave a partial document that the
 * backfill's create keeps). The data source must be the primary (the verification's re-select must
 * see every committed delete). A rule versioned by a column writes its snapshot as an {@code index}
 * with the row's external version (refused as stale by a copy at least as new), and the
 * verification deletes by that version ({@code external_gte}) instead of {@code if_seq_no}.
 * Filters ({@code where}, {@code filter}) and index templates and routing over any column are
 * served; a code {@code filter} must decide from the row alone (the
 * backfill evaluates it on an {@code INSERT} event of the row, the stream on its changes).
 *
 * <p><b>Threading.</b> {@link #run()} runs on the caller's thread, one table after the other (the
 * sink answers its writes on its own threads: the overlap needs no thread of the backfill's own);
 * {@link #stop()} and {@link #progress()} may be called from any thread. A stop lets the chunk
 * whose creates are in flight finish.
 */
public final class Backfill {
    /** The default {@link Builder#maxChunkBytes}: 5 MiB, the pipeline's default bulk bound. */
    public static final long DEFAULT_MAX_CHUNK_BYTES = 5L * 1024 * 1024;
    /** The default {@link Builder#maxYield}: 10 s. */
    public static final Duration DEFAULT_MAX_YIELD = Duration.ofSeconds(10);
    /**
     * The target of {@link Builder#yieldTo} hosts use when not told otherwise (the service's
     * {@code maxStreamLatency}, the demo): 5 s. Above what {@link StreamLatency#of(SyncPipeline)}
     * reads for a healthy stream: it is counted from the binlog event's time, which is in whole
     * seconds (up to 1 s added) and is the statement's start (a transaction's duration added), and
     * includes the relay hop, the pipeline's flush interval and any clock skew between MySQL and the
     * pipeline's host; a stream acknowledging 0.5 s after the write reads 1 to 3 s. A target the
     * healthy stream reaches would hold every chunk back for {@link #DEFAULT_MAX_YIELD}.
     */
    public static final Duration DEFAULT_MAX_STREAM_LATENCY = Duration.ofSeconds(5);
    /**
     * The largest {@link Builder#maxYield} and {@code maxStreamLatency} the builder accepts: 1 h (a
     * longer wait per chunk is a stop; the waits are counted in nanoseconds, which overflow past
     * about 292 years).
     */
    public static final Duration LONGEST_YIELD_SETTING = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);
    /** Keys per {@code IN} list of the verification's re-select. */
    private static final int PRESENT_BATCH = 1000;

    private final DataSource dataSource;
    private final Rules rules;
    private final BulkSink sink;
    private final DocumentReader reader;
    private final TableSelection selection;
    /** The tables of the last {@link #run()}, in order; null before the first. */
    @Nullable private volatile List<String[]> resolved;
    private final Map<String, List<String>> keyColumns;
    private final int chunkSize;
    private final long maxChunkBytes;
    private final double maxRowsPerSecond;
    private final CheckpointStore store;
    private final BackfillListener listener;
    private final SyncClock clock;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final Duration restartFence;
    private final BackfillValues values;
    /** The wait for the stream before each chunk ({@link Builder#yieldTo}), or null. */
    @Nullable private final StreamYield yield;
    /** Whether {@link Builder#values} was set; without, each table must pass {@link JdbcValues#requireSameAsEveryDecoder}. */
    private final boolean valuesSet;
    private volatile boolean stopped;
    @Nullable private volatile BackfillProgress progress;

    private Backfill(Builder b, TableSelection selection) {
        this.dataSource = Objects.requireNonNull(b.dataSource);
        this.rules = Objects.requireNonNull(b.rules);
        this.sink = Objects.requireNonNull(b.sink);
        this.reader = Objects.requireNonNull(b.reader);
        this.selection = selection;
        this.keyColumns = Map.copyOf(b.keyColumns);
        this.chunkSize = b.chunkSize;
        this.maxChunkBytes = b.maxChunkBytes;
        this.maxRowsPerSecond = b.maxRowsPerSecond;
        this.store = b.store;
        this.listener = b.listeners.isEmpty() ? new BackfillListener() { } : BackfillListeners.of(b.listeners);
        this.clock = b.clock;
        this.maxRetries = b.maxRetries;
        this.retryBackoff = b.retryBackoff;
        this.restartFence = Objects.requireNonNull(b.restartFence);
        this.values = b.values != null ? b.values : JdbcValues.INSTANCE;
        this.valuesSet = b.values != null;
        this.yield = b.yieldTo == null ? null
                : new StreamYield(b.yieldTo, b.maxStreamLatency, b.maxYield, b.clock, b.yieldSleeper);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads every table, each from its checkpoint on (a finished table is skipped). Blocks until all
     * are done or {@link #stop()} was called (then returns after the chunks in progress, at most two, are done).
     *
     * @return true when every table is finished, false when stopped first
     * @throws BackfillException when a table cannot be loaded (see the class comment; every table's
     *     rules are checked before the first table is read); the saved checkpoints stay valid
     */
    public boolean run() {
        List<String[]> tables = resolveTables();
        resolved = tables;
        for (String[] t : tables) {
            // every table's rules before any table is read: a refused child is not found only after
            // its parent table was loaded
            TableRun check = new TableRun(t[0], t[1]);
            checkRules(check);
            List<String> configured = keyColumns.get(check.name);
            if (configured != null) {
                checkRulesAgainstKey(check, configured, true);
            }
        }
        List<String> names = names(tables);
        LOG.info("backfill: loading {} tables, in order: {}", names.size(),
                UntrustedText.shown(String.valueOf(names), 1024));
        notify(() -> listener.tablesResolved(names));
        for (String[] t : tables) {
            if (stopped) {
                return false;
            }
            if (!runTable(new TableRun(t[0], t[1]))) {
                return false;
            }
        }
        return true;
    }

    /** Makes {@link #run()} return after the chunks in progress (at most two) are done. Any thread; idempotent. */
    public void stop() {
        stopped = true;
    }

    /** The progress after the last done chunk, or null before the first. Any thread. */
    @Nullable
    public BackfillProgress progress() {
        return progress;
    }

    /**
     * The name a table's checkpoint is kept under in the {@link CheckpointStore}:
     * {@code database.table#fingerprint}, the fingerprint a hash of the table's rules (index, id,
     * routing, write mode, field selection, renames, constants, converter and customizer classes,
     * the {@code where} condition and the code filter's class, a merge rule's foreign key, field and
     * delete mode; for a table with merge rules, also its parents' rules: the rules of other tables
     * writing their own documents into an index it merges into) and configured key columns. A changed
     * rule or index starts the table over instead of reading the old rules' finished checkpoint as
     * done; a changed parent rule starts its children over too (the documents it creates need their
     * fields). Code inside a converter, customizer or filter is not part of it (only its class).
     */
    public String checkpointName(String database, String table) {
        StringBuilder b = new StringBuilder();
        List<TableRule> all = rules.rules();
        for (TableRule r : rules.rulesFor(database, table)) {
            fingerprint(r, b);
        }
        for (int m = 0; m < all.size(); m++) {
            if (!all.get(m).isMerge() || !all.get(m).matches(database, table)) {
                continue;
            }
            for (int o = 0; o < all.size(); o++) {
                TableRule parent = all.get(o);
                if (!parent.isMerge() && !parent.matches(database, table) && rules.indicesMayCoincide(m, o)) {
                    // the parent's rules: documents a changed parent rule creates need this table's fields,
                    // so the child is loaded again after it
                    b.append("parent ");
                    fingerprint(parent, b);
                }
            }
        }
        b.append(keyColumns.get(database + "." + table));
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return database + "." + table + "#" + java.util.HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Appends what of {@code r} decides the documents or fields it writes (see {@link #checkpointName}). */
    private static void fingerprint(TableRule r, StringBuilder b) {
        b.append(r).append('\n').append(r.index()).append('\n').append(r.timeZone()).append('\n')
                .append(r.idColumns()).append(r.idDelimiter()).append('\n').append(r.routingColumn()).append('\n')
                .append(r.writeMode()).append('\n').append(new TreeMap<>(toStrings(r.includes()))).append('\n')
                .append(new TreeMap<>(toStrings(r.excludes()))).append('\n').append(new TreeMap<>(r.renames()))
                .append('\n').append(new TreeMap<>(toStrings(r.constants()))).append('\n');
        for (Map.Entry<String, ?> c : new TreeMap<>(r.converters()).entrySet()) {
            b.append(c.getKey()).append('=').append(stableName(c.getValue())).append(';');
        }
        b.append('\n').append(r.customizer() == null ? "" : stableName(r.customizer()));
        if (r.where() != null || r.filter() != null) {
            // which rows the rules keep: a changed filter must load the rows it now accepts
            b.append("\nwhere ").append(r.where() == null ? "" : r.where().expression()).append("\nfilter ")
                    .append(r.filter() == null ? "" : stableName(r.filter()));
        }
        if (r.isVersioned()) {
            b.append("\nversion ").append(r.versionColumn()).append(' ').append(r.versionType());
        }
        if (r.isMerge()) {
            // where the fields go: another field or parent must be loaded again
            b.append("\nmerge ").append(r.mergeInto()).append(' ').append(r.nestUnder()).append(' ')
                    .append(r.mergeDelete());
        }
        b.append("\n--\n");
    }

    /** A class name that is the same in every run: a lambda's generated name is not. */
    private static String stableName(Object o) {
        Class<?> c = o.getClass();
        return c.isHidden() || c.isSynthetic() || c.getName().contains("$$Lambda") ? "(lambda)" : c.getName();
    }

    private static Map<String, String> toStrings(java.util.Collection<String> values) {
        Map<String, String> out = new TreeMap<>();
        for (String v : values) {
            out.put(v, "");
        }
        return out;
    }

    private static Map<String, String> toStrings(Map<String, ?> values) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            out.put(e.getKey(), String.valueOf(e.getValue()));
        }
        return out;
    }

    /** The wait before verifying chunks an earlier run left pending ({@link Builder#restartFence}). */
    public Duration restartFence() {
        return restartFence;
    }

    /**
     * The tables this backfill loads, as {@code database.table}, in order. When a rule it derives
     * tables from names them by a pattern, they are those its last {@link #run()} listed, or before
     * the first run those {@code information_schema} lists now (a query through the data source;
     * the run lists them again at its start, and may find others: to log what a run loads, use
     * {@link BackfillListener#tablesResolved} or the run's INFO line).
     *
     * @throws BackfillException when that listing fails or a pattern matches no table
     */
    public List<String> tables() {
        List<String[]> tables = resolved;
        return names(tables != null ? tables : resolveTables());
    }

    private static List<String> names(List<String[]> tables) {
        List<String> out = new ArrayList<>();
        for (String[] t : tables) {
            out.add(t[0] + "." + t[1]);
        }
        return List.copyOf(out);
    }

    /** The tables to load now: those named and those of the rules' exact names, and the patterns' as listed now. */
    private List<String[]> resolveTables() {
        if (!selection.needsListing()) {
            return selection.fixed();
        }
        try (Connection c = connection()) {
            return selection.resolve(c);
        } catch (SQLException e) {
            throw new BackfillException("backfill: cannot list the tables its rules' patterns match: "
                    + Secrets.describe(e), e);
        }
    }

    /** One table's run: its key, its counters. */
    private final class TableRun {
        final String database;
        final String table;
        final String name;
        List<String> key = List.of();
        List<String> columns = List.of();
        /** The columns as the values' {@link BackfillValues} sees them, in the order of {@link #columns}. */
        List<BackfillColumn> columnInfo = List.of();
        final long startNanos = clock.nanoTime();
        long rowsDone;
        long created;
        long existed;
        long removed;
        long chunks;
        /** Time waited for the stream before this table's chunks ({@link StreamYield}). */
        long yieldedNanos;
        /** Whether the table has merge rules: each chunk's merged fields go through {@link MergeBackfill}. */
        boolean merges;
        /** Whether merge rules write into the table's index: a conflicting delete of the verification is judged again. */
        boolean mergedInto;
        /** The table's rules that write several tables into one index ({@link ShardTables#isSharded}); empty for most. */
        List<TableRule> shardRules = List.of();
        /** Every table those rules matched at the table's start ({@code database.table}, this one included). */
        java.util.TreeSet<String> shardNames = new java.util.TreeSet<>();
        /** The other tables of {@link #shardNames}, with their keys and columns: the verification selects each key in them too. */
        List<TableRun> shards = List.of();
        @Nullable Long countLeftAtStart;
        @Nullable BigDecimal rangeFrom;
        @Nullable BigDecimal rangeMax;
        /** The connection the chunks and re-selects read through; closed when the table's run ends. */
        final ReadConnection reads = new ReadConnection(dataSource);
        final ChunkBudget budget = new ChunkBudget(chunkSize, maxChunkBytes);

        TableRun(String database, String table) {
            this.database = database;
            this.table = table;
            this.name = database + "." + table;
        }

        String shown() {
            return UntrustedText.shown(name, 512);
        }
    }

    private boolean runTable(TableRun t) {
        try {
            return loadTable(t);
        } finally {
            t.reads.close();
        }
    }

    private boolean loadTable(TableRun t) {
        checkRules(t);
        t.key = keyOf(t);
        if (!t.shardRules.isEmpty()) {
            resolveShards(t);
        }
        String cpName = checkpointName(t.database, t.table);
        Checkpoint cp = loadCheckpoint(t, cpName);
        if (cp == null) {
            cp = Checkpoint.start();
        }
        Checkpoint from = cp;
        notify(() -> listener.tableStarted(t.name, from));
        if (cp.finished()) {
            LOG.info("backfill of {} already finished", t.shown());
            return true;
        }
        if (!cp.pending().isEmpty()) {
            // a chunk of an earlier run was in progress: its documents may be snapshot copies of rows
            // deleted since; verified before anything else, once creates that run may have left in
            // flight can no longer land
            if (!restartFence.isZero()) {
                LOG.info("backfill of {}: waiting {} (the late-write fence) before verifying the chunk an earlier"
                        + " run left pending", t.shown(), restartFence);
            }
            awaitFence(restartFence.toMillis());
            verify(t, cp.pending());
            cp = new Checkpoint(cp.lastKey(), List.of(), false);
            saveCheckpoint(t, cpName, cp);
        }
        estimateStart(t, cp.lastKey());
        List<Object> last = cp.lastKey();
        // whether the store's checkpoint says more than "everything up to last is done, nothing
        // pending": a chunk's done state is saved with the next chunk's pending save, or on its own
        // when the next chunk writes nothing, at the stop, or at the end
        boolean lastUnsaved = false;
        // the chunk whose creates are in flight (its documents in the saved pending), not yet verified:
        // the next chunk is read, and its pending saved, while they are; the chunk is verified while
        // the next chunk's creates are (docs/backfill.md, Overlap)
        @Nullable InFlight sent = null;
        // whether the last read found the table's end (fewer rows than asked for): the read after it
        // is the closing one and does not wait for the stream (no chunk is likely to follow)
        boolean endReached = false;
        try {
            while (true) {
                if (!endReached) {
                    // before a chunk's read, not after a table's last chunk: only a read can start writes
                    yieldToStream(t);
                }
                if (stopped) {
                    if (sent != null) {
                        last = finish(t, sent);
                        sent = null;
                        lastUnsaved = true;
                    }
                    break;
                }
                Chunk next = sent != null ? readChunk(t, sent.chunk().upper(), t.chunks + 1)
                        : readChunk(t, last, t.chunks);
                endReached = next.endReached();
                if (t.merges && next.rows() > 0) {
                    // merged fields before any save that counts the chunk as done (they need no pending
                    // entry: MergeBackfill); the chunk before it finished first, so the merge rounds
                    // run as without the overlap
                    if (sent != null) {
                        last = finish(t, sent);
                        sent = null;
                        lastUnsaved = true;
                    }
                    mergeChunk(t, next.kept());
                }
                if (next.rows() == 0 || next.creates().isEmpty()) {
                    if (sent != null) {
                        last = finish(t, sent);
                        sent = null;
                    }
                    if (next.rows() == 0) {
                        saveCheckpoint(t, cpName, new Checkpoint(last, List.of(), true));
                        BackfillProgress p = snapshot(t, last);
                        progress = p;
                        notify(() -> listener.tableFinished(p));
                        LOG.info("backfill of {} finished: {} rows, {} created, {} kept from the stream, {} removed",
                                t.shown(), t.rowsDone, t.created, t.existed, t.removed);
                        return true;
                    }
                    saveCheckpoint(t, cpName, new Checkpoint(next.upper(), List.of(), false));
                    lastUnsaved = false;
                    last = next.upper();
                    chunkDone(t, next.rows(), last);
                    continue;
                }
                // before the chunk's creates: its documents, and those of the chunk still in flight
                // (not yet verified), pending; everything up to last (verified) done
                List<Checkpoint.Pending> pending = next.pending();
                if (sent != null) {
                    pending = new ArrayList<>(sent.chunk().pending());
                    pending.addAll(next.pending());
                }
                saveCheckpoint(t, cpName, new Checkpoint(last, pending, false));
                lastUnsaved = true;
                InFlight previous = sent;
                if (previous != null) {
                    // one bulk of creates in flight at a time
                    previous.await(t);
                }
                sent = new InFlight(next, startWrite(next.creates()));
                if (previous != null) {
                    last = verifyDone(t, previous);
                }
            }
        } catch (RuntimeException | Error e) {
            if (sent != null) {
                // the run ends: not while its own creates may still be on their way
                sent.awaitQuietly();
            }
            throw e;
        }
        if (lastUnsaved) {
            saveCheckpoint(t, cpName, new Checkpoint(last, List.of(), false));
        }
        return false;
    }

    /**
     * A chunk read and rendered: its rows, the last row's key, its creates and their pending entries,
     * and whether its {@code SELECT} returned fewer rows than it asked for while the byte budget
     * still had room (the table had no more rows after it when it was read).
     */
    private record Chunk(int rows, List<Object> upper, List<DocumentAction> creates,
            List<Checkpoint.Pending> pending, List<ChunkRow> kept, boolean endReached) {
    }

    /** A chunk whose creates were sent ({@code first}, the first attempt) and whose verification is still to come. */
    private final class InFlight {
        private final Chunk chunk;
        private final CompletionStage<List<ItemResult>> first;
        private boolean awaited;

        InFlight(Chunk chunk, CompletionStage<List<ItemResult>> first) {
            this.chunk = chunk;
            this.first = first;
        }

        Chunk chunk() {
            return chunk;
        }

        /** Until every create is acknowledged (retrying as {@link #execute} does); counts them. */
        void await(TableRun t) {
            if (awaited) {
                return;
            }
            awaited = true;
            for (ItemResult r : execute(t, chunk.creates(), first)) {
                if (r.outcome() == ItemResult.Outcome.EXISTS || r.outcome() == ItemResult.Outcome.STALE) {
                    t.existed++;
                } else {
                    t.created++;
                }
            }
        }

        /**
         * Until the first attempt has an answer, whatever it is; after an answer in doubt, until its
         * late-write fence has passed (as {@link #retrying} does before giving up).
         */
        void awaitQuietly() {
            if (awaited) {
                return;
            }
            Throwable failure;
            try {
                failure = first.toCompletableFuture().handle((r, e) -> e).join();
            } catch (RuntimeException e) {
                return; // cancelled: nothing more to wait for
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RequestInDoubtException) {
                awaitFence(((RequestInDoubtException) cause).fence().toMillis());
            }
        }
    }

    /** Awaits a sent chunk's creates, verifies it, and counts it done; returns its upper key. */
    private List<Object> finish(TableRun t, InFlight chunk) {
        chunk.await(t);
        return verifyDone(t, chunk);
    }

    /** Verifies a chunk whose creates were acknowledged and counts it done; returns its upper key. */
    private List<Object> verifyDone(TableRun t, InFlight chunk) {
        verify(t, chunk.chunk().pending());
        chunkDone(t, chunk.chunk().rows(), chunk.chunk().upper());
        return chunk.chunk().upper();
    }

    private void chunkDone(TableRun t, int rows, List<Object> upper) {
        t.rowsDone += rows;
        t.chunks++;
        BackfillProgress p = snapshot(t, upper);
        progress = p;
        notify(() -> listener.chunkDone(p));
        throttle(t);
    }

    /** {@link CheckpointStore#load}, retried as the writes are on a {@link RetriableSyncException}. */
    @Nullable
    private Checkpoint loadCheckpoint(TableRun t, String name) {
        return retryingStore(t, "loading the checkpoint", () -> store.load(name));
    }

    /**
     * {@link CheckpointStore#save}, retried as the writes are on a {@link RetriableSyncException}: a
     * store whose failed save may still land must make its saves conditional, as
     * {@code ElasticsearchCheckpointStore} does (it reloads its version after a save in doubt), so a
     * late save never replaces a later one.
     */
    private void saveCheckpoint(TableRun t, String name, Checkpoint cp) {
        retryingStore(t, "saving the checkpoint", () -> {
            store.save(name, cp);
            return null;
        });
    }

    private <T> T retryingStore(TableRun t, String what, java.util.function.Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (RetriableSyncException e) {
                if (attempt >= maxRetries) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + what + " failed"
                            + (attempt > 0 ? " after " + attempt + " retries" : "") + ": " + Secrets.describe(e), e);
                }
                LOG.warn("backfill of {}: {} failed, retrying: {}", t.shown(), what, Secrets.describe(e));
                pause(attempt);
            }
        }
    }

    /** Refuses what a create-only backfill cannot serve; see the class comment. */
    private void checkRules(TableRun t) {
        List<TableRule> all = rules.rules();
        List<TableRule> matching = rules.rulesFor(t.database, t.table);
        if (matching.isEmpty()) {
            throw new BackfillException("backfill of " + t.shown() + ": no rule names this table");
        }
        for (TableRule r : matching) {
            int position = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i) == r) {
                    position = i;
                    break;
                }
            }
            String rule = "rule '" + UntrustedText.shown(r.toString(), 256) + "'";
            if (r.isMerge()) {
                String why = MergeBackfill.refusal(rules, position);
                if (why != null) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " " + why);
                }
                t.merges = true;
            } else if (!rules.indexesFullRows(position)) {
                if (!rules.upsertsOnlyForMerges(position)) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " upserts (another rule"
                            + " that is not a merge rule of another table writes into its index, it has a customizer or"
                            + " a table pattern, or its write mode says so); backfill serves rules that own their"
                            + " documents, or share them only with merge rules (an upsert of a snapshot could"
                            + " overwrite newer fields of the stream)");
                }
                t.mergedInto = true;
            }
            if (!r.isMerge() && !rules.documentsOnlyFrom(position, t.database, t.table, true)
                    && ShardTables.isSharded(rules, position)) {
                // the rows of several tables write this index through this rule alone: served when
                // versioned, the verification then reading every table it matches (resolveShards)
                String why = ShardTables.refusal(r);
                if (why != null) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " " + why);
                }
                List<TableRule> shardRules = new ArrayList<>(t.shardRules);
                shardRules.add(r);
                t.shardRules = List.copyOf(shardRules);
            } else if (!r.isMerge() && !rules.documentsOnlyFrom(position, t.database, t.table, true)) {
                throw new BackfillException("backfill of " + t.shown() + ": " + rule + " writes into an index"
                        + " that rows of other tables can write too (a pattern rule without {$database}/{$table}"
                        + " in its index, or another table's rule naming the same index); the verification reads"
                        + " only this table, so it could delete the document another table's row owns");
            }
            if (r.versionFromBinlogTime()) {
                throw new BackfillException("backfill of " + t.shown() + ": " + rule + " versions by the binlog"
                        + " event time, which a row read from the table does not have; version by a column");
            }
            if (r.isVersioned() != matching.get(0).isVersioned()) {
                throw new BackfillException("backfill of " + t.shown() + ": " + rule + " and rule '"
                        + UntrustedText.shown(matching.get(0).toString(), 256) + "' differ in writing external"
                        + " versions; backfill needs all of a table's rules versioned by a column, or none");
            }
            if (r.index().contains("{$time")) {
                throw new BackfillException("backfill of " + t.shown() + ": " + rule + " names its index by the"
                        + " binlog event time, which a row read from the table does not have");
            }
        }
    }

    /**
     * Refuses rules whose document id is not built from exactly the key columns, and rules whose ids
     * would differ from the stream's: the verification selects again only the rows of the chunk's
     * keys, so a document must be one that only the row of its key can produce (its index and
     * routing may depend on any column: the verification renders the current row again).
     *
     * @param primaryKey whether {@code key} is the table's primary key (the stream's
     *     {@code primaryKeys}); false for configured key columns of a table without one
     */
    private void checkRulesAgainstKey(TableRun t, List<String> key, boolean primaryKey) {
        Set<String> keySet = lowered(key);
        for (TableRule r : rules.rulesFor(t.database, t.table)) {
            String rule = "rule '" + UntrustedText.shown(r.toString(), 256) + "'";
            String shownKey = UntrustedText.shown(String.valueOf(key), 256);
            if (r.isMerge()) {
                if (!lowered(r.mergeInto()).equals(keySet)) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " merges into the document"
                            + " of " + UntrustedText.shown(String.valueOf(r.mergeInto()), 256) + ", not exactly the key"
                            + " columns " + shownKey + "; backfill serves merge rules whose parent id is the child's"
                            + " key (then one row alone writes the field, and the verification's select finds it)");
                }
                continue;
            }
            if (r.idColumns().isEmpty()) {
                if (!primaryKey) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " has no id(...) and the"
                            + " table has no primary key; give the rule id(...) over the key columns " + shownKey);
                }
                if (key.size() > 1) {
                    throw new BackfillException("backfill of " + t.shown() + ": " + rule + " has no id(...) and the"
                            + " primary key " + shownKey + " is composite (the decoders order its columns differently);"
                            + " give the rule an explicit id(...) over the primary key columns");
                }
            } else if (!lowered(r.idColumns()).equals(keySet)) {
                throw new BackfillException("backfill of " + t.shown() + ": " + rule + " builds its document id from "
                        + UntrustedText.shown(String.valueOf(r.idColumns()), 256) + ", not exactly the key columns "
                        + shownKey + "; not supported by backfill (another row, or a changed column, could produce"
                        + " the same document)");
            }
        }
    }

    private static Set<String> lowered(java.util.Collection<String> columns) {
        Set<String> out = new HashSet<>();
        for (String c : columns) {
            out.add(c.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    /**
     * The key columns: the configured ones (the same columns as the primary key, in any order, or for
     * a table without one the columns of a unique index, all NOT NULL), else the primary key. Refuses
     * the rules that do not fit the key (see {@link #checkRulesAgainstKey}) and key columns of types a
     * checkpoint cannot keep exactly.
     */
    private List<String> keyOf(TableRun t) {
        List<String> configured = keyColumns.get(t.name);
        if (configured != null) {
            // the rules against the configured key before any connection; again below once the
            // primary key is known
            checkRulesAgainstKey(t, configured, true);
        }
        try (Connection c = connection()) {
            DatabaseMetaData meta = c.getMetaData();
            TreeMap<Integer, String> byPosition = new TreeMap<>();
            boolean exists;
            try (ResultSet rs = meta.getTables(t.database, null, t.table, null)) {
                exists = rs.next();
            }
            if (!exists) {
                throw new BackfillException("backfill of " + t.shown() + ": the table does not exist");
            }
            try (ResultSet rs = meta.getPrimaryKeys(t.database, null, t.table)) {
                while (rs.next()) {
                    byPosition.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                }
            }
            List<String> primary = List.copyOf(byPosition.values());
            Map<String, String[]> columns = columns(c, t);
            List<String> key;
            if (configured != null) {
                if (!primary.isEmpty() && !lowered(primary).equals(lowered(configured))) {
                    throw new BackfillException("backfill of " + t.shown() + ": the key columns "
                            + UntrustedText.shown(String.valueOf(configured), 256) + " differ from the primary key "
                            + UntrustedText.shown(String.valueOf(primary), 256) + " (the stream's document ids come"
                            + " from the primary key); leave keyColumns out or name the primary key's columns");
                }
                if (primary.isEmpty()) {
                    requireUniqueNotNull(c, t, configured, columns);
                }
                key = configured;
            } else if (primary.isEmpty()) {
                throw new BackfillException("backfill of " + t.shown() + ": the table has no primary key; name"
                        + " unique, non-null key columns with Backfill.Builder.keyColumns(database, table, columns...)");
            } else {
                key = primary;
            }
            checkRulesAgainstKey(t, key, !primary.isEmpty());
            for (String k : key) {
                String[] col = columns.get(k.toLowerCase(Locale.ROOT));
                if (col == null) {
                    throw new BackfillException("backfill of " + t.shown() + ": key column " + UntrustedText.shown(k, 128)
                            + " does not exist");
                }
                if (col[3] != null && col[3].toLowerCase(Locale.ROOT).startsWith("tinyint(1)")) {
                    // drivers read a TINYINT(1) as a boolean: keys 1, 2, 3... would all be true, so the
                    // chunks would not advance and the verification would take one row for another
                    throw new BackfillException("backfill of " + t.shown() + ": key column " + UntrustedText.shown(k, 128)
                            + " is a tinyint(1), which JDBC drivers read as a boolean; backfill needs integer, decimal or"
                            + " character key columns it reads exactly");
                }
                if (!KEY_TYPES.contains(col[1].toLowerCase(Locale.ROOT))) {
                    throw new BackfillException("backfill of " + t.shown() + ": key column " + UntrustedText.shown(k, 128)
                            + " is of type " + UntrustedText.shown(col[1], 64) + "; backfill needs integer, decimal or"
                            + " character key columns (what a checkpoint keeps exactly)");
                }
            }
            List<String> select = new ArrayList<>();
            List<BackfillColumn> info = new ArrayList<>();
            for (String[] col : columns.values()) {
                select.add(col[0]);
                info.add(new BackfillColumn(t.database, t.table, col[0], col[1], col[3], "YES".equalsIgnoreCase(col[2])));
            }
            if (!valuesSet) {
                JdbcValues.requireSameAsEveryDecoder(t.shown(), info);
            }
            t.columns = List.copyOf(select);
            t.columnInfo = List.copyOf(info);
            return key;
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": cannot read its primary key: "
                    + Secrets.describe(e), e);
        }
    }

    /** Key column types a checkpoint keeps exactly (numbers, strings). */
    private static final Set<String> KEY_TYPES = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint",
            "decimal", "numeric", "char", "varchar");

    /**
     * The table's columns, by lower-cased name, as {name, data type, nullable, column type}, in table order (invisible
     * columns included: the stream's row images carry them).
     */
    private static Map<String, String[]> columns(Connection c, TableRun t) throws SQLException {
        Map<String, String[]> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_TYPE FROM"
                + " information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, t.database);
            ps.setString(2, t.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    out.put(name.toLowerCase(Locale.ROOT), new String[] {name, rs.getString(2), rs.getString(3), rs.getString(4)});
                }
            }
        }
        return out;
    }

    /**
     * Refuses configured key columns of a table without a primary key unless a unique index covers
     * exactly them and each is NOT NULL: keyset pagination skips a duplicate key at a chunk boundary.
     */
    private static void requireUniqueNotNull(Connection c, TableRun t, List<String> key, Map<String, String[]> columns)
            throws SQLException {
        for (String k : key) {
            String[] col = columns.get(k.toLowerCase(Locale.ROOT));
            if (col != null && !"NO".equalsIgnoreCase(col[2])) {
                throw new BackfillException("backfill of " + t.shown() + ": key column " + UntrustedText.shown(k, 128)
                        + " may be NULL; the key columns of a table without a primary key must be NOT NULL");
            }
        }
        Map<String, Set<String>> unique = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0")) {
            ps.setString(1, t.database);
            ps.setString(2, t.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unique.computeIfAbsent(rs.getString(1), i -> new HashSet<>())
                            .add(rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
        }
        if (!unique.containsValue(lowered(key))) {
            throw new BackfillException("backfill of " + t.shown() + ": no UNIQUE index covers exactly the key columns "
                    + UntrustedText.shown(String.valueOf(key), 256) + " (a duplicate key at a chunk boundary would be"
                    + " skipped); add one or name other key columns");
        }
    }

    /**
     * A connection in autocommit with READ COMMITTED; its close restores the autocommit and isolation
     * it came with (a pooled connection goes back as it was lent).
     */
    private Connection connection() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(true);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Backfill.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            try {
                                if (!c.isClosed()) {
                                    c.setTransactionIsolation(isolation);
                                    c.setAutoCommit(autoCommit);
                                }
                            } finally {
                                c.close();
                            }
                            return null;
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * One row of a chunk: its values as {@link BackfillValues} read them, and its key as the driver
     * gives it (what the checkpoint keeps and the verification's re-select compares).
     */
    private record ChunkRow(Map<String, Object> values, List<Object> key) {
    }

    /**
     * The select list of a chunk and of the verification's re-select, alike: each column through
     * {@link #values} (its {@link BackfillValues#select} expression), then the key columns as they
     * are, after them, for the key.
     */
    private String selectList(TableRun t) {
        List<String> select = new ArrayList<>(t.columnInfo.size() + t.key.size());
        for (BackfillColumn col : t.columnInfo) {
            select.add(values.select(col));
        }
        for (String k : t.key) {
            select.add(KeySql.quote(k));
        }
        return String.join(",", select);
    }

    /**
     * One row of a result selected by {@link #selectList}: the key columns with the driver's
     * {@code getObject}, each column through {@link #values}. The chunk's rows and the
     * verification's re-selected rows are read here both, so the verification renders a row the
     * stream did not change to exactly the places its creates went.
     */
    private ChunkRow readRow(TableRun t, ResultSet rs) throws SQLException {
        int n = t.columnInfo.size();
        List<Object> key = new ArrayList<>(t.key.size());
        for (int i = 0; i < t.key.size(); i++) {
            Object v = rs.getObject(n + 1 + i);
            if (v == null) {
                throw new BackfillException("backfill of " + t.shown() + ": key column "
                        + UntrustedText.shown(t.key.get(i), 128) + " is null in a row (key columns must be"
                        + " unique and not null)");
            }
            key.add(v);
        }
        Map<String, Object> row = new LinkedHashMap<>(n * 2);
        for (int i = 1; i <= n; i++) {
            BackfillColumn col = t.columnInfo.get(i - 1);
            try {
                row.put(col.name(), values.read(rs, i, col));
            } catch (RuntimeException e) {
                throw new BackfillException("backfill of " + t.shown() + ": column "
                        + UntrustedText.shown(col.name(), 128) + " (" + UntrustedText.shown(col.columnType(), 128)
                        + ") of the row with key " + shownKey(key) + " cannot be read as the stream's decoder"
                        + " types it: " + e.getMessage(), e);
            }
        }
        return new ChunkRow(row, key);
    }

    /**
     * Reads and renders a chunk: the rows after {@code after} in key order, selected by
     * {@link #selectList}, at most the {@link ChunkBudget#limit() budget's limit}, and fewer when their
     * documents reach {@code maxChunkBytes} first (the rows after that are not read from the result).
     * Each row is rendered as it is read; the rows themselves are not kept.
     *
     * @param number the chunk's number, for the events' position
     */
    private Chunk readChunk(TableRun t, @Nullable List<Object> after, long number) {
        String sql = KeySql.chunk(t.database, t.table, selectList(t), t.key, after != null);
        int limit = t.budget.limit();
        try {
            Chunk chunk = t.reads.use(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    if (after != null) {
                        for (Object v : KeySql.afterValues(after)) {
                            ps.setObject(p++, v);
                        }
                    }
                    ps.setInt(p, limit);
                    int rows = 0;
                    long bytes = 0;
                    List<Object> upper = List.of();
                    List<DocumentAction> creates = new ArrayList<>(limit);
                    List<Checkpoint.Pending> pending = new ArrayList<>(limit);
                    // the rows themselves only for a table with merge rules (MergeBackfill reads them)
                    List<ChunkRow> kept = t.merges ? new ArrayList<>(limit) : List.of();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (!t.budget.full(bytes) && rs.next()) {
                            ChunkRow row = readRow(t, rs);
                            upper = row.key();
                            rows++;
                            if (t.merges) {
                                // kept for the merge rounds, which also send its fields: counted too
                                kept.add(row);
                                bytes += DocumentSize.estimateBytes("", "", null, row.values());
                            }
                            for (DocumentAction a : RowRenderer.creates(rules, t.database, t.table, t.key, row.values(),
                                    upper, number)) {
                                creates.add(a);
                                pending.add(new Checkpoint.Pending(upper, DocumentRef.of(a)));
                                bytes += DocumentSize.estimateBytes(a.index(), a.id(), a.routing(), a.document());
                            }
                        }
                    }
                    boolean endReached = rows < limit && !t.budget.full(bytes);
                    t.budget.read(rows, bytes);
                    return new Chunk(rows, upper, creates, pending, kept, endReached);
                }
            });
            return chunk;
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": reading a chunk after key "
                    + shownKey(after) + " failed: " + Secrets.describe(e), e);
        }
    }

    /** The creates the rules make of one row; a row the filter leaves out makes none. */
    private List<DocumentAction> render(TableRun t, Map<String, Object> row, List<Object> key) {
        return RowRenderer.creates(rules, t.database, t.table, t.key, row, key, t.chunks);
    }

    /**
     * The resurrection guard: the pre-check selects the chunk's rows again and renders them; the
     * documents they do not produce at exactly their place are read, then their rows are selected
     * and rendered once more, and each document found that no current row produces at that place is
     * removed (conditionally). The order matters: see docs/backfill.md.
     */
    private void verify(TableRun t, List<Checkpoint.Pending> chunk) {
        verify(t, chunk, 0);
    }

    /** {@link #verify(TableRun, List)}, {@code round} times judged again after conflicts (merged-into indices). */
    private void verify(TableRun t, List<Checkpoint.Pending> chunk, int round) {
        // (0) the pre-check: a document a current row produces at exactly its place needs no read
        // (a row the rules refuse produces nothing here; its documents go on, and are left unjudged below)
        List<Checkpoint.Pending> pending = ChunkVerifier.unproduced(chunk,
                produced(t, ChunkVerifier.keys(chunk), new LinkedHashMap<>()));
        if (pending.isEmpty()) {
            return;
        }
        List<DocumentRef> refs = ChunkVerifier.refs(pending);
        List<StoredDocument> read = retrying(t, "reading " + refs.size() + " documents", () -> reader.read(refs));
        if (read.size() != refs.size()) {
            throw new BackfillException("backfill of " + t.shown() + ": the document reader answered " + read.size()
                    + " documents for " + refs.size());
        }
        List<StoredDocument> stored = new ArrayList<>(read.size());
        for (int i = 0; i < refs.size(); i++) {
            StoredDocument d = read.get(i);
            stored.add(new StoredDocument(refs.get(i), d.found(), d.seqNo(), d.primaryTerm(), d.source(),
                    d.storedRouting(), d.version()));
        }
        Map<List<String>, String> refused = new LinkedHashMap<>();
        Set<DocumentRef> produced = produced(t, ChunkVerifier.keys(pending), refused);
        for (String why : refused.values()) {
            LOG.warn("backfill of {}: the rules refuse the current row with key {}; its documents are left"
                    + " unverified", t.shown(), why);
        }
        List<DocumentAction> deletes = ChunkVerifier.staleCopies(
                ChunkVerifier.without(stored, refs, pending, refused.keySet()), produced,
                rules.rulesFor(t.database, t.table).get(0).isVersioned());
        if (deletes.isEmpty()) {
            return;
        }
        if (!t.shardRules.isEmpty()) {
            // after the locking re-select: a table the rule matches now but (2) did not read could
            // hold a row that produces one of these documents
            requireSameShards(t);
        }
        List<ItemResult> results = execute(t, deletes);
        Set<List<String>> conflicted = new HashSet<>();
        for (int i = 0; i < results.size(); i++) {
            ItemResult r = results.get(i);
            if (r.outcome() == ItemResult.Outcome.SUCCESS && r.status() != 404) {
                t.removed++;
            } else if (r.outcome() == ItemResult.Outcome.CONFLICT && t.mergedInto) {
                // a merge rule's update counts as a write since (1) too: not a sign that the stream
                // wrote the row's document again, so the copy is judged again (docs/backfill.md)
                conflicted.add(List.of(deletes.get(i).index(), deletes.get(i).id()));
            }
        }
        if (!conflicted.isEmpty()) {
            List<Checkpoint.Pending> again = new ArrayList<>();
            for (Checkpoint.Pending p : pending) {
                if (conflicted.contains(List.of(p.ref().index(), p.ref().id()))) {
                    again.add(p);
                }
            }
            if (round >= maxRetries) {
                throw new BackfillException("backfill of " + t.shown() + ": " + again.size() + " copies still conflict"
                        + " after " + round + " verifications, e.g. " + UntrustedText.shown(again.get(0).ref().describe(), 256));
            }
            verify(t, again, round + 1);
        }
    }

    /** Writes the merged fields of a chunk's rows ({@link MergeBackfill}); counted as created, or kept when the stream's. */
    private void mergeChunk(TableRun t, List<ChunkRow> rows) {
        List<MergeBackfill.Row> chunk = new ArrayList<>(rows.size());
        for (ChunkRow r : rows) {
            chunk.add(new MergeBackfill.Row(r.key(), r.values()));
        }
        MergeBackfill.Outcome o = MergeBackfill.load(t.shown(), chunk, keys -> {
            List<MergeBackfill.Row> out = new ArrayList<>();
            for (ChunkRow r : currentRows(t, keys)) {
                out.add(new MergeBackfill.Row(r.key(), r.values()));
            }
            return out;
        }, row -> RowRenderer.merges(rules, t.database, t.table, t.key, row.values(), row.key(), t.chunks),
                refs -> retrying(t, "reading " + refs.size() + " documents", () -> reader.read(refs)),
                actions -> execute(t, actions), maxRetries + 1);
        t.created += o.written();
        t.existed += o.kept();
    }

    /**
     * Where the current rows of {@code keys} ({@link #currentRows}), rendered through the rules, put
     * their documents. A row that exists but that the rules now refuse (a null routing or template
     * value) produces nothing; its key ({@link KeySql#normal}) goes into {@code refused}, with the key
     * as shown and the reason: the stream fails on the same change by its own outcome, and its
     * documents are left as they are.
     */
    private Set<DocumentRef> produced(TableRun t, List<List<Object>> keys, Map<List<String>, String> refused) {
        Set<DocumentRef> produced = new HashSet<>();
        if (!t.shards.isEmpty()) {
            shardProduced(t, keys, refused, produced);
            return produced;
        }
        for (ChunkRow row : currentRows(t, keys)) {
            try {
                for (DocumentAction a : render(t, row.values(), row.key())) {
                    produced.add(DocumentRef.of(a));
                }
            } catch (BackfillException e) {
                refused.put(KeySql.normal(row.key()), shownKey(row.key()) + ": " + e.getMessage());
            }
        }
        return produced;
    }

    /**
     * The current rows of {@code keys}, in {@code IN} lists of at most {@value #PRESENT_BATCH} keys,
     * selected by {@link #selectList} and read by {@link #readRow} exactly as {@link #readChunk}
     * selects and reads them: the verification renders these rows again and compares where their
     * documents land with where the chunk's creates went, so a value read otherwise would move an
     * unchanged row's document and remove a valid copy.
     */
    private List<ChunkRow> currentRows(TableRun t, List<List<Object>> keys) {
        for (int attempt = 0; ; attempt++) {
            try {
                return currentRowsOnce(t, keys);
            } catch (BackfillException e) {
                // the locking read can meet a deadlock or a lock wait timeout under write load: the
                // statement read nothing, so it is read again (at most maxRetries times)
                if (!(e.getCause() instanceof SQLException) || !lockConflict((SQLException) e.getCause())
                        || attempt >= maxRetries) {
                    throw e;
                }
                LOG.warn("backfill of {}: selecting the chunk's rows again met a lock conflict, retrying: {}",
                        t.shown(), Secrets.describe(e.getCause()));
                pause(attempt);
            }
        }
    }

    /**
     * The other tables of the table's sharded rules ({@link ShardTables}), resolved from
     * {@code information_schema} now: each checked as a table of its own (its rules, its key, which
     * must be the loaded table's key columns in the same order, and its columns' values), so the
     * verification can select and render its rows. A table created later is found by
     * {@link #requireSameShards} before any delete.
     */
    private void resolveShards(TableRun t) {
        java.util.TreeSet<String> names;
        try (Connection c = connection()) {
            names = ShardTables.matching(c, t.shardRules);
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": cannot list the tables its rule over several"
                    + " tables matches: " + Secrets.describe(e), e);
        }
        names.add(t.name);
        List<TableRun> shards = new ArrayList<>();
        for (String name : names) {
            if (name.equals(t.name)) {
                continue;
            }
            String[] dt = ShardTables.split(name);
            TableRun s = new TableRun(dt[0], dt[1]);
            checkRules(s);
            s.key = keyOf(s);
            if (!lowered(s.key).equals(lowered(t.key)) || !s.key.toString().equalsIgnoreCase(t.key.toString())) {
                throw new BackfillException("backfill of " + t.shown() + ": table " + s.shown() + ", which its rule"
                        + " over several tables also writes into the index, has the key "
                        + UntrustedText.shown(String.valueOf(s.key), 256) + ", not " + UntrustedText.shown(String.valueOf(t.key), 256)
                        + "; backfill needs the same key columns in every table of such a rule");
            }
            shards.add(s);
        }
        t.shardNames = names;
        t.shards = List.copyOf(shards);
        LOG.info("backfill of {}: its verification selects each key in {} tables: {}", t.shown(), names.size(),
                UntrustedText.shown(String.valueOf(names), 1024));
    }

    /** Fails when the tables the sharded rules match are no longer those {@link #resolveShards} found. */
    private void requireSameShards(TableRun t) {
        java.util.TreeSet<String> now;
        try (Connection c = connection()) {
            now = ShardTables.matching(c, t.shardRules);
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": cannot list the tables its rule over several"
                    + " tables matches: " + Secrets.describe(e), e);
        }
        now.add(t.name);
        if (!now.equals(t.shardNames)) {
            throw new BackfillException("backfill of " + t.shown() + ": the tables its rule over several tables matches"
                    + " changed during the run (" + UntrustedText.shown(String.valueOf(ShardTables.changed(t.shardNames, now)), 1024)
                    + "); the verification reads every table of the rule as found at the start, so it stops before"
                    + " removing a copy; run it again (the pending chunk is verified against the tables then)");
        }
    }

    /**
     * {@link #produced} for a table of a sharded rule: the keys selected in this table and in every
     * other table of the rule ({@link TableRun#shards}), by the same locking read, one statement per
     * table (a deadlock or lock wait timeout is read again, as {@link #currentRows}), each
     * table's rows read and rendered through the rules as that table's.
     */
    private void shardProduced(TableRun t, List<List<Object>> keys, Map<List<String>, String> refused,
            Set<DocumentRef> produced) {
        List<TableRun> all = new ArrayList<>(t.shards.size() + 1);
        all.add(t);
        all.addAll(t.shards);
        List<List<ChunkRow>> rows = null;
        for (int attempt = 0; rows == null; attempt++) {
            try {
                rows = shardRowsOnce(t, all, keys);
            } catch (BackfillException e) {
                if (!(e.getCause() instanceof SQLException) || !lockConflict((SQLException) e.getCause())
                        || attempt >= maxRetries) {
                    throw e;
                }
                LOG.warn("backfill of {}: selecting the chunk's keys in the rule's tables met a lock conflict,"
                        + " retrying: {}", t.shown(), Secrets.describe(e.getCause()));
                pause(attempt);
            }
        }
        for (int i = 0; i < all.size(); i++) {
            TableRun s = all.get(i);
            for (ChunkRow row : rows.get(i)) {
                try {
                    for (DocumentAction a : render(s, row.values(), row.key())) {
                        produced.add(DocumentRef.of(a));
                    }
                } catch (BackfillException e) {
                    refused.put(KeySql.normal(row.key()), s.shown() + " " + shownKey(row.key()) + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The rows of {@code keys} in each table of {@code all}, index for index: per table the locking
     * read of {@link #currentRows}, each statement in autocommit, so no share lock is held across
     * tables (held until one commit, they deadlock with a move's transaction that holds the new
     * row's lock and waits for the old row's, and InnoDB may roll back the application's
     * transaction); the argument needs no snapshot across the tables (docs/backfill.md).
     */
    private List<List<ChunkRow>> shardRowsOnce(TableRun t, List<TableRun> all, List<List<Object>> keys) {
        List<List<ChunkRow>> out = new ArrayList<>(all.size());
        try {
            // on the loaded table's connection: the work may run again on a new one (emptied first)
            t.reads.use(c -> {
                out.clear();
                for (TableRun s : all) {
                    List<ChunkRow> rows = new ArrayList<>();
                    readByKeys(s, c, keys, selectList(s), rows);
                    out.add(rows);
                }
                return null;
            });
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": selecting the chunk's keys in the tables of its"
                    + " rule over several tables failed: " + Secrets.describe(e), e);
        }
        return out;
    }

    /** A deadlock or lock wait timeout (MySQL and MariaDB error 1213 or 1205, SQLSTATE 40001). */
    static boolean lockConflict(SQLException e) {
        return e instanceof java.sql.SQLTransactionRollbackException || "40001".equals(e.getSQLState())
                || e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
    }

    private List<ChunkRow> currentRowsOnce(TableRun t, List<List<Object>> keys) {
        List<ChunkRow> rows = new ArrayList<>(keys.size());
        String selectList = selectList(t);
        try {
            t.reads.use(c -> {
                readByKeys(t, c, keys, selectList, rows);
                return null;
            });
        } catch (SQLException e) {
            throw new BackfillException("backfill of " + t.shown() + ": selecting the chunk's rows again failed: "
                    + Secrets.describe(e), e);
        }
        return rows;
    }

    /** The rows of {@code keys} into {@code rows} (emptied first: the work may run again on a new connection). */
    private void readByKeys(TableRun t, Connection c, List<List<Object>> keys, String selectList, List<ChunkRow> rows)
            throws SQLException {
        rows.clear();
        for (int from = 0; from < keys.size(); from += PRESENT_BATCH) {
            List<List<Object>> part = keys.subList(from, Math.min(keys.size(), from + PRESENT_BATCH));
            try (PreparedStatement ps = c.prepareStatement(
                    KeySql.rows(t.database, t.table, selectList, t.key, part.size()))) {
                int p = 1;
                for (List<Object> k : part) {
                    for (Object v : k) {
                        ps.setObject(p++, v);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(readRow(t, rs));
                    }
                }
            }
        }
    }

    /**
     * Sends {@code actions} until every item is done: retryable items and retriable whole-request
     * failures again after a backoff (a create or conditional delete sent twice is harmless), at most
     * {@code maxRetries} times; a permanent item stops the backfill naming its document.
     */
    private List<ItemResult> execute(TableRun t, List<DocumentAction> actions) {
        return execute(t, actions, null);
    }

    /** Sends {@code actions} without waiting: a first attempt for {@link #execute(TableRun, List, CompletionStage)}. */
    private CompletionStage<List<ItemResult>> startWrite(List<DocumentAction> actions) {
        try {
            return sink.execute(actions);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * As {@link #execute(TableRun, List)}, when {@code sent} is not null with its first attempt
     * already sent ({@link #startWrite}) and answering there.
     */
    private List<ItemResult> execute(TableRun t, List<DocumentAction> actions,
            @Nullable CompletionStage<List<ItemResult>> sent) {
        ItemResult[] results = new ItemResult[actions.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            todo.add(i);
        }
        for (int attempt = 0; ; attempt++) {
            List<DocumentAction> send = new ArrayList<>(todo.size());
            for (int i : todo) {
                send.add(actions.get(i));
            }
            // the first attempt of creates already sent answers there; a retry of it sends again
            CompletionStage<List<ItemResult>> given = attempt == 0 ? sent : null;
            boolean[] used = {false};
            List<ItemResult> got = retrying(t, "writing " + send.size() + " documents", () -> {
                if (given != null && !used[0]) {
                    used[0] = true;
                    return given;
                }
                return sink.execute(send);
            });
            if (got.size() != send.size()) {
                throw new BackfillException("backfill of " + t.shown() + ": the sink answered " + got.size()
                        + " items for " + send.size());
            }
            List<Integer> again = new ArrayList<>();
            ItemResult lastRetryable = null;
            for (int j = 0; j < got.size(); j++) {
                ItemResult r = got.get(j);
                int i = todo.get(j);
                if (r.isDone()) {
                    results[i] = r;
                } else if (r.outcome() == ItemResult.Outcome.RETRYABLE) {
                    again.add(i);
                    lastRetryable = r;
                } else {
                    throw new BackfillException("backfill of " + t.shown() + ": "
                            + UntrustedText.shown(actions.get(i).describe(), 256) + " was rejected: HTTP " + r.status()
                            + " " + r.errorType() + ": " + Secrets.redact(r.reason()));
                }
            }
            if (again.isEmpty()) {
                return List.of(results);
            }
            if (attempt >= maxRetries) {
                throw new BackfillException("backfill of " + t.shown() + ": " + again.size() + " documents still"
                        + " failing after " + maxRetries + " retries, e.g. "
                        + UntrustedText.shown(actions.get(again.get(0)).describe(), 256) + ": " + lastRetryable);
            }
            pause(attempt);
            todo = again;
        }
    }

    /**
     * Runs a call, repeating it after a retriable whole-request failure; after one in doubt
     * ({@link RequestInDoubtException}) only once its fence has passed.
     */
    private <T> T retrying(TableRun t, String what, java.util.function.Supplier<CompletionStage<T>> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get().toCompletableFuture().join();
            } catch (CompletionException | RetriableSyncException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (!(cause instanceof RetriableSyncException) || attempt >= maxRetries) {
                    if (cause instanceof RequestInDoubtException) {
                        // even when giving up: a restart must not verify before a late create can land
                        awaitFence(((RequestInDoubtException) cause).fence().toMillis());
                    }
                    throw new BackfillException("backfill of " + t.shown() + ": " + what + " failed"
                            + (attempt > 0 ? " after " + attempt + " retries" : "") + ": " + Secrets.describe(cause), cause);
                }
                LOG.warn("backfill of {}: {} failed, retrying: {}", t.shown(), what, Secrets.describe(cause));
                if (cause instanceof RequestInDoubtException) {
                    // the node may still apply the request: a create landing after this chunk's
                    // verification could resurrect a row deleted meanwhile, so nothing goes on (no
                    // retry, no verification) until the sink's fence for late writes has passed
                    awaitFence(((RequestInDoubtException) cause).fence().toMillis());
                }
                pause(attempt);
            }
        }
    }

    private void pause(int attempt) {
        long millis = Math.min(retryBackoff.toMillis() << Math.min(attempt, 6), 30_000);
        sleep(millis);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackfillException("backfill interrupted");
        }
    }

    /**
     * Waits out a late-write fence even when interrupted (the interrupt is re-asserted, and the run
     * stops, only after the fence has passed): whatever comes next, a retry, a verification or a
     * restart, must come after a late create could land.
     */
    static void awaitFence(long millis) {
        // real time: the fence bounds when Elasticsearch may still apply a request
        long end = System.nanoTime() + Duration.ofMillis(Math.max(0, millis)).toNanos();
        boolean interrupted = false;
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            try {
                Thread.sleep(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new BackfillException("backfill interrupted (after waiting out the sink's late-write fence)");
        }
    }

    /** Holds the table's rate at {@code maxRowsPerSecond} on average since its start. */
    private void throttle(TableRun t) {
        if (maxRowsPerSecond <= 0) {
            return;
        }
        double due = t.rowsDone / maxRowsPerSecond * 1000.0;
        double spent = (clock.nanoTime() - t.startNanos) / 1e6;
        sleep((long) (due - spent));
    }

    /** Before a chunk's read, waits while the stream is behind ({@link Builder#yieldTo}); delays only. */
    private void yieldToStream(TableRun t) {
        if (yield == null) {
            return;
        }
        try {
            t.yieldedNanos += yield.await(t.shown(), () -> stopped).toNanos();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackfillException("backfill interrupted");
        }
    }

    private void estimateStart(TableRun t, @Nullable List<Object> last) {
        try (Connection c = connection()) {
            if (t.key.size() == 1) {
                String col = KeySql.quote(t.key.get(0));
                try (PreparedStatement ps = c.prepareStatement("SELECT MIN(" + col + "), MAX(" + col + ") FROM "
                        + KeySql.table(t.database, t.table)); ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getObject(1) instanceof Number && rs.getObject(2) instanceof Number) {
                        BigDecimal min = new BigDecimal(rs.getObject(1).toString());
                        t.rangeMax = new BigDecimal(rs.getObject(2).toString());
                        t.rangeFrom = last != null && last.get(0) instanceof Number
                                ? new BigDecimal(last.get(0).toString()) : min.subtract(BigDecimal.ONE);
                        return;
                    }
                }
            }
            String sql = "SELECT COUNT(*) FROM " + KeySql.table(t.database, t.table)
                    + (last != null ? " WHERE " + KeySql.after(t.key) : "");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (last != null) {
                    List<Object> values = KeySql.afterValues(last);
                    for (int i = 0; i < values.size(); i++) {
                        ps.setObject(i + 1, values.get(i));
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        t.countLeftAtStart = rs.getLong(1);
                    }
                }
            }
        } catch (SQLException e) {
            // the estimate is a courtesy: the backfill goes on without it
            LOG.warn("backfill of {}: cannot estimate its size: {}", t.shown(), Secrets.describe(e));
        }
    }

    private BackfillProgress snapshot(TableRun t, @Nullable List<Object> last) {
        double seconds = (clock.nanoTime() - t.startNanos) / 1e9;
        Long left = null;
        if (t.countLeftAtStart != null) {
            left = Math.max(0, t.countLeftAtStart - t.rowsDone);
        } else if (t.rangeFrom != null && t.rangeMax != null && last != null && last.get(0) instanceof Number
                && t.rowsDone > 0) {
            BigDecimal at = new BigDecimal(last.get(0).toString());
            BigDecimal passed = at.subtract(t.rangeFrom);
            if (passed.signum() > 0) {
                double perKey = t.rowsDone / passed.doubleValue();
                left = Math.max(0L, Math.round(t.rangeMax.subtract(at).doubleValue() * perKey));
            }
        }
        return new BackfillProgress(t.name, t.rowsDone, seconds > 0 ? t.rowsDone / seconds : 0, left, t.created,
                t.existed, t.removed, t.chunks, Duration.ofNanos(t.yieldedNanos));
    }

    private static String shownKey(@Nullable List<Object> key) {
        return key == null ? "(start)" : UntrustedText.shown(String.valueOf(key), 256);
    }

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("backfill listener failed: {}", Secrets.describe(e));
        }
    }

    /**
     * Builds a {@link Backfill}. Setters check their argument ({@link IllegalArgumentException});
     * {@link #build()} checks the combination ({@link IllegalStateException}). Not thread-safe.
     */
    public static final class Builder {
        @Nullable private DataSource dataSource;
        @Nullable private Rules rules;
        @Nullable private BulkSink sink;
        @Nullable private DocumentReader reader;
        private final List<String[]> tables = new ArrayList<>();
        private boolean allTables;
        private final Set<String> tablesOf = new LinkedHashSet<>();
        private final Map<String, List<String>> keyColumns = new LinkedHashMap<>();
        private int chunkSize = 1000;
        private long maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES;
        private double maxRowsPerSecond;
        private CheckpointStore store = new InMemoryCheckpointStore();
        private final List<BackfillListener> listeners = new ArrayList<>();
        private SyncClock clock = SyncClock.system();
        private int maxRetries = 10;
        private Duration retryBackoff = Duration.ofMillis(200);
        private static final Duration DEFAULT_RESTART_FENCE = Duration.ofMinutes(2);
        @Nullable private Duration restartFence;
        @Nullable private BackfillValues values;
        @Nullable private StreamLatency yieldTo;
        private Duration maxStreamLatency = Duration.ZERO;
        private Duration maxYield = DEFAULT_MAX_YIELD;
        private StreamYield.Sleeper yieldSleeper = StreamYield.threadSleep();

        private Builder() {
        }

        /** Where rows are read; required. The library adds no JDBC driver: the application's data source brings it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The stream's rules; required. */
        public Builder rules(Rules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /**
         * Where documents are written, started by the caller; required. When it is also a
         * {@link DocumentReader} (as {@code ElasticsearchSink} is) it is the reader unless
         * {@link #reader} says otherwise.
         */
        public Builder sink(BulkSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where the verification reads documents; default the sink, when it is one. */
        public Builder reader(DocumentReader reader) {
            this.reader = Objects.requireNonNull(reader, "reader");
            return this;
        }

        /**
         * A table to load. Only named tables (no {@link #allTables()}, no {@link #tablesOf}) load in
         * the order given; default {@link #allTables()}.
         */
        public Builder table(String database, String table) {
            tables.add(new String[] {nonEmpty("database", database), nonEmpty("table", table)});
            return this;
        }

        /**
         * Loads every table a rule matches, also the default when no table is named: a rule naming its
         * database and table exactly names that table; a rule with a pattern (sharded
         * {@code order_item_\d+} into one index, or {@code {$table}} indices) names every base
         * table it matches in {@code information_schema.TABLES} when {@link Backfill#run()} starts
         * (only the tables the data source's user has a privilege on; a pattern that matches none
         * makes the run fail with a {@link BackfillException} naming the rule). Tables named with
         * {@link #table} load too, once. The tables load in rule order (a pattern's by name),
         * parents before the tables merged into their documents.
         */
        public Builder allTables() {
            this.allTables = true;
            return this;
        }

        /**
         * Loads the tables of the rules whose index is exactly {@code index} (as written in the
         * rule, a template included), each rule's tables found as {@link #allTables()} finds them:
         * what a re-sync of an alias loads. May be called for several indices; {@link #build()}
         * refuses an index no rule writes.
         */
        public Builder tablesOf(String index) {
            tablesOf.add(nonEmpty("index", index));
            return this;
        }

        /**
         * The key columns to chunk by, in order: for a table without a primary key, the columns of a
         * UNIQUE index, exactly, each NOT NULL; for a table with one, only its columns (another order
         * is allowed). Anything else makes {@link Backfill#run()} fail naming the table. The rules'
         * ids must be built from exactly these columns (see the class comment).
         */
        public Builder keyColumns(String database, String table, String... columns) {
            if (columns.length == 0) {
                throw new IllegalArgumentException("keyColumns of " + database + "." + table + " needs a column");
            }
            List<String> list = new ArrayList<>();
            for (String c : columns) {
                list.add(nonEmpty("key column", c));
            }
            keyColumns.put(nonEmpty("database", database) + "." + nonEmpty("table", table), List.copyOf(list));
            return this;
        }

        /** Rows per chunk, 1 to 100,000; default 1000. */
        public Builder chunkSize(int rows) {
            if (rows < 1 || rows > 100_000) {
                throw new IllegalArgumentException("chunkSize must be 1..100000: " + rows);
            }
            this.chunkSize = rows;
            return this;
        }

        /**
         * The most bytes of documents per chunk, 1 KiB to 1 GiB; default 5 MiB
         * ({@link Backfill#DEFAULT_MAX_CHUNK_BYTES}). A chunk ends at {@link #chunkSize} rows or as
         * soon as the documents rendered from its rows reach this (estimated as the pipeline's
         * {@code maxBulkBytes} is), whichever comes first: reading stops there, and a row is never
         * split, so a chunk holds at most this plus one row's documents. The next chunk's
         * {@code SELECT} asks for the rows that fit at the widths just seen (see
         * {@code docs/backfill.md}, Limits, Memory).
         */
        public Builder maxChunkBytes(long bytes) {
            if (bytes < 1024 || bytes > (1L << 30)) {
                throw new IllegalArgumentException("maxChunkBytes must be 1024..1073741824 (1 KiB..1 GiB): " + bytes);
            }
            this.maxChunkBytes = bytes;
            return this;
        }

        /** The most rows per second, on average per table; 0 (the default) for no limit. */
        public Builder maxRowsPerSecond(double rows) {
            if (!(rows >= 0) || Double.isInfinite(rows)) {
                throw new IllegalArgumentException("maxRowsPerSecond must be >= 0 and finite: " + rows);
            }
            this.maxRowsPerSecond = rows;
            return this;
        }

        /** Where checkpoints are kept; default in memory (a new process starts over). */
        public Builder checkpointStore(CheckpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Adds a listener that hears the progress (call it once per listener: each hears every call,
         * in the order added; one that throws is logged and does not keep the call from the
         * others); default none.
         */
        public Builder listener(BackfillListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Yields to {@code pipeline}, the stream that shares the sink: before each chunk, while the
         * pipeline's sync latency ({@link StreamLatency#of(SyncPipeline)}: the mean of the actions it
         * acknowledged since the last look, or the time since its last acknowledgement while work
         * waits) is above {@code maxStreamLatency}, the backfill waits, looking again after 50 ms,
         * then after twice as long each time up to 1 s, for at most {@link #maxYield} per chunk. The
         * time waited shows in {@link BackfillProgress#yielded()}. It only delays chunks. Default:
         * no yield (the service and the demo yield to their pipeline with
         * {@link Backfill#DEFAULT_MAX_STREAM_LATENCY}, 5 s: a target must be above what the signal
         * reads for a healthy stream, see there).
         *
         * @throws IllegalArgumentException when {@code maxStreamLatency} is not positive or above
         *     {@link Backfill#LONGEST_YIELD_SETTING} (1 h)
         */
        public Builder yieldTo(SyncPipeline pipeline, Duration maxStreamLatency) {
            Objects.requireNonNull(pipeline, "pipeline");
            return yieldTo(StreamLatency.of(pipeline), maxStreamLatency);
        }

        /**
         * As {@link #yieldTo(SyncPipeline, Duration)}, with the stream's latency read from
         * {@code stream} (its own per backfill: it may keep state between readings).
         *
         * @throws IllegalArgumentException when {@code maxStreamLatency} is not positive or above
         *     {@link Backfill#LONGEST_YIELD_SETTING} (1 h)
         */
        public Builder yieldTo(StreamLatency stream, Duration maxStreamLatency) {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(maxStreamLatency, "maxStreamLatency");
            if (maxStreamLatency.isNegative() || maxStreamLatency.isZero()) {
                throw new IllegalArgumentException("maxStreamLatency must be > 0: " + maxStreamLatency);
            }
            if (maxStreamLatency.compareTo(LONGEST_YIELD_SETTING) > 0) {
                throw new IllegalArgumentException("maxStreamLatency must be at most " + LONGEST_YIELD_SETTING + ": "
                        + maxStreamLatency);
            }
            this.yieldTo = stream;
            this.maxStreamLatency = maxStreamLatency;
            return this;
        }

        /**
         * The longest wait for the stream before one chunk ({@link #yieldTo}); default 10 s. A stream
         * that stays behind for another reason slows the backfill to one chunk per {@code maxYield}
         * (plus the chunk's own time), never stops it. Without {@code yieldTo} it has no effect.
         *
         * @throws IllegalArgumentException when not positive or above {@link Backfill#LONGEST_YIELD_SETTING} (1 h)
         */
        public Builder maxYield(Duration maxYield) {
            Objects.requireNonNull(maxYield, "maxYield");
            if (maxYield.isNegative() || maxYield.isZero()) {
                throw new IllegalArgumentException("maxYield must be > 0: " + maxYield);
            }
            if (maxYield.compareTo(LONGEST_YIELD_SETTING) > 0) {
                throw new IllegalArgumentException("maxYield must be at most " + LONGEST_YIELD_SETTING + ": " + maxYield);
            }
            this.maxYield = maxYield;
            return this;
        }

        /** How the yield waits (a test's moves a manual clock); default {@link Thread#sleep}. */
        Builder yieldSleeper(StreamYield.Sleeper sleeper) {
            this.yieldSleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** The clock for rates and throttling; default the system clock. */
        public Builder clock(SyncClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Retries of a retryable write, read, checkpoint save or load before the backfill stops, 0 to 1000; default 10. */
        public Builder maxRetries(int retries) {
            if (retries < 0 || retries > 1000) {
                throw new IllegalArgumentException("maxRetries must be 0..1000: " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** The first retry's pause, doubled per retry up to 30 s; default 200 ms. */
        public Builder retryBackoff(Duration backoff) {
            Objects.requireNonNull(backoff, "backoff");
            if (backoff.isNegative() || backoff.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("retryBackoff must be 0..1min: " + backoff);
            }
            this.retryBackoff = backoff;
            return this;
        }

        /**
         * How long a run that finds pending chunks (an earlier run stopped inside them) waits before
         * verifying them: at least the sink's late-write fence, so a create the earlier run left in
         * flight cannot land after the verification. 0 to 1 day; default the sink's
         * {@link BulkSink#lateWriteFence()} (ElasticsearchSink's is twice its socket timeout, 2 min
         * by default), at least 2 min. A value shorter than the sink's fence is logged at WARN by
         * {@link #build()}. Zero only when no earlier run can have left a request in flight.
         */
        public Builder restartFence(Duration fence) {
            Objects.requireNonNull(fence, "fence");
            if (fence.isNegative() || fence.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("restartFence must be 0..1day: " + fence);
            }
            this.restartFence = fence;
            return this;
        }

        /**
         * How each column is selected and read: give the stream's decoder's values, configured like
         * the stream's decoder ({@code canalDecoder.backfillValues()}, likewise for the Debezium and
         * Maxwell decoders), so a backfilled document equals the stream's document for the same row,
         * types included. Not set, the backfill reads with the driver's {@code getObject}
         * ({@link BackfillValues#jdbc()}) only a table whose columns are all integers (not
         * {@code TINYINT(1)}, not {@code BIGINT UNSIGNED}), decimals or of the
         * {@code CHAR}/{@code VARCHAR}/{@code TEXT} family, where the driver's values equal every
         * decoder's; any other table it refuses with a {@link BackfillException} naming the table,
         * those columns and their types, before reading a row. {@code values(BackfillValues.jdbc())}
         * reads every table with the driver's values: a deliberate choice, for a stream whose values
         * are the driver's.
         */
        public Builder values(BackfillValues values) {
            this.values = Objects.requireNonNull(values, "values");
            return this;
        }

        /**
         * Named tables alone ({@link #table}) load in the order given; otherwise ({@link #allTables()},
         * the default, or {@link #tablesOf}) in rule order, except that a table with a merge rule comes
         * after every table whose own rule writes into the index it merges into. The tables of a
         * pattern are listed, and that order checked, when the backfill runs ({@link BackfillException}).
         *
         * @throws IllegalStateException without a data source, rules or sink; without a reader when
         *     the sink is none; when no rule names a table; for {@link #tablesOf} an index no rule
         *     writes; when the tables given name a table with a merge rule before a table whose rule
         *     writes the documents it merges into, or without naming such a table at all
         */
        public Backfill build() {
            if (dataSource == null || rules == null || sink == null) {
                throw new IllegalStateException("a backfill needs dataSource, rules and sink");
            }
            if (reader == null) {
                if (!(sink instanceof DocumentReader)) {
                    throw new IllegalStateException("the sink is not a DocumentReader: give one with reader(...)");
                }
                reader = (DocumentReader) sink;
            }
            // parents before the children merged into their documents (a merge never creates one);
            // the tables of patterns are listed when the backfill runs
            TableSelection chosen = TableSelection.of(rules, tables, allTables, tablesOf);
            Duration sinkFence = sink.lateWriteFence();
            if (restartFence == null) {
                restartFence = sinkFence.compareTo(DEFAULT_RESTART_FENCE) > 0 ? sinkFence : DEFAULT_RESTART_FENCE;
            } else if (restartFence.compareTo(sinkFence) < 0) {
                LOG.warn("backfill restartFence {} is shorter than the sink's late-write fence {}: a create an earlier"
                        + " run left in flight may land after its chunk's verification and bring back a deleted row",
                        restartFence, sinkFence);
            }
            return new Backfill(this, chosen);
        }

        private static String nonEmpty(String what, String value) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value;
        }
    }
}
