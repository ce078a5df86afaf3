package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.InMemoryCheckpointStore;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The queries the backfill sends for a composite primary key are range scans of that key's index on
 * the real MariaDB: every query of the run that has a {@code WHERE} (the chunks after the first, the
 * verification's re-selects, the remainder estimate of a resumed run) is recorded with its
 * parameters and explained on the server, and {@code EXPLAIN} must say {@code type=range} on
 * {@code PRIMARY}. (A row comparison {@code (a,b) > (?,?)} is an index scan from the table's start,
 * filtered: each chunk would read every row before it.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackfillKeyRangeIT {
    private EmbeddedMariaDb db;
    private RestClient client;
    private ElasticsearchSink sink;

    @BeforeAll
    void start() {
        db = EmbeddedMariaDb.start();
        String url = EmbeddedElasticsearch.shared().httpUrl();
        client = RestClient.builder(org.apache.http.HttpHost.create(url)).build();
        sink = ElasticsearchSink.builder().hosts(url).build();
        sink.start();
    }

    @AfterAll
    void stop() throws Exception {
        sink.close();
        client.close();
        db.close();
    }

    /** One query the backfill ran, with the parameters it bound (by position). */
    private record Query(String sql, Map<Integer, Object> parameters) {
    }

    @Test
    void everyChunkAndReselectOfACompositeKeyIsARangeScanOfThePrimaryKey() throws Exception {
        int orders = 2000;
        int linesPerOrder = 10;
        db.execute("CREATE DATABASE bf_range", "CREATE TABLE bf_range.order_lines (order_id INT NOT NULL,"
                + " line VARCHAR(16) NOT NULL, qty INT NOT NULL, note VARCHAR(64) NOT NULL, PRIMARY KEY (order_id, line))");
        try (Connection c = db.connect("bf_range"); Statement s = c.createStatement()) {
            for (int from = 1; from <= orders; from += 100) {
                StringBuilder sql = new StringBuilder("INSERT INTO order_lines VALUES ");
                for (int o = from; o < from + 100; o++) {
                    for (int l = 0; l < linesPerOrder; l++) {
                        sql.append(o == from && l == 0 ? "" : ",").append('(').append(o).append(",'line-")
                                .append(l).append("',").append(o % 7 + l).append(",'order ").append(o).append("')");
                    }
                }
                s.execute(sql.toString());
            }
            s.execute("ANALYZE TABLE order_lines");
        }
        List<Query> queries = new ArrayList<>();
        DataSource recording = recording(new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user()), queries);
        Rules rules = Rules.builder().rule(TableRule.builder().database("bf_range").table("order_lines")
                .index("bf-range-lines").id("order_id", "line").build()).build();
        Backfill backfill = Backfill.builder().dataSource(recording).rules(rules).sink(sink).chunkSize(700).build();
        assertTrue(backfill.run(), "finished");
        assertEquals(orders * linesPerOrder, EsDocs.count(client, "bf-range-lines"), "documents");
        // a run resuming in the middle also estimates its remainder from the key range
        InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        Backfill resumed = Backfill.builder().dataSource(recording).rules(rules).sink(sink).chunkSize(700)
                .checkpointStore(store).build();
        store.save(resumed.checkpointName("bf_range", "order_lines"), new Checkpoint(List.of(1500, "line-3"), List.of(), false));
        assertTrue(resumed.run(), "finished");
        assertTrue(queries.stream().anyMatch(q -> q.sql().startsWith("SELECT COUNT(*)") && q.sql().contains(" WHERE ")),
                "the remainder estimate of the resumed run");

        List<Query> ranged = new ArrayList<>();
        for (Query q : queries) {
            if (q.sql().contains("`order_lines`") && q.sql().contains(" WHERE ")) {
                ranged.add(q);
            }
        }
        int chunks = (orders * linesPerOrder + 699) / 700;
        assertTrue(ranged.size() >= 2 * chunks - 1, "chunk queries after the first and re-selects: " + ranged.size());
        // the plans by kind of query: each kind must be a range of the primary key, every time
        Map<String, Set<String>> plans = new TreeMap<>();
        try (Connection c = db.connect("bf_range")) {
            for (Query q : ranged) {
                String kind = q.sql().startsWith("SELECT COUNT(*)") ? "remainder estimate"
                        : q.sql().contains(" LIMIT ") ? "chunk" : "re-select";
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + q.sql())) {
                    for (Map.Entry<Integer, Object> p : q.parameters().entrySet()) {
                        ps.setObject(p.getKey(), p.getValue());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "an EXPLAIN row");
                        plans.computeIfAbsent(kind, k -> new TreeSet<>())
                                .add("type=" + rs.getString("type") + " key=" + rs.getString("key"));
                    }
                }
            }
        }
        Set<String> range = Set.of("type=range key=PRIMARY");
        assertEquals(Map.of("chunk", range, "re-select", range, "remainder estimate", range), plans);
    }

    /** A data source recording every prepared statement's SQL and parameters when it is executed. */
    private static DataSource recording(DataSource ds, List<Query> queries) {
        return (DataSource) Proxy.newProxyInstance(BackfillKeyRangeIT.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object out = invoke(ds, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return out;
                    }
                    Connection c = (Connection) out;
                    return Proxy.newProxyInstance(BackfillKeyRangeIT.class.getClassLoader(),
                            new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
                                Object o2 = invoke(c, m2, a2);
                                if (!m2.getName().equals("prepareStatement")) {
                                    return o2;
                                }
                                String sql = (String) a2[0];
                                PreparedStatement ps = (PreparedStatement) o2;
                                Map<Integer, Object> params = new TreeMap<>();
                                return Proxy.newProxyInstance(BackfillKeyRangeIT.class.getClassLoader(),
                                        new Class<?>[] {PreparedStatement.class}, (p3, m3, a3) -> {
                                            String name = m3.getName();
                                            if (name.startsWith("set") && a3 != null && a3.length == 2
                                                    && a3[0] instanceof Integer) {
                                                params.put((Integer) a3[0], a3[1]);
                                            } else if (name.toLowerCase(Locale.ROOT).startsWith("execute")) {
                                                synchronized (queries) {
                                                    queries.add(new Query(sql, new TreeMap<>(params)));
                                                }
                                            }
                                            return invoke(ps, m3, a3);
                                        });
                            });
                });
    }

    private static Object invoke(Object target, Method method, @Nullable Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
