package dev.binlogsync.core.rules;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds change events for rule tests. */
final class Events {
    private Events() {
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static ChangeEvent insert(String db, String table, Map<String, Object> row, String... pk) {
        return new ChangeEvent(db, table, Operation.INSERT, row, Map.of(), List.of(pk), 1_700_000_000_000L, pos());
    }

    static ChangeEvent update(String db, String table, Map<String, Object> row, Map<String, Object> old, String... pk) {
        return new ChangeEvent(db, table, Operation.UPDATE, row, old, List.of(pk), 1_700_000_000_000L, pos());
    }

    static ChangeEvent delete(String db, String table, Map<String, Object> row, String... pk) {
        return new ChangeEvent(db, table, Operation.DELETE, row, Map.of(), List.of(pk), 1_700_000_000_000L, pos());
    }

    static SourcePosition pos() {
        return new SourcePosition("canal-0", 42);
    }

    static List<DocumentAction> apply(RuleSet rules, ChangeEvent event) {
        List<DocumentAction> out = new ArrayList<>();
        rules.apply(event, out::add);
        return out;
    }
}
