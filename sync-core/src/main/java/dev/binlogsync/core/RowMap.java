package dev.binlogsync.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.annotation.Nullable;

/**
 * The row type of decoded changes: a compact, insertion-ordered {@code Map<String, Object>} of
 * column names to values, with the keys and values in two parallel arrays and nothing per entry.
 * The decoders of this project build the {@link ChangeEvent#row()} and
 * {@link ChangeEvent#oldValues()} of their events as one; a decoder of another format may do the same (any
 * {@code Map} is accepted), and the bulk encoder of the Elasticsearch sink walks a {@code RowMap}'s
 * arrays directly instead of iterating entries. A row takes a fraction of the heap of a
 * {@code LinkedHashMap} (BENCHMARKS.md, "What a buffered action holds", states by how much).
 *
 * <p><b>Map contract.</b> Behaves like a {@code LinkedHashMap}: iteration in insertion order,
 * replacing a value keeps its position, every optional operation is supported (also through the
 * views and their iterators, which fail fast on a concurrent structural change), {@code equals}
 * and {@code hashCode} as for any map.
 *
 * <p><b>Nullability.</b> Keys are non-null strings: {@link #put} rejects a null key with a
 * {@code NullPointerException}; {@link #wrap} does not check. Values may be null (a SQL
 * {@code NULL}); {@link #get} returns null both for an absent key and a null value, as any map.
 *
 * <p><b>Mutability and threads.</b> Mutable and not thread-safe for writes. A row that is no
 * longer modified may be read by any number of threads once safely published (concurrent reads
 * are safe, also of a wide row whose hash index is built on its first lookup, see below).
 *
 * <p><b>Fast paths for decoders.</b>
 * <ul>
 * <li>Pre-sized construction: {@link #RowMap(int) new RowMap(columnCount)} allocates both arrays
 *     once, so putting a row's columns never grows them.</li>
 * <li>Taking over arrays: {@link #wrap(String[], Object[], int)} makes a row of arrays a decoder
 *     already filled (names and values in column order), without copying; the decoder must not
 *     touch the arrays afterwards, and the names must be distinct (not checked).</li>
 * <li>Shared key instances: lookups compare keys by identity before hash code and content, so a
 *     decoder that uses the same {@code String} instance for a column name in every row (from its
 *     own cache of the table's column layout) makes lookups by those names, and by names filters
 *     and rules hold, cheap.</li>
 * <li>Positional reads: {@link #keyAt(int)} and {@link #valueAt(int)} read column {@code i}
 *     without an entry object.</li>
 * </ul>
 *
 * <p><b>Lookups.</b> In a row of fewer than 24 keys a lookup scans the keys (identity, then the
 * cached hash code, then the string): cheaper than hashing for the tens of columns of a typical
 * row. A wider row builds a hash index of its keys on its first lookup (an immutable object, so
 * concurrent readers may each build one safely), extended by linear scans over keys added since,
 * and dropped by any removal; so looking up every column of a 200-column row costs O(size), not
 * O(size²).
 */
public final class RowMap extends AbstractMap<String, Object> {
    private String[] keys;
    private Object[] values;
    private int size;
    private int modCount;
    @Nullable private Set<Entry<String, Object>> entrySet;
    /** The keys' hash index of a wide row, or null; see the class comment. */
    @Nullable private KeyIndex index;

    /** Rows with at least this many keys get a hash index on lookup. */
    static final int INDEXED_FROM = 24;
    /** Keys added after the index was built that a lookup scans before it builds a new one. */
    private static final int UNINDEXED_TAIL = 8;

    /**
     * An empty row with room for {@code capacity} columns before it grows.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public RowMap(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative, got " + capacity);
        }
        keys = new String[capacity];
        values = new Object[capacity];
    }

    private RowMap(String[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    /**
     * A row over the first {@code size} elements of the two arrays, which it takes over (the caller
     * must not use them afterwards; elements from {@code size} on are ignored and may be
     * overwritten when the row grows). The keys must be non-null and distinct; this is not checked.
     *
     * @throws IllegalArgumentException if {@code size} is negative or longer than either array
     */
    public static RowMap wrap(String[] keys, Object[] values, int size) {
        if (size < 0 || size > keys.length || size > values.length) {
            throw new IllegalArgumentException("size " + size + " does not fit arrays of " + keys.length + " and " + values.length);
        }
        return new RowMap(keys, values, size);
    }

