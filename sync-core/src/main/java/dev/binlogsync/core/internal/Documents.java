package dev.binlogsync.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;

/** Document helpers for the bulk buffer: Elasticsearch's partial-update merge and a size estimate. */
public final class Documents {

    /** Fixed cost of one bulk item: the action line with its metadata and two newlines. */
    static final int ACTION_OVERHEAD = 64;

    private Documents() {
    }

    /**
     * Merges {@code patch} into {@code target} the way an Elasticsearch partial update does:
     * objects (maps) are merged recursively, every other value (lists, scalars, null) replaces.
     * {@code target} is modified; nested maps of {@code target} are copied before they are changed,
     * because they may be shared with the rule set's input.
     *
     * @return how much the {@linkplain #estimateFields estimated size} of {@code target} changed
     *     (negative when values were replaced by smaller ones), so a merged document's size is kept
     *     exact without estimating the whole document again after every merge
     */
    @SuppressWarnings("unchecked")
    public static long deepMerge(Map<String, Object> target, Map<String, Object> patch) {
        long delta = 0;
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (value instanceof Map) {
                Object existing = target.get(key);
                if (existing instanceof Map) {
                    Map<String, Object> merged = new HashMap<>((Map<String, Object>) existing);
                    delta += deepMerge(merged, (Map<String, Object>) value);
                    target.put(key, merged);
                    continue;
                }
            }
            boolean present = target.containsKey(key);
            Object old = target.put(key, value);
            delta += present ? estimateValue(value) - estimateValue(old) : entryBytes(key, value);
        }
        return delta;
    }

    /**
     * A cheap estimate of the JSON size of a bulk item with this document, without serialising:
     * names and strings by length, numbers by a fixed width, maps and lists recursively. Good
     * enough for flush and memory limits; not exact.
     */
    public static long estimateBytes(String index, String id, @Nullable String routing, @Nullable Map<String, Object> doc) {
        long size = ACTION_OVERHEAD + index.length() + id.length();
        if (routing != null) {
            size += routing.length() + 14;
        }
        if (doc != null) {
            size += estimateMap(doc);
        }
        return size;
    }

    /** The estimated size of a document's fields alone (what merging it into another adds at most). */
    public static long estimateFields(Map<String, Object> doc) {
        return estimateMap(doc);
    }

    private static long estimateMap(Map<?, ?> map) {
        long size = 2;
        if (map instanceof RowMap) {
            RowMap row = (RowMap) map;
            for (int i = 0, n = row.size(); i < n; i++) {
                size += entryBytes(row.keyAt(i), row.valueAt(i));
            }
            return size;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            size += entryBytes(e.getKey(), e.getValue());
        }
        return size;
    }

    /** One {@code "name":value,} of an object. */
    private static long entryBytes(Object key, @Nullable Object value) {
        return (key instanceof String ? ((String) key).length() : 8) + 4 + estimateValue(value);
    }

    private static long estimateValue(@Nullable Object v) {
        if (v == null) {
            return 4;
        }
        if (v instanceof String) {
            return ((String) v).length() + 2;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return 6;
        }
        if (v instanceof Long || v instanceof Double || v instanceof Float) {
            return 12;
        }
        if (v instanceof Boolean) {
            return 5;
        }
        if (v instanceof BigDecimal || v instanceof BigInteger) {
            return 24;
        }
        if (v instanceof Map) {
            return estimateMap((Map<?, ?>) v);
        }
        if (v instanceof Collection) {
            long size = 2;
            for (Object o : (Collection<?>) v) {
                size += estimateValue(o) + 1;
            }
            return size;
        }
        return 16;
    }
}
