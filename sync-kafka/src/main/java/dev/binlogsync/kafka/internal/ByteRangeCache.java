package dev.binlogsync.kafka.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * Values parsed from a byte range, looked up by the range's exact content: a table's
 * {@code mysqlType} object repeats byte for byte in every message about that table, so it is
 * parsed once instead of once per message.
 *
 * <p>Bounded by entries and by bytes, since its keys come from message data: at {@code limit}
 * entries, or when the bytes of its keys would exceed {@code maxBytes} (default
 * {@value #DEFAULT_MAX_BYTES}), the cache is cleared (a schema change adds an entry; only unusual
 * churn ever fills it), and a range longer than {@code maxBytes / 16} is never cached (its value
 * is parsed every time instead). The values are parsed from the keys, so they are of the same
 * order of size. The few recent entries {@link #recentAt} keeps may outlive a clearing: at most
 * {@value #RECENT} more. A lookup allocates one small probe key and copies nothing; a miss
 * copies the range once; the few most recently used entries are also found by {@link #recentAt}
 * without a key. Thread-safe; values must be immutable and non-null.
 *
 * @param <V> the parsed value
 */
public final class ByteRangeCache<V> {
    /** How many recently used entries {@link #recentAt} tries. */
    static final int RECENT = 4;

    /** The default most bytes of keys a cache holds: {@value} (4 MiB). */
    public static final long DEFAULT_MAX_BYTES = 4L << 20;

    private final ConcurrentHashMap<Key, Entry<V>> map = new ConcurrentHashMap<>();
    private final int limit;
    private final long maxBytes;
    private final boolean trackRecent;
    private long bytes; // of the keys in map; guarded by this
    // most recently used first; replaced as a whole (copy on write), never modified
    private volatile Entry<?>[] recent = new Entry<?>[0];

    /** A cache of at most {@code limit} entries that keeps its most recently used ones for {@link #recentAt}. */
    public ByteRangeCache(int limit) {
        this(limit, true);
    }

    /**
     * A cache of at most {@code limit} entries; without {@code trackRecent}, {@link #recentAt}
     * finds nothing and lookups never write (for values that rarely repeat back to back).
     */
    public ByteRangeCache(int limit, boolean trackRecent) {
        this(limit, DEFAULT_MAX_BYTES, trackRecent);
    }

    /**
     * A cache of at most {@code limit} entries and {@code maxBytes} bytes of keys; see
     * {@link #ByteRangeCache(int, boolean)}.
     */
    public ByteRangeCache(int limit, long maxBytes, boolean trackRecent) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        if (maxBytes < 16) {
            throw new IllegalArgumentException("maxBytes must be >= 16, got " + maxBytes);
        }
        this.limit = limit;
        this.maxBytes = maxBytes;
        this.trackRecent = trackRecent;
    }

    /** A probe for {@code bytes[from, to)}: it refers to {@code bytes}, copies nothing. */
    public Key key(byte[] bytes, int from, int to) {
        return new Key(bytes, from, to);
    }

    /**
     * One of the few most recently used entries whose bytes are exactly those starting at
     * {@code bytes[from]}, or null. It compares the bytes straight away, without finding where the
     * value ends, hashing or allocating: the fast path for values that repeat message after message.
     * The caller must know that a value cannot be a prefix of another one (a complete JSON object,
     * array or string is not).
     */
    @Nullable
    @SuppressWarnings("unchecked")
    public Entry<V> recentAt(byte[] bytes, int from) {
        for (Entry<?> e : recent) {
            byte[] k = e.bytes;
            int to = from + k.length;
            if (to <= bytes.length && Arrays.equals(bytes, from, to, k, 0, k.length)) {
                return (Entry<V>) e;
            }
        }
        return null;
    }

    /** The value cached for the content of {@code key}, or null. */
    @Nullable
    public V get(Key key) {
        Entry<V> e = map.get(key);
        if (e == null) {
            return null;
        }
        remember(e);
        return e.value;
    }

    /** Caches {@code value} for a copy of {@code key}'s content, unless the range is too long to keep. */
    public void put(Key key, V value) {
        Objects.requireNonNull(value, "value");
        int length = key.length();
        if (length > maxBytes / 16) {
            return;
        }
        Key own = key.copy();
        Entry<V> e = new Entry<>(own.bytes, value);
        synchronized (this) {
            if (map.size() >= limit || bytes + length > maxBytes) {
                map.clear();
                bytes = 0;
            }
            if (map.put(own, e) == null) {
                bytes += length;
            }
        }
        remember(e);
    }

    private void remember(Entry<V> e) {
        Entry<?>[] r = recent;
        if (!trackRecent || (r.length > 0 && r[0] == e)) {
            return;
        }
        Entry<?>[] next = new Entry<?>[Math.min(RECENT, r.length + 1)];
        next[0] = e;
        int n = 1;
        for (int i = 0; i < r.length && n < next.length; i++) {
            if (r[i] != e) {
                next[n++] = r[i];
            }
        }
        recent = n == next.length ? next : Arrays.copyOf(next, n);
    }

    /** How many entries are cached (for tests). */
    public int size() {
        return map.size();
    }

    /** A cached value with the exact bytes it was parsed from. Immutable. */
    public static final class Entry<V> {
        private final byte[] bytes;
        private final V value;

        Entry(byte[] bytes, V value) {
            this.bytes = bytes;
            this.value = value;
        }

        /** How many bytes the value was parsed from. */
        public int length() {
            return bytes.length;
        }

        /** The cached value. */
        public V value() {
            return value;
        }
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