    /**
     * The key at {@code index} in iteration order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    public String keyAt(int index) {
        Objects.checkIndex(index, size);
        return keys[index];
    }

    /**
     * The value at {@code index} in iteration order (null for a null value).
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    @Nullable
    public Object valueAt(int index) {
        Objects.checkIndex(index, size);
        return values[index];
    }

    private int indexOf(@Nullable Object key) {
        if (!(key instanceof String)) {
            return -1;
        }
        if (size >= INDEXED_FROM) {
            return indexedIndexOf((String) key, size);
        }
        String[] k = keys;
        for (int i = 0, n = size; i < n; i++) {
            if (k[i] == key) {
                return i;
            }
        }
        int h = key.hashCode();
        for (int i = 0, n = size; i < n; i++) {
            String s = k[i];
            if (s.hashCode() == h && s.equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private int indexedIndexOf(String key, int n) {
        String[] k = keys;
        KeyIndex ix = index;
        if (ix == null || n - ix.covered > UNINDEXED_TAIL) {
            ix = new KeyIndex(k, n);
            index = ix; // a benign race: KeyIndex is immutable (final fields), any complete one will do
        }
        int h = key.hashCode();
        int i = ix.find(k, key, h);
        if (i >= 0) {
            return i;
        }
        for (int j = ix.covered; j < n; j++) {
            if (sameKey(k[j], key, h)) {
                return j;
            }
        }
        return -1;
    }

    /** Whether {@code s} is {@code key}, whose hash code is {@code h}: identity, then hash, then content. */
    private static boolean sameKey(String s, String key, int h) {
        return s == key || (s.hashCode() == h && s.equals(key));
    }

    /**
     * Positions of the first {@link #covered} keys by hash: open addressing, linear probing, at
     * most half full. Immutable once built, so it can be published without synchronisation.
     */
    private static final class KeyIndex {
        /** Position + 1 per slot; 0 is a free slot. */
        private final int[] slots;
        private final int mask;
        final int covered;

        KeyIndex(String[] keys, int n) {
            int capacity = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1; // >= 2n, a power of two
            int[] t = new int[capacity];
            int m = capacity - 1;
            for (int i = 0; i < n; i++) {
                int slot = spread(keys[i].hashCode()) & m;
                while (t[slot] != 0) {
                    slot = (slot + 1) & m;
                }
                t[slot] = i + 1;
            }
            this.slots = t;
            this.mask = m;
            this.covered = n;
        }

        /** The position of {@code key} among the covered keys, or -1. */
        int find(String[] keys, String key, int h) {
            for (int slot = spread(h) & mask; ; slot = (slot + 1) & mask) {
                int p = slots[slot];
                if (p == 0) {
                    return -1;
                }
                if (sameKey(keys[p - 1], key, h)) {
                    return p - 1;
                }
            }
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public boolean containsValue(@Nullable Object value) {
        for (int i = 0; i < size; i++) {
            if (Objects.equals(values[i], value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    @Nullable
    public Object get(@Nullable Object key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    @Nullable
    public Object getOrDefault(@Nullable Object key, @Nullable Object defaultValue) {
        int i = indexOf(key);
        return i < 0 ? defaultValue : values[i];
    }

    @Override
    @Nullable
    public Object put(String key, @Nullable Object value) {
        Objects.requireNonNull(key, "key");
        int i = indexOf(key);
        if (i >= 0) {
            Object previous = values[i];
            values[i] = value;
            return previous;
        }
        if (size == keys.length) {
            int capacity = Math.max(4, size + (size >> 1));
            keys = Arrays.copyOf(keys, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        modCount++;
        return null;
    }

    @Override
    @Nullable
    public Object remove(@Nullable Object key) {
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        Object previous = values[i];
        removeAt(i);
        return previous;
    }

    private void removeAt(int i) {
        int tail = size - i - 1;
        if (tail > 0) {
            System.arraycopy(keys, i + 1, keys, i, tail);
            System.arraycopy(values, i + 1, values, i, tail);
        }
        size--;
        keys[size] = null;
        values[size] = null;
        modCount++;
        index = null; // positions moved
    }

    @Override
    public void clear() {
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        modCount++;
        index = null;
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        Objects.requireNonNull(action, "action");
        int expected = modCount;
        for (int i = 0; i < size; i++) {
            action.accept(keys[i], values[i]);
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        Set<Entry<String, Object>> s = entrySet;
        if (s == null) {
            s = new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new EntryIterator();
                }

                @Override
                public int size() {
                    return size;
                }

                @Override
                public void clear() {
                    RowMap.this.clear();
                }
            };
            entrySet = s;
        }
        return s;
    }

    private final class EntryIterator implements Iterator<Entry<String, Object>> {
        private int next;
        private int last = -1;
        private int expected = modCount;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Entry<String, Object> next() {
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next++;
            return new RowEntry(last);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
            removeAt(last);
            next = last;
            last = -1;
            expected = modCount;
        }
    }

    /** An entry that reads and writes through to its position (valid until the map changes shape). */
    private final class RowEntry implements Entry<String, Object> {
        private final int index;
        private final String key;

        RowEntry(int index) {
            this.index = index;
            this.key = keys[index];
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        @Nullable
        public Object getValue() {
            return values[index];
        }

        @Override
        @Nullable
        public Object setValue(@Nullable Object value) {
            Object previous = values[index];
            values[index] = value;
            return previous;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }
}
