package dev.binlogsync.core;

import java.util.Map;

/** Rule sets for the engine tests: table rows with an {@code id} column to index {@code idx}. */
final class TestRules {
    static final String INDEX = "idx";

    private TestRules() {
    }

    /** INSERT -> INDEX(row), UPDATE -> UPSERT(row), DELETE -> DELETE. */
    static RuleSet byOperation() {
        return (event, out) -> {
            String id = String.valueOf(event.row().get("id"));
            switch (event.operation()) {
                case INSERT:
                    out.collect(DocumentAction.index(INDEX, id, event.row()));
                    break;
                case UPDATE:
                    out.collect(DocumentAction.upsert(INDEX, id, event.row()));
                    break;
                default:
                    out.collect(DocumentAction.delete(INDEX, id));
            }
        };
    }

    static Map<String, Object> row(Object id, Object... kv) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
