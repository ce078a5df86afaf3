package dev.binlogsync.kafka.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * Values parsed from a byte range, looked up by the range's exact content: a table's
 * {@code mysqlType} object repeats byte for byte in every message about that table, so it is
 * parsed once instead of once per message.
 *
 * <p>Bounded: at {@code limit} entries the cache is cleared (a schema change adds an entry; only
 * unusual churn ever fills it). A lookup allocates one small probe key and copies nothing; a miss
 * copies the range once. Thread-safe; values must be immutable.
 *
 * @param <V> the parsed value
 */
public final class ByteRangeCache<V> {
    private final ConcurrentHashMap<Key, V> map = new ConcurrentHashMap<>();
    private final int limit;

    /** A cache of at most {@code limit} entries. */
    public ByteRangeCache(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /** A probe for {@code bytes[from, to)}: it refers to {@code bytes}, copies nothing. */
    public Key key(byte[] bytes, int from, int to) {
        return new Key(bytes, from, to);
    }

    /** The value cached for the content of {@code key}, or null. */
    @Nullable
    public V get(Key key) {
        return map.get(key);
    }

    /** Caches {@code value} for a copy of {@code key}'s content. */
    public void put(Key key, V value) {
        if (map.size() >= limit) {
            map.clear();
        }
        map.put(key.copy(), value);
    }

    /** How many entries are cached (for tests). */
    public int size() {
        return map.size();
    }

    /** A byte range compared by content; the probe refers to the caller's array, a stored key owns a copy. */
    public static final class Key {
        private final byte[] bytes;
        private final int from;
        private final int to;
        private final int hash;

        Key(byte[] bytes, int from, int to) {
            this.bytes = bytes;
            this.from = from;
            this.to = to;
            // a sparse hash (the length and every 8th byte): equals compares every byte anyway, and a
            // cache holds few, mostly different entries
            int h = to - from;
            for (int i = from; i < to; i += 8) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        private Key(byte[] bytes, int hash) {
            this.bytes = bytes;
            this.from = 0;
            this.to = bytes.length;
            this.hash = hash;
        }

        Key copy() {
            return new Key(Arrays.copyOfRange(bytes, from, to), hash);
        }

        /** The array the range is in. */
        public byte[] bytes() {
            return bytes;
        }

        /** The first byte of the range. */
        public int from() {
            return from;
        }

        /** The length of the range. */
        public int length() {
            return to - from;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(bytes, from, to, k.bytes, k.from, k.to);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
