package dev.binlogsync.examples.testbed;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Checks that Elasticsearch holds exactly what MySQL holds, seen through the rules: it reads every
 * row of the given databases, renders each as the Canal flat INSERT message the relay would write,
 * decodes it with the same decoder the pipeline uses, applies the same {@link RuleSet} (filters,
 * merges, renames and all), and compares the documents that yields with every document in the
 * indexes. A document is <em>missing</em> (expected, absent), <em>extra</em> (present, not
 * expected) or <em>stale</em> (present with other content).
 *
 * <p>Run it when MySQL is quiet and the pipeline has caught up. Values are compared as JSON:
 * numbers by value ({@code 12.5} equals {@code 12.50}), a null field equals an absent one.
 * Not thread-safe; cheap to build.
 */
public final class SyncVerifier {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final int SAMPLE = 10;

    /** Decodes one Canal flat message into change events (the pipeline's decoder). */
    @FunctionalInterface
    public interface CanalDecoder {
        /** Decodes {@code message}; every event carries {@code position}. */
        List<ChangeEvent> decode(byte[] message, SourcePosition position);
    }

    /**
     * The outcome of one check.
     *
     * @param rows MySQL rows read
     * @param expected documents the rules produce from them
     * @param actual documents found in the indexes
     * @param missing ids ({@code index/id}) expected but absent; at most 10 listed
     * @param extra ids present but not expected; at most 10 listed
     * @param stale ids present with other content, with both versions; at most 10 listed
     * @param missingCount how many are missing
     * @param extraCount how many are extra
     * @param staleCount how many are stale
     */
    public record Result(int rows, int expected, int actual, List<String> missing, List<String> extra, List<String> stale,
            int missingCount, int extraCount, int staleCount) {

        /** Whether nothing is missing, extra or stale. */
        public boolean isClean() {
            return missingCount == 0 && extraCount == 0 && staleCount == 0;
        }

        /** All mismatches. */
        public int mismatches() {
            return missingCount + extraCount + staleCount;
        }

        @Override
        public String toString() {
            return "rows=" + rows + " expected=" + expected + " actual=" + actual + " missing=" + missingCount + missing
                    + " extra=" + extraCount + extra + " stale=" + staleCount + stale;
        }
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final List<String> tables;
    private final Set<String> indexes;
    private final CanalDecoder decoder;
    private final RuleSet rules;
    private final RestClient client;

    private SyncVerifier(String jdbcUrl, String user, String password, List<String> tables, Set<String> indexes,
            CanalDecoder decoder, RuleSet rules, RestClient client) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.tables = tables;
        this.indexes = indexes;
        this.decoder = decoder;
        this.rules = rules;
        this.client = client;
    }

