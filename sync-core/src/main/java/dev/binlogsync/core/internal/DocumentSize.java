package dev.binlogsync.core.internal;

import dev.binlogsync.core.RowMap;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * A cheap estimate of the JSON size of bulk items and documents, without serialising: names and
 * strings by length, numbers by a fixed width, maps and lists recursively. Good enough for flush
 * and memory limits; not exact.
 */
public final class DocumentSize {

    /** Fixed cost of one bulk item: the action line with its metadata and two newlines. */
    static final int ACTION_OVERHEAD = 64;

    private DocumentSize() {
    }

    /** The estimated size of a bulk item for this document (its action line and its source). */
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
                size += entry(row.keyAt(i), row.valueAt(i));
            }
            return size;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            size += entry(e.getKey(), e.getValue());
        }
        return size;
    }

    /** One {@code "name":value,} of an object. */
    static long entry(Object key, @Nullable Object value) {
        return (key instanceof String ? ((String) key).length() : 8) + 4 + value(value);
    }

    /** One value. */
    static long value(@Nullable Object v) {
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
        if (v instanceof byte[]) {
            return 4L * ((((byte[]) v).length + 2) / 3) + 2; // written as base64 text
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
                size += value(o) + 1;
            }
            return size;
        }
        return 16;
    }
}
