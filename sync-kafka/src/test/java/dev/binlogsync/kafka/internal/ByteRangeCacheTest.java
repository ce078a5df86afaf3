package dev.binlogsync.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteRangeCacheTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsAValueByTheContentOfTheRangeWhereverItIs() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(8);
        byte[] first = utf8("xx{\"a\":1}yy");
        cache.put(cache.key(first, 2, 9), "a=1");
        first[3] = 'Z'; // the cache owns a copy: changing the caller's array does not change the entry

        byte[] second = utf8("{\"a\":1}");
        assertEquals("a=1", cache.get(cache.key(second, 0, second.length)));
        assertNull(cache.get(cache.key(second, 0, second.length - 1)), "a prefix is another range");
        assertNull(cache.get(cache.key(utf8("{\"a\":2}"), 0, 7)), "same length, other content");
    }

    @Test
    void keysOfEqualContentAreEqualAndOthersAreNot() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(8);
        ByteRangeCache.Key a = cache.key(utf8("..abc.."), 2, 5);
        ByteRangeCache.Key b = cache.key(utf8("abc"), 0, 3);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, cache.key(utf8("abd"), 0, 3));
        assertEquals(3, a.length());
    }

    @Test
    void staysWithinItsLimitByStartingOver() {
        ByteRangeCache<Integer> cache = new ByteRangeCache<>(3);
        for (int i = 0; i < 10; i++) {
            byte[] b = utf8("k" + i);
            cache.put(cache.key(b, 0, b.length), i);
            assertEquals(i % 3 + 1, cache.size());
        }
        byte[] last = utf8("k9");
        assertSame(9, cache.get(cache.key(last, 0, last.length)));
    }

    @Test
    void recentEntriesAreFoundByComparingTheBytesWhereTheyStart() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(16);
        for (int i = 0; i < 6; i++) {
            byte[] b = utf8("{\"t\":" + i + "}");
            cache.put(cache.key(b, 0, b.length), "t" + i);
        }
        byte[] message = utf8("..{\"t\":5},{\"t\":1}"); // 5, 4, 3, 2 are the most recent
        ByteRangeCache.Entry<String> hit = cache.recentAt(message, 2);
        assertEquals("t5", hit.value());
        assertEquals(7, hit.length());
        assertNull(cache.recentAt(message, 10), "t1 is cached but no longer among the " + ByteRangeCache.RECENT + " most recent");
        assertEquals("t1", cache.get(cache.key(message, 10, 17)));
        assertEquals("t1", cache.recentAt(message, 10).value(), "a lookup makes it recent again");
        assertNull(cache.recentAt(utf8("{\"t\":5"), 0), "the bytes end before the entry does");
        assertNull(cache.recentAt(utf8("{\"t\":7}"), 0));
    }

    @Test
    void withoutRecentTrackingOnlyTheMapFindsValues() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(4, false);
        byte[] b = utf8("\"name\"");
        cache.put(cache.key(b, 0, b.length), "name");
        assertEquals("name", cache.get(cache.key(b, 0, b.length)));
        assertNull(cache.recentAt(b, 0));
    }
}