    /**
     * A verifier.
     *
     * @param db the MySQL side
     * @param tables the tables to read, as {@code database.table}
     * @param indexes the indexes to compare; every document in them must be expected
     * @param decoder the pipeline's Canal decoder
     * @param rules the pipeline's rules
     * @param client a client for the Elasticsearch side (not closed here)
     */
    public static SyncVerifier of(EmbeddedMariaDb db, List<String> tables, Set<String> indexes, CanalDecoder decoder,
            RuleSet rules, RestClient client) {
        Objects.requireNonNull(db, "db");
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("tables must not be empty");
        }
        for (String t : tables) {
            if (t.indexOf('.') <= 0) {
                throw new IllegalArgumentException("tables must be database.table: " + t);
            }
        }
        return new SyncVerifier(db.jdbcUrl() + "?tinyInt1isBit=false", db.user(), db.password(), List.copyOf(tables),
                Set.copyOf(indexes), Objects.requireNonNull(decoder, "decoder"), Objects.requireNonNull(rules, "rules"),
                Objects.requireNonNull(client, "client"));
    }

    /**
     * Runs the check.
     *
     * @throws SQLException if MySQL cannot be read
     * @throws IOException if Elasticsearch cannot be read
     */
    public Result verify() throws SQLException, IOException {
        Map<String, Map<String, Object>> expected = new TreeMap<>();
        int rows = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            for (String qualified : tables) {
                rows += expectFromTable(c, qualified, expected);
            }
        }
        Set<String> scanned = new LinkedHashSet<>(indexes);
        for (String key : expected.keySet()) {
            scanned.add(key.substring(0, key.indexOf('/')));
        }
        Map<String, JsonNode> actual = new TreeMap<>();
        for (String index : scanned) {
            readIndex(index, actual);
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        int missingCount = 0;
        int extraCount = 0;
        int staleCount = 0;
        for (Map.Entry<String, Map<String, Object>> e : expected.entrySet()) {
            JsonNode found = actual.get(e.getKey());
            JsonNode want = JSON.valueToTree(e.getValue());
            if (found == null) {
                if (missingCount++ < SAMPLE) {
                    missing.add(e.getKey());
                }
            } else if (!sameJson(want, found)) {
                if (staleCount++ < SAMPLE) {
                    stale.add(e.getKey() + " expected " + want + " but was " + found);
                }
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key) && extraCount++ < SAMPLE) {
                extra.add(key + " " + actual.get(key));
            }
        }
        return new Result(rows, expected.size(), actual.size(), missing, extra, stale, missingCount, extraCount, staleCount);
    }

    private int expectFromTable(Connection c, String qualified, Map<String, Map<String, Object>> expected) throws SQLException {
        String database = qualified.substring(0, qualified.indexOf('.'));
        String table = qualified.substring(qualified.indexOf('.') + 1);
        List<CanalFormat.Column> columns = new ArrayList<>();
        List<String> pks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLUMN_KEY"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, database);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(CanalFormat.Column.of(rs.getString(1), rs.getString(2), rs.getString(3)));
                    if ("PRI".equals(rs.getString(4))) {
                        pks.add(rs.getString(1));
                    }
                }
            }
        }
        if (columns.isEmpty()) {
            throw new SQLException("no such table: " + qualified);
        }
        Map<String, String> mysqlTypes = new LinkedHashMap<>();
        Map<String, Integer> sqlTypes = new LinkedHashMap<>();
        for (CanalFormat.Column col : columns) {
            mysqlTypes.put(col.name(), col.mysqlType());
            sqlTypes.put(col.name(), col.kind().sqlType);
        }
        int count = 0;
        SourcePosition position = new SourcePosition("verify-" + qualified, 0);
        // a plain Statement: the text protocol hands over the server's own rendering of each value,
        // which for the types the test bed uses is exactly the string Canal sends
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM `" + database + "`.`" + table + "`")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnName(i), canalText(rs, i, columns.get(i - 1)));
                }
                byte[] message = CanalFormat.rowsMessage(0, database, table, pks, "INSERT", 0, 0, null, sqlTypes, mysqlTypes,
                        List.of(row), null);
                for (ChangeEvent event : decoder.decode(message, position)) {
                    rules.apply(event, action -> apply(action, expected));
                }
                count++;
            }
        }
        return count;
    }

    /**
     * A column value as Canal renders it from the binlog. The JDBC driver's own text for temporal
     * values differs (its fraction digits), so those are read as {@code LocalDateTime} and rendered
     * with exactly the column's fractional-second precision.
     */
    static String canalText(ResultSet rs, int index, CanalFormat.Column column) throws SQLException {
        if (column.kind() == CanalFormat.Kind.DATETIME || column.kind() == CanalFormat.Kind.TIMESTAMP) {
            java.time.LocalDateTime t;
            try {
                t = rs.getObject(index, java.time.LocalDateTime.class);
            } catch (SQLException zeroDate) {
                return rs.getString(index);
            }
            if (t == null) {
                return null;
            }
            String text = String.format(java.util.Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d", t.getYear(), t.getMonthValue(),
                    t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
            if (column.fsp() > 0) {
                text += "." + String.format(java.util.Locale.ROOT, "%06d", t.getNano() / 1000).substring(0, column.fsp());
            }
            return text;
        }
        return rs.getString(index);
    }

    @SuppressWarnings("unchecked")
    private static void apply(DocumentAction action, Map<String, Map<String, Object>> expected) {
        String key = action.index() + "/" + action.id();
        switch (action.type()) {
            case DELETE:
                expected.remove(key);
                break;
            case INDEX:
                expected.put(key, new LinkedHashMap<>(action.document()));
                break;
            case UPDATE: { // only an existing document: an update never creates one
                Map<String, Object> doc = expected.get(key);
                if (doc != null) {
                    mergeInto(doc, action.document());
                }
                break;
            }
            default: {
                Map<String, Object> doc = expected.computeIfAbsent(key, k -> new LinkedHashMap<>());
                mergeInto(doc, action.document());
            }
        }
    }

    /** Elasticsearch's partial-update merge: objects merge recursively, anything else replaces. */
    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> target, Map<String, Object> source) {
        for (Map.Entry<String, Object> e : source.entrySet()) {
            Object old = target.get(e.getKey());
            if (old instanceof Map && e.getValue() instanceof Map) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) old);
                mergeInto(merged, (Map<String, Object>) e.getValue());
                target.put(e.getKey(), merged);
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }

    private void readIndex(String index, Map<String, JsonNode> actual) throws IOException {
        Request search = new Request("POST", "/" + index + "/_search");
        search.addParameter("scroll", "1m");
        search.setJsonEntity("{\"size\":1000,\"query\":{\"match_all\":{}}}");
        JsonNode page;
        try {
            page = read(client.performRequest(search));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return; // no index: no documents
            }
            throw e;
        }
        String scrollId = page.path("_scroll_id").asText(null);
        try {
            while (true) {
                JsonNode hits = page.path("hits").path("hits");
                if (hits.isEmpty()) {
                    return;
                }
                for (JsonNode hit : hits) {
                    actual.put(index + "/" + hit.path("_id").asText(), hit.path("_source"));
                }
                Request next = new Request("POST", "/_search/scroll");
                next.setJsonEntity("{\"scroll\":\"1m\",\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}");
                page = read(client.performRequest(next));
                scrollId = page.path("_scroll_id").asText(scrollId);
            }
        } finally {
            if (scrollId != null) {
                Request clear = new Request("DELETE", "/_search/scroll");
                clear.setJsonEntity("{\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}");
                try {
                    client.performRequest(clear);
                } catch (IOException ignored) {
                    // the scroll expires on its own
                }
            }
        }
    }

    private static JsonNode read(Response response) throws IOException {
        try (InputStream in = response.getEntity().getContent()) {
            return JSON.readTree(in);
        }
    }

    /** JSON equality with numbers by value and a null field equal to an absent one. */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a == null || a.isNull() || a.isMissingNode()) {
            return b == null || b.isNull() || b.isMissingNode();
        }
        if (b == null || b.isNull() || b.isMissingNode()) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return number(a).compareTo(number(b)) == 0;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!sameJson(a.get(name), b.get(name))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            while (ia.hasNext()) {
                if (!sameJson(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static BigDecimal number(JsonNode n) {
        return n.isBigDecimal() ? n.decimalValue() : new BigDecimal(n.asText());
    }
}
