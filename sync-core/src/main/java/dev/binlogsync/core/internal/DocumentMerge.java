package dev.binlogsync.core.internal;

import dev.binlogsync.core.PartialObject;
import java.util.HashMap;
import java.util.Map;

/** The merge of one partial write's fields into a document, in place, as the sink applies it. */
public final class DocumentMerge {

    private DocumentMerge() {
    }

    /**
     * Merges {@code patch} into {@code target} as the sink applies a partial write
     * ({@link dev.binlogsync.core.ActionType#UPSERT}, {@link dev.binlogsync.core.ActionType#UPDATE}):
     * each top-level field of {@code patch} replaces {@code target}'s whole, objects included (a key
     * the new object lacks is gone), except a {@link PartialObject}, whose keys replace theirs one
     * by one in {@code target}'s object. {@code target} is modified; its nested maps are never
     * modified (they may be shared with the rule set's input), merged objects are new maps.
     *
     * <p>A {@code PartialObject} merged into an absent field stays one (the merge into the stored
     * document is still to come); merged into an object it gives a plain map (that object replaces
     * the stored one); merged into any other value, null included, a plain map of its keys.
     *
     * @return how much the {@linkplain DocumentSize#estimateFields estimated size} of {@code target}
     *     changed (negative when values were replaced by smaller ones), so a merged document's size
     *     is kept exact without estimating the whole document again after every merge
     */
    @SuppressWarnings("unchecked")
    public static long merge(Map<String, Object> target, Map<String, Object> patch) {
        long delta = 0;
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            boolean present = target.containsKey(key);
            if (value instanceof PartialObject && present) {
                Object existing = target.get(key);
                Map<String, Object> merged = existing instanceof Map
                        ? new HashMap<>((Map<String, Object>) existing) : new HashMap<>();
                merged.putAll((PartialObject) value);
                value = existing instanceof PartialObject ? new PartialObject(merged) : merged;
            }
            Object old = target.put(key, value);
            delta += present ? DocumentSize.value(value) - DocumentSize.value(old) : DocumentSize.entry(key, value);
        }
        return delta;
    }

    /**
     * Merges {@code patch} into {@code target} as Elasticsearch's {@code doc} does (a sink that
     * does not {@linkplain dev.binlogsync.core.BulkSink#replacesObjectFields replace object
     * fields}): an object (a map, a {@link PartialObject} included) merged into a stored object key
     * by key at every depth, every other value (lists, scalars, null) replacing. {@code target} is
     * modified; its nested maps are copied before they change (they may be shared with the rule
     * set's input).
     *
     * @return the change of {@code target}'s estimated size, as {@link #merge}
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
