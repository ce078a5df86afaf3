package dev.binlogsync.core.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.FieldConverter;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.WriteMode;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleSpecTest {

    @Test
    void keepsItsOwnUnmodifiableCopiesOfTheBuildersCollections() {
        List<String> ids = new ArrayList<>(List.of("a", "b"));
        Set<String> includes = new LinkedHashSet<>(List.of("z", "a"));
        Map<String, String> renames = new LinkedHashMap<>(Map.of("uid", "user_id"));
        RuleSpec spec = spec(ids, includes, renames, new HashMap<>());

        ids.add("c");
        includes.add("b");
        renames.put("x", "y");

        assertEquals(List.of("a", "b"), spec.idColumns());
        assertEquals(List.of("z", "a"), List.copyOf(spec.includes()), "insertion order kept");
        assertEquals(Map.of("uid", "user_id"), spec.renames());
        assertThrows(UnsupportedOperationException.class, () -> spec.includes().add("q"));
        assertThrows(UnsupportedOperationException.class, () -> spec.renames().put("q", "r"));
        assertThrows(UnsupportedOperationException.class, () -> spec.idColumns().add("q"));
    }

    @Test
    void keepsAConstantWhoseValueIsNull() {
        Map<String, Object> constants = new HashMap<>();
        constants.put("deleted_at", null);

        RuleSpec spec = spec(List.of(), Set.of(), Map.of(), constants);

        assertTrue(spec.constants().containsKey("deleted_at"));
        assertNull(spec.constants().get("deleted_at"));
    }

    @Test
    void isNamedAsMessagesNameTheRule() {
        assertEquals("shop.orders -> orders", spec(List.of(), Set.of(), Map.of(), Map.of()).toString());
    }

    private static RuleSpec spec(List<String> ids, Set<String> includes, Map<String, String> renames,
            Map<String, Object> constants) {
        return new RuleSpec("shop.orders -> orders", IndexTemplate.parse("orders", ZoneOffset.UTC), null,
                ZoneOffset.UTC, ids, ":", null, WriteMode.UPSERT, null, false, VersionType.EXTERNAL_GTE,
                includes, Set.of(), renames, Map.<String, FieldConverter>of(), constants, null, List.of(), null,
                MergeDelete.CLEAR, false);
    }
}
