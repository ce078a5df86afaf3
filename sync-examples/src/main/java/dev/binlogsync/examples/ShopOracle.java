package dev.binlogsync.examples;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The expected Elasticsearch documents of the {@link Shop}, computed from MySQL with hand-written
 * SQL, compared whole with every document in the shop's indexes. It shares no code with the
 * pipeline: no rule, filter, decoder or encoder; the shop's mapping is written out again below, so
 * a defect in any of them makes the check fail.
 *
 * <p><b>The documents it expects</b> (what {@link Shop#rules()} promises):
 * <ul>
 *   <li>index {@code orders}, id the order's {@code id}: every order with
 *       {@code status <> 'CANCELLED'} (the filter is in the SQL), with the fields {@code id},
 *       {@code customer}, {@code status}, {@code total}, {@code items}, {@code express},
 *       {@code created_at}, {@code updated_ms} ({@code note} is left out); when a
 *       {@code order_shipping} row with that {@code order_id} exists (a {@code LEFT JOIN}), the
 *       object {@code shipping} with all its columns: {@code order_id}, {@code carrier},
 *       {@code tracking}, {@code shipped_at}, {@code updated_ms}. Without a shipping row the
 *       document has no {@code shipping} field <em>or</em> {@code shipping: null}: the merge rule
 *       clears a deleted shipping row's fields to null, and which of the two a document holds
 *       depends on whether it ever had a shipping row, which MySQL no longer knows; a non-null
 *       {@code shipping} without a row is stale. No order row, or a cancelled one: no document,
 *       whatever its shipping row does.</li>
 *   <li>index {@code orders_by_month-<yyyy.MM>} of {@code created_at}'s month (computed in SQL with
 *       {@code DATE_FORMAT}), id the order's {@code id}, routing the order's {@code customer}:
 *       every order, cancelled ones included, with the same fields as in {@code orders} and no
 *       {@code shipping}. Every document of {@code orders_by_month-*} is read: one in another
 *       month's index is missing where it belongs and extra where it is; one with another
 *       {@code _routing} is stale; a second copy of an id in one index (another routing, so
 *       another shard) is extra.</li>
 *   <li>index {@code order_items}, id the item's {@code id}: every row of {@code order_item_0}
 *       .. {@code order_item_3} ({@code UNION ALL}), with {@code id}, {@code order_id},
 *       {@code sku}, {@code qty}, {@code price}, {@code updated_ms}.</li>
 * </ul>
 * Documents of {@code orders} and {@code order_items} must have no {@code _routing}.
 *
 * <p><b>The representation contract</b> it checks in {@code _source} under
 * {@link Representation#CANAL} (the Canal decoder's documented types, written by the sink as
 * JSON; the other formats differ only where {@link Representation} says):
 * <ul>
 *   <li>{@code BIGINT}, {@code INT}: a JSON integer with the column's value (not a string, not a
 *       float);</li>
 *   <li>{@code DECIMAL}: a JSON number, compared exactly ({@link BigDecimal#compareTo}: {@code 12.5}
 *       equals {@code 12.50}, {@code 12.499999} does not); a string is a mismatch. The sink writes
 *       the decoder's {@code BigDecimal} as its text ({@code 938.30}), but a partial update makes
 *       Elasticsearch re-render the stored source through a {@code double} ({@code 938.3}), so
 *       trailing zeros are not compared; the shop's {@code DECIMAL(12,2)} and {@code DECIMAL(10,2)}
 *       survive a {@code double} exactly, a wider decimal may not, and this check would say so;</li>
 *   <li>{@code DATETIME(3)}: a string, ISO-8601 local date-time with exactly the column's three
 *       fraction digits, {@code 2024-03-01T12:30:45.120} (the decoder's default
 *       {@code DateTimeStyle.ISO_LOCAL});</li>
 *   <li>{@code VARCHAR}: a JSON string;</li>
 *   <li>{@code TINYINT(1)} ({@code express}): the JSON integer, the column's unchanged value (0, 1, and also 2 or -1)
 *       (the decoder's default; a boolean is a mismatch). See {@link #tinyint1(int)}, the one
 *       place that states it.</li>
 * </ul>
 * Every field is compared: a missing field, an extra field (also one holding {@code null}, except
 * the cleared {@code shipping} above) or a value of another JSON type makes the document
 * <em>stale</em>. A document expected but absent is
 * <em>missing</em>, one present but not expected is <em>extra</em>.
 *
 * <p>{@code shop.scratch} has no rule and no index: the oracle reads nothing of it.
 *
 * <p>Run it when MySQL is quiet and the pipeline has caught up (after an index refresh). Not
 * thread-safe; cheap to build; the client is not closed here.
 */
public final class ShopOracle {

    /**
     * What each message format can carry, and so what the documents hold for the types it cannot
     * carry as Canal does. Everything not named here is as in the class comment.
     */
    public enum Representation {
        /** Canal flat messages with the decoder's defaults: the class comment's contract. */
        CANAL(false, DateTimeText.ISO),
        /**
         * Debezium JSON with schemas: the schema names the logical types ({@code Decimal},
         * {@code io.debezium.time.Timestamp}) and the decoder renders them as Canal's, so the
         * class comment's contract.
         */
        DEBEZIUM_WITH_SCHEMAS(false, DateTimeText.ISO),
        /**
         * Debezium JSON without schemas ({@code decimal.handling.mode=string}): nothing says a
         * value is a decimal or a date-time, so the decoder keeps what arrives. {@code DECIMAL}
         * is the exact decimal string with the column's scale ({@code "12.50"}, compared as text);
         * {@code DATETIME(3)} is a JSON integer, the epoch milliseconds of the value read as UTC
         * (computed in SQL as {@code TIMESTAMPDIFF(MICROSECOND, '1970-01-01', col) DIV 1000}).
         */
        DEBEZIUM_WITHOUT_SCHEMAS(true, DateTimeText.EPOCH_MILLIS),
        /**
         * Maxwell JSON: {@code DECIMAL} a number as in Canal; {@code DATETIME(3)} the string
         * Maxwell sends, {@code yyyy-MM-dd HH:mm:ss.SSS} with a space and exactly the column's
         * three fraction digits.
         */
        MAXWELL(false, DateTimeText.MYSQL);

        private final boolean decimalAsString;
        private final DateTimeText dateTime;

        Representation(boolean decimalAsString, DateTimeText dateTime) {
            this.decimalAsString = decimalAsString;
            this.dateTime = dateTime;
        }

        /** The SQL select expression of {@code DATETIME(3)} column {@code column} in this representation. */
        String dateTime(String column) {
            switch (dateTime) {
                case EPOCH_MILLIS:
                    return "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + column + ") DIV 1000";
                case MYSQL:
                    return "LEFT(DATE_FORMAT(" + column + ", '%Y-%m-%d %H:%i:%s.%f'), 23)";
                default:
                    // %f gives six fraction digits, the column has three
                    return "LEFT(DATE_FORMAT(" + column + ", '%Y-%m-%dT%H:%i:%s.%f'), 23)";
            }
        }

        /** The SQL select expression of {@code DECIMAL} column {@code column} in this representation. */
        String decimal(String column) {
            return decimalAsString ? "CAST(" + column + " AS CHAR)" : column;
        }
    }

    private enum DateTimeText { ISO, EPOCH_MILLIS, MYSQL }

    /** Exact decimals both ways: {@code 0.10} stays {@code 0.10}, {@code 1.0} stays a non-integer. */
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);
    private static final int SAMPLE = 10;

    /** The indexes compared (written out again, not taken from the rules): every document in them must be expected. */
    private static final String ORDERS = "orders";
    private static final String BY_MONTH = "orders_by_month-";
    private static final String ITEMS = "order_items";

    /** Every order with its shipping row; {@code in_orders} is the orders rule's filter, written in SQL. */
    private static String ordersSql(Representation r) {
        return "SELECT o.id, o.customer, o.status, " + r.decimal("o.total") + " AS total, o.items,"
                + " CAST(o.express AS SIGNED) AS express, " + r.dateTime("o.created_at") + " AS created_at,"
                + " o.updated_ms, o.status <> 'CANCELLED' AS in_orders, DATE_FORMAT(o.created_at, '%Y.%m') AS month,"
                + " s.order_id AS s_order_id, s.carrier AS s_carrier, s.tracking AS s_tracking,"
                + " " + r.dateTime("s.shipped_at") + " AS s_shipped_at, s.updated_ms AS s_updated_ms"
                + " FROM shop.orders o LEFT JOIN shop.order_shipping s ON s.order_id = o.id";
    }

    private static String itemsSql(Representation r) {
        StringBuilder sql = new StringBuilder();
        for (int shard = 0; shard < 4; shard++) {
            sql.append(shard == 0 ? "" : " UNION ALL ").append("SELECT id, order_id, sku, qty, ")
                    .append(r.decimal("price")).append(" AS price, updated_ms FROM shop.order_item_").append(shard);
        }
        return sql.toString();
    }

    /**
     * The outcome of one check.
     *
     * @param rows MySQL rows read (orders with their shipping joined, items)
     * @param expected documents expected
     * @param actual documents found in the indexes
     * @param missing ids ({@code index/id}) expected but absent, with the expected document; at most 10
     * @param extra ids present but not expected, with the document; at most 10
     * @param stale ids present with other content: the first difference, then both documents; at most 10
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
    private final RestClient client;
    private final Representation representation;

    private ShopOracle(String jdbcUrl, String user, String password, RestClient client, Representation representation) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.client = client;
        this.representation = representation;
    }

    /**
     * An oracle over {@code db}'s {@code shop} database and the shop's indexes behind {@code client}.
     *
     * @param db the MySQL side, holding the {@link Shop} schema
     * @param client a client for the Elasticsearch side (not closed here)
     */
    public static ShopOracle of(EmbeddedMariaDb db, RestClient client) {
        return of(db, client, Representation.CANAL);
    }

    /**
     * An oracle expecting the documents as {@code representation}'s format carries them.
     *
     * @param db the MySQL side, holding the {@link Shop} schema
     * @param client a client for the Elasticsearch side (not closed here)
     * @param representation the message format's representation of the types
     */
    public static ShopOracle of(EmbeddedMariaDb db, RestClient client, Representation representation) {
        Objects.requireNonNull(db, "db");
        return new ShopOracle(db.jdbcUrl(), db.user(), db.password(), Objects.requireNonNull(client, "client"),
                Objects.requireNonNull(representation, "representation"));
    }

    /**
     * {@code TINYINT(1)} as the documents must hold it: the unchanged number. The one place the
     * oracle states it.
     */
    static JsonNode tinyint1(int value) {
        return NODES.numberNode(value);
    }

    /**
     * Runs the check.
     *
     * @throws SQLException if MySQL cannot be read
     * @throws IOException if Elasticsearch cannot be read
     */
    public Result verify() throws SQLException, IOException {
        Map<String, ObjectNode> expected = new TreeMap<>();
        Map<String, String> expectedRouting = new TreeMap<>();
        int rows = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(ordersSql(representation))) {
                while (rs.next()) {
                    rows++;
                    ObjectNode doc = NODES.objectNode();
                    doc.set("id", integer(rs, "id"));
                    doc.set("customer", text(rs, "customer"));
                    doc.set("status", text(rs, "status"));
                    doc.set("total", decimal(rs, "total"));
                    doc.set("items", integer(rs, "items"));
                    doc.set("express", tinyint1(rs.getInt("express")));
                    doc.set("created_at", dateTime(rs, "created_at"));
                    doc.set("updated_ms", integer(rs, "updated_ms"));
                    String byMonth = BY_MONTH + rs.getString("month") + "/" + rs.getLong("id");
                    expected.put(byMonth, doc.deepCopy());
                    expectedRouting.put(byMonth, rs.getString("customer"));
                    if (!rs.getBoolean("in_orders")) {
                        continue;
                    }
                    if (rs.getObject("s_order_id") != null) {
                        ObjectNode shipping = doc.putObject("shipping");
                        shipping.set("order_id", integer(rs, "s_order_id"));
                        shipping.set("carrier", text(rs, "s_carrier"));
                        shipping.set("tracking", text(rs, "s_tracking"));
                        shipping.set("shipped_at", dateTime(rs, "s_shipped_at"));
                        shipping.set("updated_ms", integer(rs, "s_updated_ms"));
                    }
                    expected.put(ORDERS + "/" + rs.getLong("id"), doc);
                }
            }
            try (ResultSet rs = s.executeQuery(itemsSql(representation))) {
                while (rs.next()) {
                    rows++;
                    ObjectNode doc = NODES.objectNode();
                    doc.set("id", integer(rs, "id"));
                    doc.set("order_id", integer(rs, "order_id"));
                    doc.set("sku", text(rs, "sku"));
                    doc.set("qty", integer(rs, "qty"));
                    doc.set("price", decimal(rs, "price"));
                    doc.set("updated_ms", integer(rs, "updated_ms"));
                    expected.put(ITEMS + "/" + rs.getLong("id"), doc);
                }
            }
        }
        Map<String, JsonNode> actual = new TreeMap<>();
        Map<String, String> actualRouting = new TreeMap<>();
        readIndex(ORDERS, actual, actualRouting);
        readIndex(BY_MONTH + "*", actual, actualRouting);
        readIndex(ITEMS, actual, actualRouting);

        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        int missingCount = 0;
        int extraCount = 0;
        int staleCount = 0;
        for (Map.Entry<String, ObjectNode> e : expected.entrySet()) {
            JsonNode found = actual.get(e.getKey());
            if (found == null) {
                if (missingCount++ < SAMPLE) {
                    missing.add(e.getKey() + " expected " + e.getValue());
                }
                continue;
            }
            if (!e.getValue().has("shipping") && found.path("shipping").isNull() && e.getKey().startsWith(ORDERS + "/")) {
                // no shipping row: absent or cleared to null (see the class comment)
                found = ((ObjectNode) found).deepCopy();
                ((ObjectNode) found).remove("shipping");
            }
            String difference = difference("", e.getValue(), found);
            String wantRouting = expectedRouting.get(e.getKey());
            String gotRouting = actualRouting.get(e.getKey());
            if (difference == null && !Objects.equals(wantRouting, gotRouting)) {
                difference = "_routing expected " + wantRouting + " but was " + gotRouting;
            }
            if (difference != null && staleCount++ < SAMPLE) {
                stale.add(e.getKey() + ": " + difference + "; expected " + e.getValue() + " but was " + found);
            }
        }
        for (Map.Entry<String, JsonNode> e : actual.entrySet()) {
            if (!expected.containsKey(e.getKey()) && extraCount++ < SAMPLE) {
                extra.add(e.getKey() + " " + e.getValue());
            }
        }
        return new Result(rows, expected.size(), actual.size(), missing, extra, stale, missingCount, extraCount, staleCount);
    }

    private static JsonNode integer(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? NODES.nullNode() : NODES.numberNode(v);
    }

    private JsonNode decimal(ResultSet rs, String column) throws SQLException {
        if (representation.decimalAsString) {
            return text(rs, column);
        }
        BigDecimal v = rs.getBigDecimal(column);
        return v == null ? NODES.nullNode() : NODES.numberNode(v);
    }

    private JsonNode dateTime(ResultSet rs, String column) throws SQLException {
        return representation.dateTime == DateTimeText.EPOCH_MILLIS ? integer(rs, column) : text(rs, column);
    }

    private static JsonNode text(ResultSet rs, String column) throws SQLException {
        String v = rs.getString(column);
        return v == null ? NODES.nullNode() : NODES.textNode(v);
    }

    /**
     * The first difference between the expected and the actual value, or null when they are equal:
     * same fields, same JSON types, numbers by exact value.
     */
    @Nullable
    static String difference(String path, JsonNode want, JsonNode got) {
        if (want.isObject()) {
            if (!got.isObject()) {
                return at(path) + " expected an object but was " + got;
            }
            Set<String> names = new LinkedHashSet<>();
            want.fieldNames().forEachRemaining(names::add);
            got.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = path.isEmpty() ? name : path + "." + name;
                if (!want.has(name)) {
                    return "field " + child + " not expected but was " + got.get(name);
                }
                if (!got.has(name)) {
                    return "field " + child + " missing, expected " + want.get(name);
                }
                String d = difference(child, want.get(name), got.get(name));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (want.isIntegralNumber()) {
            return got.isIntegralNumber() && want.bigIntegerValue().equals(got.bigIntegerValue())
                    ? null : at(path) + " expected the integer " + want + " but was " + describe(got);
        }
        if (want.isNumber()) {
            return got.isNumber() && want.decimalValue().compareTo(got.decimalValue()) == 0
                    ? null : at(path) + " expected the number " + want + " but was " + describe(got);
        }
        if (want.isTextual()) {
            return got.isTextual() && want.textValue().equals(got.textValue())
                    ? null : at(path) + " expected the string " + want + " but was " + describe(got);
        }
        if (want.isArray()) {
            if (!got.isArray() || got.size() != want.size()) {
                return at(path) + " expected " + want + " but was " + describe(got);
            }
            Iterator<JsonNode> w = want.elements();
            Iterator<JsonNode> g = got.elements();
            for (int i = 0; w.hasNext(); i++) {
                String d = difference(path + "[" + i + "]", w.next(), g.next());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        // null and boolean: same type and value
        return want.equals(got) ? null : at(path) + " expected " + want + " but was " + describe(got);
    }

    private static String at(String path) {
        return path.isEmpty() ? "document" : path;
    }

    private static String describe(JsonNode node) {
        String type = node.isIntegralNumber() ? "integer" : node.isNumber() ? "number" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return type + " " + node;
    }

    /**
     * Reads every document of {@code index} (a name or pattern) into {@code actual} and its
     * {@code _routing}, if any, into {@code routing}, keyed {@code index/id}; a second document
     * with a key already read is kept under the key and its routing, so it counts as extra.
     */
    private void readIndex(String index, Map<String, JsonNode> actual, Map<String, String> routing) throws IOException {
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
                    String key = hit.path("_index").asText() + "/" + hit.path("_id").asText();
                    String r = hit.path("_routing").asText(null);
                    if (actual.containsKey(key)) {
                        key = key + " (another copy, routing " + r + ")";
                    }
                    actual.put(key, hit.path("_source"));
                    if (r != null) {
                        routing.put(key, r);
                    }
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
}
