package dev.binlogsync.benchmarks;

import dev.binlogsync.core.DocumentAction;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deterministic 10-field order rows, shaped like decoded Canal rows (longs, strings, a decimal, a
 * boolean, a datetime string), for the NDJSON and sink benchmarks. Not thread-safe; immutable results.
 */
public final class SampleDocuments {

    private static final String[] STATUS = {"NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"};
    private static final String[] CITY = {"Berlin", "Lyon", "Kraków", "São Paulo", "Osaka", "Zürich"};

    private SampleDocuments() {
    }

    /** One order row with 10 fields. */
    public static Map<String, Object> order(long id) {
        Map<String, Object> doc = new LinkedHashMap<>(16);
        doc.put("id", id);
        doc.put("order_no", "SO-" + (1_000_000 + id));
        doc.put("customer_id", 10_000 + (id * 7919) % 50_000);
        doc.put("status", STATUS[(int) (id % STATUS.length)]);
        doc.put("total", BigDecimal.valueOf(100 + (id * 31) % 100_000, 2));
        doc.put("quantity", (int) (1 + id % 9));
        doc.put("paid", id % 3 != 0);
        doc.put("city", CITY[(int) (id % CITY.length)]);
        doc.put("created_at", "2026-11-" + (10 + id % 18) + " 1" + (id % 10) + ":2" + (id % 10) + ":00");
        doc.put("note", "deliver to the back door, ring twice \"please\" #" + id);
        return doc;
    }

    /** {@code n} index actions on {@code index} with ids {@code 0..n-1}. */
    public static List<DocumentAction> indexActions(String index, int n) {
        List<DocumentAction> actions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            actions.add(DocumentAction.index(index, Integer.toString(i), order(i)));
        }
        return actions;
    }
}
