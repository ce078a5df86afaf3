package dev.binlogsync.core;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An object value of an {@link ActionType#UPSERT} or {@link ActionType#UPDATE} document whose keys
 * are merged one by one into the stored object, each key's value replacing the stored one whole.
 * Every other value of a partial write, objects included, replaces the stored field whole.
 *
 * <p>What a merge rule with {@code nestUnder} writes for a child row that may lack columns (a row
 * image that is not {@link RowImage#FULL}): the columns it carries replace theirs, the columns it
 * lacks keep their stored values. Where the stored field is absent or not an object, the keys
 * given become the object. A full child row is written as a plain map, which replaces the whole
 * object. Inside a {@code PartialObject}, and in {@link ActionType#INDEX} and
 * {@link ActionType#CREATE} documents, it is an ordinary object.
 *
 * <p>Immutable (an unmodifiable view of the map it was given, which the caller no longer
 * modifies); thread-safe as far as that map is; equal to any map with the same entries.
 */
public final class PartialObject extends AbstractMap<String, Object> {

    private final Map<String, Object> fields;

    /** The keys to merge; {@code fields} is not copied and must not be modified afterwards. */
    public PartialObject(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(Objects.requireNonNull(fields, "fields"));
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return fields.entrySet();
    }

    @Override
    public int size() {
        return fields.size();
    }

    @Override
    public Object get(Object key) {
        return fields.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return fields.containsKey(key);
    }
}
