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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/**
 * The expected documents of {@link BackfillEndToEndIT}'s {@code products} table, computed from
 * MySQL with the test's own SQL and compared whole with every document of the index. It shares no
 * code with the pipeline or the backfill (no rule, decoder, encoder or JDBC row mapping of the
 * library).
 *
 * <p><b>The documents it expects:</b> one per row of {@code <database>.products}, id the row's
 * {@code id} (decimal text), no {@code _routing}, with exactly the fields {@code id} and
 * {@code qty} (JSON integers), {@code name} (a JSON string), {@code price} (a JSON number, compared
 * exactly by value: {@code 12.5} equals {@code 12.50}) and {@code note} (a JSON string, or
 * {@code null} when the column is NULL: the field is present either way). A row without its
 * document is <em>missing</em>, a document without its row <em>extra</em> (a resurrected row), a
 * document with another value, another JSON type, a field too many or too few <em>stale</em>
 * (compared by {@link ShopOracle#difference}).
 *
 * <p>Run it when MySQL is quiet, the stream has caught up and the index was refreshed. Not
 * thread-safe; the client is the caller's.
 */
final class ProductsOracle {
    /** Numbers read exactly: a decimal is compared by its value, not through a double. */
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(NODES);
    /** Examples kept per kind of mismatch. */
    private static final int SAMPLE = 10;

    private final EmbeddedMariaDb db;
    private final String database;
    private final RestClient client;
    private final String index;

    ProductsOracle(EmbeddedMariaDb db, String database, RestClient client, String index) {
        this.db = db;
        this.database = database;
        this.client = client;
        this.index = index;
    }

    /**
     * The outcome of a check.
     *
     * @param rows MySQL rows read
     * @param documents documents found in the index
     * @param missing ids expected but absent, with the expected document (at most 10)
     * @param extra ids present without a row, with the document (at most 10)
     * @param stale ids present with other content: the first difference and both documents (at most 10)
     */
    record Result(int rows, int documents, List<String> missing, List<String> extra, List<String> stale,
            int missingCount, int extraCount, int staleCount) {

        boolean isClean() {
            return missingCount == 0 && extraCount == 0 && staleCount == 0;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(rows).append(" MySQL rows, ").append(documents).append(" documents: missing ").append(missingCount)
                    .append(", extra ").append(extraCount).append(", stale ").append(staleCount);
            missing.forEach(m -> b.append("\n  missing ").append(m));
            extra.forEach(m -> b.append("\n  extra ").append(m));
            stale.forEach(m -> b.append("\n  stale ").append(m));
            return b.toString();
        }
    }

    Result verify() throws SQLException, IOException {
        Map<String, ObjectNode> expected = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, name, qty, price, note FROM " + database + ".products")) {
            while (rs.next()) {
                ObjectNode doc = NODES.objectNode();
                long id = rs.getLong("id");
                doc.put("id", id);
                doc.put("name", rs.getString("name"));
                doc.put("qty", rs.getInt("qty"));
                BigDecimal price = rs.getBigDecimal("price");
                doc.put("price", price);
                String note = rs.getString("note");
                if (note == null) {
                    doc.putNull("note");
                } else {
                    doc.put("note", note);
                }
                expected.put(Long.toString(id), doc);
            }
        }
        Map<String, JsonNode> actual = new TreeMap<>();
        java.util.Set<String> routed = new java.util.HashSet<>();
        readIndex(actual, routed);
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
            String difference = ShopOracle.difference("", e.getValue(), found);
            if (difference == null && routed.contains(e.getKey())) {
                difference = "has a _routing";
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
        return new Result(expected.size(), actual.size(), missing, extra, stale, missingCount, extraCount, staleCount);
    }

    /** Every document of the index by id (a second copy of an id, on another shard, counts as extra). */
    private void readIndex(Map<String, JsonNode> actual, java.util.Set<String> routed) throws IOException {
        Request search = new Request("POST", "/" + index + "/_search");
        search.addParameter("scroll", "1m");
        search.setJsonEntity("{\"size\":5000,\"query\":{\"match_all\":{}}}");
        JsonNode page = read(client.performRequest(search));
        String scrollId = page.path("_scroll_id").asText(null);
        try {
            while (true) {
                JsonNode hits = page.path("hits").path("hits");
                if (hits.isEmpty()) {
                    return;
                }
                for (JsonNode hit : hits) {
                    String id = hit.path("_id").asText();
                    if (actual.containsKey(id)) {
                        id = id + " (another copy on another shard)";
                    }
                    actual.put(id, hit.path("_source"));
                    if (hit.hasNonNull("_routing")) {
                        routed.add(id);
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
