package dev.binlogsync.core.internal;

import java.util.HashMap;
import java.util.Map;

/** Elasticsearch's partial-update merge of one document's fields into another, in place. */
public final class DocumentMerge {

    private DocumentMerge() {
    }

    /**
     * Merges {@code patch} into {@code target} the way an Elasticsearch partial update does:
     * objects (maps) are merged recursively, every other value (lists, scalars, null) replaces.
     * {@code target} is modified; nested maps of {@code target} are copied before they are changed,
     * because they may be shared with the rule set's input.
     *
     * @return how much the {@linkplain DocumentSize#estimateFields estimated size} of {@code target}
     *     changed (negative when values were replaced by smaller ones), so a merged document's size
     *     is kept exact without estimating the whole document again after every merge
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
            delta += present ? DocumentSize.value(value) - DocumentSize.value(old) : DocumentSize.entry(key, value);
        }
        return delta;
    }
}
