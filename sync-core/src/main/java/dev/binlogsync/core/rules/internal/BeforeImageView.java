package dev.binlogsync.core.rules.internal;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The before image of an update without copying: {@code get} looks in the previous values of the
 * changed columns first, then in the after image. {@link #entrySet()} materializes the merged map
 * once, for code that iterates. Read-only; not thread-safe (lives for one event).
 */
public final class BeforeImageView extends AbstractMap<String, Object> {
    private final Map<String, Object> row;
    private final Map<String, Object> oldValues;
    @Nullable private Map<String, Object> merged;

    public BeforeImageView(Map<String, Object> row, Map<String, Object> oldValues) {
        this.row = row;
        this.oldValues = oldValues;
    }

    @Override
    @Nullable
    public Object get(Object key) {
        Object v = oldValues.get(key);
        if (v != null || oldValues.containsKey(key)) {
            return v;
        }
        return row.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return oldValues.containsKey(key) || row.containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        if (merged == null) {
            Map<String, Object> m = new HashMap<>(row);
            m.putAll(oldValues);
            merged = m;
        }
        return java.util.Collections.unmodifiableMap(merged).entrySet();
    }

    @Override
    public int size() {
        return entrySet().size();
    }
}
