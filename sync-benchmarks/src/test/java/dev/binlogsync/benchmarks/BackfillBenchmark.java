package dev.binlogsync.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.backfill.InMemoryCheckpointStore;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.elasticsearch.ElasticsearchCheckpointStore;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * Backfill throughput against a plain bulk load of the same rows, in the same run.
 *
 * <p>A real MariaDB ({@link EmbeddedMariaDb}, its own process) holds a table of {@code rows} rows of
 * eleven columns (a {@code BIGINT} primary key, integers, decimals, varchar, some {@code NULL}s);
 * Elasticsearch runs in a JVM of its own ({@code servers=processes}, the default) or in this one
 * ({@code servers=in-process}). Each round loads the table twice into fresh indices (1 shard, 0
 * replicas, created the same way before either load), alternating which goes first:
 *
 * <ul>
 *   <li><b>backfill</b>: {@link Backfill} with its defaults (chunk size, retries) as a user runs it:
 *       an {@link ElasticsearchSink} with its defaults, an {@link ElasticsearchCheckpointStore},
 *       the driver's connection pool ({@link MariaDbPoolDataSource}), one rule for the table;
 *   <li><b>plain</b>: what a loader without the library does: one JDBC connection reading the same
 *       rows by keyset pagination in chunks of the same size ({@code WHERE id > ? ORDER BY id LIMIT
 *       n}), each chunk encoded with Jackson and sent as one {@code _bulk} of {@code index} actions
 *       with the bare low-level {@link RestClient}, its answer checked for errors. With
 *       {@code plainOverlap=false} (the default, what the backfill does) the next chunk is read only
 *       after the bulk answered; with {@code plainOverlap=true} the next chunk is read and encoded
 *       while the bulk is in flight (still one bulk in flight) (what {@code Backfill} does when it overlaps its next read with a
 *       chunk's write).
 * </ul>
 *
 * <p>After both loads of a round the two indices are compared: the counts equal the table's
 * {@code COUNT(*)}, and the {@code _source} of {@code sample} random rows (every row with
 * {@code verify=full}) is equal in both (JSON trees, decimals compared with their scale); the run
 * throws otherwise. Per load it prints rows/s, the CPU per row of this JVM (the loader, with its GC
 * and JIT), of Elasticsearch's process (with {@code servers=processes}) and of MariaDB's process; for
 * the backfill also where its wall time went (writes, {@code _mget}, the verification's re-select,
 * the chunk {@code SELECT}s, checkpoint saves, JDBC connection handling, the rest: rendering and
 * row reading). A warm-up on a smaller table ({@code warmRows}, {@code warmRounds} times each)
 * comes first and is not counted.
 *
 * <pre>
 * sync-benchmarks/run-backfill-bench.sh [rows=500000] [rounds=3] [warmRows=50000] [warmRounds=1]
 *     [servers=processes|in-process] [serverHeap=2g] [verify=sample|full] [sample=5000] [chunk=1000]
 *     [plainOverlap=false|true] [store=elasticsearch|memory] [plainOp=index|create] [dataSource=pool|unpooled]
 * </pre>
 *
 * <p>{@code chunk} is the plain loader's chunk size; the backfill keeps its default unless
 * {@code backfillChunk=} is given. {@code store=memory} keeps the checkpoints in memory
 * ({@code InMemoryCheckpointStore}), to measure what the Elasticsearch store costs;
 * {@code plainOp=create} makes the plain loader send {@code create} actions as the backfill does.
 * {@code dataSource=unpooled} gives the backfill the driver's {@code MariaDbDataSource} (a new
 * network connection per {@code getConnection}) instead of its pool; the plain loader keeps its one
 * connection.
 */
public final class BackfillBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonFactory FACTORY = new JsonFactory();
    /** The plain loader's bulk action ({@code plainOp=}); one run at a time per JVM. */
    private static final String[] PLAIN_OP = {"index"};
    private static final String TABLE = "items";
    private static final String[] STATUS = {"new", "paid", "shipped", "delivered", "returned", "cancelled"};
    private static final String[] CITIES = {"Berlin", "Lisbon", "Osaka", "Recife", "Tartu", "Quebec City",
            "Ouagadougou", "Bergen", "Cusco", "Wellington"};

    private BackfillBenchmark() {
    }

    /** What a run measured: rows/s per round of each load, and the medians. */
    record Summary(List<Double> backfillRates, List<Double> plainRates, double medianBackfill, double medianPlain,
            double medianRatio, double backfillCpuMicros, double plainCpuMicros) {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    static Summary run(String[] args) throws Exception {
        int rows = intArg(args, "rows", 500_000, 1);
        int rounds = intArg(args, "rounds", 3, 0);
        int warmRows = intArg(args, "warmRows", Math.min(rows, 50_000), 1);
        int warmRounds = intArg(args, "warmRounds", 1, 0);
        String servers = EndToEndBenchmark.stringArg(args, "servers", "processes");
        String heap = EndToEndBenchmark.stringArg(args, "serverHeap", "2g");
        String verify = EndToEndBenchmark.stringArg(args, "verify", "sample");
        int sample = intArg(args, "sample", 5000, 1);
        int chunk = intArg(args, "chunk", 1000, 1);
        String backfillChunk = EndToEndBenchmark.stringArg(args, "backfillChunk", null);
        boolean plainOverlap = Boolean.parseBoolean(EndToEndBenchmark.stringArg(args, "plainOverlap", "false"));
        String store = EndToEndBenchmark.stringArg(args, "store", "elasticsearch");
        String plainOp = EndToEndBenchmark.stringArg(args, "plainOp", "index");
        String dataSource = EndToEndBenchmark.stringArg(args, "dataSource", "pool");
        if (!dataSource.equals("pool") && !dataSource.equals("unpooled")) {
            throw new IllegalArgumentException("dataSource must be pool or unpooled: " + dataSource);
        }
        if (!plainOp.equals("index") && !plainOp.equals("create")) {
            throw new IllegalArgumentException("plainOp must be index or create: " + plainOp);
        }
        PLAIN_OP[0] = plainOp;
        if (!store.equals("elasticsearch") && !store.equals("memory")) {
            throw new IllegalArgumentException("store must be elasticsearch or memory: " + store);
        }
        if (!verify.equals("sample") && !verify.equals("full")) {
            throw new IllegalArgumentException("verify must be sample or full: " + verify);
        }
        System.out.printf(Locale.ROOT, "rows=%d rounds=%d warmRows=%d warmRounds=%d servers=%s chunk=%d "
                        + "backfillChunk=%s plainOverlap=%s plainOp=%s store=%s dataSource=%s verify=%s java=%s cores=%d maxHeap=%dMiB start=%s%n",
                rows, rounds, warmRows, warmRounds, servers, chunk, backfillChunk == null ? "(default)" : backfillChunk,
                plainOverlap, plainOp, store, dataSource, verify, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, Instant.now());

        try (EmbeddedMariaDb db = EmbeddedMariaDb.start(); Es es = Es.start(servers, heap);
                RestClient client = RestClient.builder(HttpHost.create(es.url)).build();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.url).build()) {
            sink.start();
            System.out.println("MariaDB " + db.version() + " (" + db.launcher() + "), Elasticsearch at " + es.url
                    + (es.process == null ? " in this JVM" : " in process " + es.process.pid()));
            ProcessHandle mariadb = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().map(c -> c.contains("mariadbd") || c.contains("mysqld")).orElse(false))
                    .findFirst().orElse(null);
            long t0 = System.nanoTime();
            fill(db, "bench", rows, 1);
            if (warmRounds > 0) {
                fill(db, "bench_warm", warmRows, 2);
            }
            System.out.printf(Locale.ROOT, "filled bench.items with %,d rows%s in %.1f s%n", rows,
                    warmRounds > 0 ? String.format(Locale.ROOT, " and bench_warm.items with %,d", warmRows) : "",
                    (System.nanoTime() - t0) / 1e9);
            MariaDbPoolDataSource pool = new MariaDbPoolDataSource(db.jdbcUrl() + "?user=" + db.user());
            try {
                DataSource backfillSource = pool;
                if (dataSource.equals("unpooled")) {
                    org.mariadb.jdbc.MariaDbDataSource unpooled = new org.mariadb.jdbc.MariaDbDataSource();
                    unpooled.setUrl(db.jdbcUrl() + "?user=" + db.user());
                    backfillSource = unpooled;
                }
                Loads loads = new Loads(db, pool, backfillSource, client, sink, es, mariadb, chunk,
                        backfillChunk == null ? null : Integer.valueOf(backfillChunk), plainOverlap, store.equals("memory"));
                for (int i = 0; i < warmRounds; i++) {
                    loads.pair("warm-" + i, "bench_warm", warmRows, i % 2 == 0, "sample", Math.min(sample, warmRows));
                }
                List<Double> bf = new ArrayList<>();
                List<Double> plain = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                List<Double> bfCpu = new ArrayList<>();
                List<Double> plainCpu = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    Load[] pair = loads.pair("round-" + r, "bench", rows, r % 2 == 1, verify, sample);
                    bf.add(pair[0].rate());
                    plain.add(pair[1].rate());
                    ratios.add(pair[0].rate() / pair[1].rate());
                    bfCpu.add(pair[0].jvmCpuMicrosPerRow());
                    plainCpu.add(pair[1].jvmCpuMicrosPerRow());
                }
                if (rounds == 0) {
                    return new Summary(bf, plain, 0, 0, 0, 0, 0);
                }
                Summary s = new Summary(bf, plain, median(bf), median(plain), median(ratios), median(bfCpu),
                        median(plainCpu));
                System.out.printf(Locale.ROOT, "RESULT backfill %s rows/s (median %,.0f), plain %s rows/s (median %,.0f);"
                                + " backfill / plain: median of rounds %.1f%%, of medians %.1f%%; loader JVM CPU per row:"
                                + " backfill %.1f us, plain %.1f us (medians)%n", rates(bf), s.medianBackfill(),
                        rates(plain), s.medianPlain(), 100 * s.medianRatio(), 100 * s.medianBackfill() / s.medianPlain(),
                        s.backfillCpuMicros(), s.plainCpuMicros());
                return s;
            } finally {
                pool.close();
            }
        }
    }

    private static int intArg(String[] args, String name, int dflt, int min) {
        String v = EndToEndBenchmark.stringArg(args, name, null);
        int i = v == null ? dflt : Integer.parseInt(v);
        if (i < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + i);
        }
        return i;
    }

    private static String rates(List<Double> rates) {
        StringBuilder b = new StringBuilder();
        for (double r : rates) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", r));
        }
        return b.toString();
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int k = v.size();
        return k % 2 == 1 ? v.get(k / 2) : (v.get(k / 2 - 1) + v.get(k / 2)) / 2;
    }

    /** Creates {@code database.items} and fills it with {@code rows} generated rows (deterministic per seed). */
    static void fill(EmbeddedMariaDb db, String database, int rows, long seed) throws SQLException {
        db.execute("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database,
                "CREATE TABLE " + database + "." + TABLE + " (id BIGINT NOT NULL PRIMARY KEY, customer_id INT NOT NULL,"
                        + " quantity INT NOT NULL, price DECIMAL(10,2) NOT NULL, discount DECIMAL(5,2) NULL,"
                        + " weight DECIMAL(12,3) NOT NULL, status VARCHAR(16) NOT NULL, sku VARCHAR(32) NOT NULL,"
                        + " name VARCHAR(80) NOT NULL, city VARCHAR(48) NULL, created_seq BIGINT NOT NULL)");
        Random random = new Random(seed);
        try (Connection c = db.connect(database); Statement s = c.createStatement()) {
            for (int from = 1; from <= rows; from += 1000) {
                StringBuilder sql = new StringBuilder("INSERT INTO ").append(TABLE).append(" VALUES ");
                for (int id = from; id < from + 1000 && id <= rows; id++) {
                    int price = random.nextInt(10_000_000);
                    int weight = random.nextInt(1_000_000_000);
                    sql.append(id == from ? "(" : ",(").append(id).append(',').append(random.nextInt(1_000_000)).append(',')
                            .append(random.nextInt(100)).append(',').append(price / 100).append('.')
                            .append(String.format(Locale.ROOT, "%02d", price % 100)).append(',');
                    if (random.nextInt(10) == 0) {
                        sql.append("NULL");
                    } else {
                        int d = random.nextInt(5000);
                        sql.append(d / 100).append('.').append(String.format(Locale.ROOT, "%02d", d % 100));
                    }
                    sql.append(',').append(weight / 1000).append('.').append(String.format(Locale.ROOT, "%03d", weight % 1000))
                            .append(",'").append(STATUS[random.nextInt(STATUS.length)]).append("','SKU-")
                            .append(Long.toHexString(random.nextLong() & 0xffffffffffL)).append("','");
                    int words = 2 + random.nextInt(6);
                    for (int w = 0; w < words; w++) {
                        sql.append(w == 0 ? "" : " ");
                        int len = 3 + random.nextInt(7);
                        for (int k = 0; k < len; k++) {
                            sql.append((char) ('a' + random.nextInt(26)));
                        }
                    }
                    sql.append("',");
                    if (random.nextInt(20) == 0) {
                        sql.append("NULL");
                    } else {
                        sql.append('\'').append(CITIES[random.nextInt(CITIES.length)]).append('\'');
                    }
                    sql.append(',').append(1_700_000_000_000L + id * 1000L + random.nextInt(1000)).append(')');
                }
                s.execute(sql.toString());
            }
        }
    }

    /** One measured load. */
    record Load(String what, int rows, double seconds, long jvmCpu, long esCpu, long dbCpu,
            @Nullable Map<String, Long> phases) {
        double rate() {
            return rows / seconds;
        }

        double jvmCpuMicrosPerRow() {
            return jvmCpu / 1e3 / rows;
        }
    }

    /** The two loads of a round, their measurement and their comparison. */
    private static final class Loads {
        final EmbeddedMariaDb db;
        final DataSource pool;
        /** The backfill's data source: {@link #pool}, or one without a pool ({@code dataSource=unpooled}). */
        final DataSource backfillSource;
        final RestClient client;
        final ElasticsearchSink sink;
        final Es es;
        @Nullable final ProcessHandle mariadb;
        final int chunk;
        @Nullable final Integer backfillChunk;
        final boolean plainOverlap;
        final boolean memoryStore;

        Loads(EmbeddedMariaDb db, DataSource pool, DataSource backfillSource, RestClient client, ElasticsearchSink sink, Es es,
                @Nullable ProcessHandle mariadb, int chunk, @Nullable Integer backfillChunk, boolean plainOverlap,
                boolean memoryStore) {
            this.db = db;
            this.pool = pool;
            this.backfillSource = backfillSource;
            this.client = client;
            this.sink = sink;
            this.es = es;
            this.mariadb = mariadb;
            this.chunk = chunk;
            this.backfillChunk = backfillChunk;
            this.plainOverlap = plainOverlap;
            this.memoryStore = memoryStore;
        }

        /** Both loads of {@code database.items}, backfill first when {@code backfillFirst}; [backfill, plain]. */
        Load[] pair(String name, String database, int rows, boolean backfillFirst, String verify, int sample)
                throws Exception {
            String bfIndex = "bf-" + name;
            String plainIndex = "plain-" + name;
            createIndex(bfIndex);
            createIndex(plainIndex);
            Load bf;
            Load plain;
            if (backfillFirst) {
                bf = measure("backfill", rows, () -> backfill(database, bfIndex, rows));
                plain = measure("plain", rows, () -> plain(database, plainIndex));
            } else {
                plain = measure("plain", rows, () -> plain(database, plainIndex));
                bf = measure("backfill", rows, () -> backfill(database, bfIndex, rows));
            }
            for (Load l : backfillFirst ? new Load[] {bf, plain} : new Load[] {plain, bf}) {
                System.out.printf(Locale.ROOT, "RESULT %s %s: %,d rows in %.2f s, %,.0f rows/s; CPU per row: loader JVM"
                                + " %.1f us, Elasticsearch %s, MariaDB %s%n", name, l.what(), l.rows(), l.seconds(), l.rate(),
                        l.jvmCpuMicrosPerRow(), es.process == null ? "(in this JVM)"
                                : String.format(Locale.ROOT, "%.1f us", l.esCpu() / 1e3 / rows),
                        mariadb == null ? "(unknown)" : String.format(Locale.ROOT, "%.1f us", l.dbCpu() / 1e3 / rows));
            }
            System.out.printf(Locale.ROOT, "RESULT %s backfill / plain: %.1f%%%n", name, 100 * bf.rate() / plain.rate());
            Map<String, Long> phases = bf.phases();
            if (phases != null) {
                long accounted = 0;
                StringBuilder b = new StringBuilder();
                for (Map.Entry<String, Long> e : phases.entrySet()) {
                    accounted += e.getValue();
                    b.append(String.format(Locale.ROOT, "%s %.2f s (%.0f%%), ", e.getKey(), e.getValue() / 1e9,
                            100 * e.getValue() / 1e9 / bf.seconds()));
                }
                double rest = bf.seconds() - accounted / 1e9;
                // the backfill overlaps its calls (the next chunk's SELECT and checkpoint save, and a
                // chunk's verification, while creates are in flight): the phases can add up to more
                // than the wall time, and the rest is then what no phase covers, or negative
                System.out.printf(Locale.ROOT, "RESULT %s backfill wall time (phases overlap): %sthe rest (rules,"
                        + " row reading, waits) %.2f s (%.0f%%)%n", name, b, rest, 100 * rest / bf.seconds());
            }
            compare(bfIndex, plainIndex, database, rows, verify, sample);
            deleteIndex(bfIndex);
            deleteIndex(plainIndex);
            return new Load[] {bf, plain};
        }

        interface Body {
            @Nullable
            Map<String, Long> run() throws Exception;
        }

        Load measure(String what, int rows, Body body) throws Exception {
            long jvm0 = ownCpu();
            long es0 = es.cpu();
            long db0 = cpu(mariadb);
            long t0 = System.nanoTime();
            Map<String, Long> phases = body.run();
            long t1 = System.nanoTime();
            return new Load(what, rows, (t1 - t0) / 1e9, ownCpu() - jvm0, es.cpu() - es0, cpu(mariadb) - db0, phases);
        }

        /** The backfill as a user runs it; its phases timed by thin wrappers around what it calls. */
        Map<String, Long> backfill(String database, String index, int rows) {
            Phases phases = new Phases();
            Rules rules = Rules.builder().rule(TableRule.builder().database(database).table(TABLE).index(index).build())
                    .build();
            TimedSink timedSink = new TimedSink(sink, phases);
            Backfill.Builder b = Backfill.builder()
                    .dataSource(timedDataSource(backfillSource, phases))
                    .rules(rules)
                    .sink(timedSink)
                    .reader(timedSink)
                    .checkpointStore(new TimedStore(memoryStore ? new InMemoryCheckpointStore()
                            : ElasticsearchCheckpointStore.of(client, "binlog-sync-backfill"), phases));
            if (backfillChunk != null) {
                b.chunkSize(backfillChunk);
            }
            Backfill backfill = b.build();
            if (!backfill.run()) {
                throw new IllegalStateException("the backfill stopped before the end");
            }
            BackfillProgress p = backfill.progress();
            if (p == null || p.rowsDone() != rows || p.resurrectionsRemoved() != 0) {
                throw new IllegalStateException("the backfill did not load every row once: " + p);
            }
            return phases.snapshot();
        }

        /** The plain loader: keyset chunks over one connection, one {@code index} bulk per chunk. */
        @Nullable
        Map<String, Long> plain(String database, String index) throws Exception {
            String cols = "id, customer_id, quantity, price, discount, weight, status, sku, name, city, created_seq";
            try (Connection c = pool.getConnection();
                    PreparedStatement first = c.prepareStatement("SELECT " + cols + " FROM " + database + "." + TABLE
                            + " ORDER BY id LIMIT ?");
                    PreparedStatement next = c.prepareStatement("SELECT " + cols + " FROM " + database + "." + TABLE
                            + " WHERE id > ? ORDER BY id LIMIT ?")) {
                first.setInt(1, chunk);
                Chunk current = readChunk(first, index);
                Pending inFlight = null;
                while (current.rows() > 0) {
                    if (plainOverlap) {
                        // one bulk in flight while the next chunk is read and encoded
                        if (inFlight != null) {
                            inFlight.await();
                        }
                        inFlight = send(current);
                    } else {
                        send(current).await();
                    }
                    next.setLong(1, current.lastId());
                    next.setInt(2, chunk);
                    current = readChunk(next, index);
                }
                if (inFlight != null) {
                    inFlight.await();
                }
            }
            return null;
        }

        /** One chunk's rows, encoded as an {@code index} bulk body. */
        private record Chunk(int rows, long lastId, byte[] body) {
            static final Chunk EMPTY = new Chunk(0, 0, new byte[0]);
        }

        private Chunk readChunk(PreparedStatement ps, String index) throws SQLException, IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512 * chunk);
            int n = 0;
            long last = 0;
            try (ResultSet rs = ps.executeQuery(); JsonGenerator g = FACTORY.createGenerator(out)) {
                ResultSetMetaData md = rs.getMetaData();
                int columns = md.getColumnCount();
                String[] names = new String[columns];
                for (int i = 0; i < columns; i++) {
                    names[i] = md.getColumnLabel(i + 1);
                }
                g.setRootValueSeparator(null);
                while (rs.next()) {
                    last = rs.getLong(1);
                    g.writeStartObject();
                    g.writeObjectFieldStart(PLAIN_OP[0]);
                    g.writeStringField("_index", index);
                    g.writeStringField("_id", Long.toString(last));
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeRaw('\n');
                    g.writeStartObject();
                    for (int i = 0; i < columns; i++) {
                        Object v = rs.getObject(i + 1);
                        g.writeFieldName(names[i]);
                        if (v == null) {
                            g.writeNull();
                        } else if (v instanceof Long || v instanceof Integer) {
                            g.writeNumber(((Number) v).longValue());
                        } else if (v instanceof BigDecimal) {
                            g.writeNumber((BigDecimal) v);
                        } else {
                            g.writeString(v.toString());
                        }
                    }
                    g.writeEndObject();
                    g.writeRaw('\n');
                    n++;
                }
            }
            return new Chunk(n, last, out.toByteArray());
        }

        /** A bulk on its way: {@link #await()} waits for its answer and checks it. */
        private final class Pending {
            final java.util.concurrent.CompletableFuture<Response> answer = new java.util.concurrent.CompletableFuture<>();

            void await() throws Exception {
                Response r = answer.get(5, TimeUnit.MINUTES);
                try (InputStream in = r.getEntity().getContent()) {
                    JsonNode body = JSON.readTree(in);
                    if (body.path("errors").asBoolean(true)) {
                        throw new IllegalStateException("the plain loader's bulk failed: " + body.toString()
                                .substring(0, Math.min(2000, body.toString().length())));
                    }
                }
            }
        }

        private Pending send(Chunk c) {
            Request request = new Request("POST", "/_bulk");
            request.addParameter("filter_path", "errors,items.*.error");
            request.setEntity(new ByteArrayEntity(c.body(), ContentType.create("application/x-ndjson")));
            Pending p = new Pending();
            client.performRequestAsync(request, new org.elasticsearch.client.ResponseListener() {
                @Override
                public void onSuccess(Response response) {
                    p.answer.complete(response);
                }

                @Override
                public void onFailure(Exception e) {
                    p.answer.completeExceptionally(e);
                }
            });
            return p;
        }

        /** Counts equal the table's; the sampled (or all) documents' sources are equal in both indices. */
        void compare(String a, String b, String database, int rows, String verify, int sample) throws Exception {
            refresh(a);
            refresh(b);
            long inTable;
            try (Connection c = db.connect(database); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE)) {
                rs.next();
                inTable = rs.getLong(1);
            }
            long ca = count(a);
            long cb = count(b);
            if (ca != inTable || cb != inTable || inTable != rows) {
                throw new IllegalStateException("counts differ: " + a + " " + ca + ", " + b + " " + cb + ", table "
                        + inTable + ", rows " + rows);
            }
            List<String> ids = new ArrayList<>();
            if (verify.equals("full")) {
                for (int id = 1; id <= rows; id++) {
                    ids.add(Integer.toString(id));
                }
            } else {
                Random random = new Random(rows);
                for (int i = 0; i < sample; i++) {
                    ids.add(Integer.toString(1 + random.nextInt(rows)));
                }
            }
            int compared = 0;
            for (int from = 0; from < ids.size(); from += 1000) {
                List<String> part = ids.subList(from, Math.min(ids.size(), from + 1000));
                Map<String, JsonNode> da = sources(a, part);
                Map<String, JsonNode> dbs = sources(b, part);
                for (String id : part) {
                    JsonNode x = da.get(id);
                    JsonNode y = dbs.get(id);
                    if (x == null || !x.equals(y)) {
                        throw new IllegalStateException("document " + id + " differs: " + a + " " + x + ", " + b + " " + y);
                    }
                    compared++;
                }
            }
            System.out.printf(Locale.ROOT, "verified: both indices hold %,d documents (the table's count); %,d"
                    + " documents (%s) equal in both%n", inTable, compared, verify.equals("full") ? "all" : "a random sample");
        }

        private Map<String, JsonNode> sources(String index, List<String> ids) throws IOException {
            Request r = new Request("POST", "/" + index + "/_mget");
            r.setEntity(new StringEntity(JSON.writeValueAsString(Map.of("ids", ids)), ContentType.APPLICATION_JSON));
            Map<String, JsonNode> out = new LinkedHashMap<>();
            try (InputStream in = client.performRequest(r).getEntity().getContent()) {
                for (JsonNode d : JSON.readTree(in).path("docs")) {
                    if (d.path("found").asBoolean(false)) {
                        out.put(d.get("_id").asText(), d.get("_source"));
                    }
                }
            }
            return out;
        }

        void createIndex(String index) throws IOException {
            Request r = new Request("PUT", "/" + index);
            r.setEntity(new StringEntity("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}",
                    ContentType.APPLICATION_JSON));
            client.performRequest(r);
        }

        void deleteIndex(String index) throws IOException {
            client.performRequest(new Request("DELETE", "/" + index));
        }

        void refresh(String index) throws IOException {
            client.performRequest(new Request("POST", "/" + index + "/_refresh"));
        }

        long count(String index) throws IOException {
            try (InputStream in = client.performRequest(new Request("GET", "/" + index + "/_count")).getEntity()
                    .getContent()) {
                return JSON.readTree(in).path("count").asLong(-1);
            }
        }
    }

    /** Wall time per phase of the backfill (ns), from the wrappers around its sink, store and data source. */
    static final class Phases {
        private final Map<String, AtomicLong> nanos = new ConcurrentHashMap<>();

        void add(String phase, long ns) {
            nanos.computeIfAbsent(phase, k -> new AtomicLong()).addAndGet(ns);
        }

        Map<String, Long> snapshot() {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String k : List.of("writes", "_mget", "chunk SELECT", "re-select", "checkpoint saves",
                    "checkpoint loads", "other SQL", "JDBC connections")) {
                AtomicLong v = nanos.get(k);
                if (v != null) {
                    out.put(k, v.get());
                }
            }
            return out;
        }
    }

    /** The sink, timing each call from its start to its completion (the backfill waits for each). */
    private static final class TimedSink implements BulkSink, DocumentReader {
        private final ElasticsearchSink sink;
        private final Phases phases;

        TimedSink(ElasticsearchSink sink, Phases phases) {
            this.sink = sink;
            this.phases = phases;
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            long t0 = System.nanoTime();
            return sink.execute(actions).whenComplete((r, e) -> phases.add("writes", System.nanoTime() - t0));
        }

        @Override
        public CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs) {
            long t0 = System.nanoTime();
            return sink.read(refs).whenComplete((r, e) -> phases.add("_mget", System.nanoTime() - t0));
        }
    }

    private static final class TimedStore implements CheckpointStore {
        private final CheckpointStore store;
        private final Phases phases;

        TimedStore(CheckpointStore store, Phases phases) {
            this.store = store;
            this.phases = phases;
        }

        @Override
        @Nullable
        public Checkpoint load(String table) {
            long t0 = System.nanoTime();
            try {
                return store.load(table);
            } finally {
                phases.add("checkpoint loads", System.nanoTime() - t0);
            }
        }

        @Override
        public void save(String table, Checkpoint checkpoint) {
            long t0 = System.nanoTime();
            try {
                store.save(table, checkpoint);
            } finally {
                phases.add("checkpoint saves", System.nanoTime() - t0);
            }
        }
    }

    /**
     * The data source, timing {@code getConnection}, the connection's own calls (autocommit,
     * isolation, close) and each query (MariaDB's driver reads the whole result in
     * {@code executeQuery}), by kind: a chunk, the verification's re-select ({@code IN}), other.
     */
    private static DataSource timedDataSource(DataSource ds, Phases phases) {
        return (DataSource) Proxy.newProxyInstance(BackfillBenchmark.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    long t0 = System.nanoTime();
                    Object out = invoke(ds, method, args);
                    if (method.getName().equals("getConnection")) {
                        phases.add("JDBC connections", System.nanoTime() - t0);
                        return timedConnection((Connection) out, phases);
                    }
                    return out;
                });
    }

    private static Connection timedConnection(Connection c, Phases phases) {
        return (Connection) Proxy.newProxyInstance(BackfillBenchmark.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    long t0 = System.nanoTime();
                    Object out = invoke(c, method, args);
                    if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String) {
                        String sql = (String) args[0];
                        String kind = sql.contains(" IN (") ? "re-select"
                                : sql.contains(" LIMIT ?") ? "chunk SELECT" : "other SQL";
                        phases.add(kind, System.nanoTime() - t0);
                        return timedStatement((PreparedStatement) out, kind, phases);
                    }
                    phases.add("JDBC connections", System.nanoTime() - t0);
                    return out;
                });
    }

    private static PreparedStatement timedStatement(PreparedStatement ps, String kind, Phases phases) {
        return (PreparedStatement) Proxy.newProxyInstance(BackfillBenchmark.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("executeQuery")) {
                        return invoke(ps, method, args);
                    }
                    long t0 = System.nanoTime();
                    try {
                        return invoke(ps, method, args);
                    } finally {
                        phases.add(kind, System.nanoTime() - t0);
                    }
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, @Nullable Object[] args)
            throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static long ownCpu() {
        return cpu(ProcessHandle.current());
    }

    private static long cpu(@Nullable ProcessHandle p) {
        return p == null ? 0 : p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** The Elasticsearch node: a child JVM ({@link BenchServers#main}) or in this JVM. */
    private static final class Es implements AutoCloseable {
        final String url;
        @Nullable final Process process;
        @Nullable final EmbeddedElasticsearch inProcess;

        private Es(String url, @Nullable Process process, @Nullable EmbeddedElasticsearch inProcess) {
            this.url = url;
            this.process = process;
            this.inProcess = inProcess;
        }

        static Es start(String mode, String heap) throws Exception {
            switch (mode) {
                case "processes": {
                    List<Process> started = new ArrayList<>();
                    try {
                        Process p = BenchServers.Processes.child("elasticsearch", heap, null, started);
                        return new Es(BenchServers.Processes.ready(p), p, null);
                    } catch (Exception | Error e) {
                        started.forEach(Process::destroyForcibly);
                        throw e;
                    }
                }
                case "in-process": {
                    EmbeddedElasticsearch node = EmbeddedElasticsearch.builder().nodeName("bf-bench").build().start();
                    return new Es(node.httpUrl(), null, node);
                }
                default:
                    throw new IllegalArgumentException("servers must be processes or in-process: " + mode);
            }
        }

        long cpu() {
            return process == null ? 0 : BackfillBenchmark.cpu(process.toHandle());
        }

        @Override
        public void close() throws Exception {
            if (inProcess != null) {
                inProcess.close();
            }
            if (process != null) {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.flush(); // closing stdin tells the child to stop
                } catch (IOException ignored) {
                    // already gone
                }
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    static {
        // the harness's own lines only; the servers' and the library's INFO lines would drown them
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.binlogsync", "warn");
    }

}
