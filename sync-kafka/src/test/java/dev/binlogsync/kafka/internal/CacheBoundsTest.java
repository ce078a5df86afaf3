package dev.binlogsync.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Caches keyed by message data are bounded by size, not only by their number of entries. */
class CacheBoundsTest {

    @Test
    void aByteRangeCacheHoldsAtMostAFewMegabytesWhateverTheEntryLimit() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(1024);
        for (int i = 0; i < 100; i++) {
            byte[] big = new byte[200 * 1024];
            big[0] = (byte) i;
            big[1] = (byte) (i >> 8);
            cache.put(cache.key(big, 0, big.length), "v" + i);
        }
        assertTrue(cache.size() * 200L * 1024 <= 4L << 20, "entries of 200 KiB held: " + cache.size());
    }

    @Test
    void aByteRangeCacheDoesNotKeepOneHugeEntry() {
        ByteRangeCache<String> cache = new ByteRangeCache<>(1024);
        byte[] huge = new byte[8 << 20];
        cache.put(cache.key(huge, 0, huge.length), "huge");
        assertEquals(0, cache.size());
        byte[] small = {'{', '}'};
        cache.put(cache.key(small, 0, 2), "small");
        assertEquals("small", cache.get(cache.key(small, 0, 2)));
    }

    @Test
    void longColumnTypeTextsAreNotKeptInTheSharedCache() {
        String longEnum = "enum(" + "'v',".repeat(5_000) + "'w')";
        assertNotSame(MysqlColumnType.ofMysqlType(longEnum), MysqlColumnType.ofMysqlType(longEnum));
        char[] chars = longEnum.toCharArray();
        assertNotSame(MysqlColumnType.ofMysqlType(chars, 0, chars.length), MysqlColumnType.ofMysqlType(chars, 0, chars.length));
        assertEquals(MysqlColumnType.Kind.ENUM, MysqlColumnType.ofMysqlType(longEnum).kind(), "still parsed");
        assertEquals(5_001, MysqlColumnType.ofMysqlType(longEnum).members().size(), "with its members");
        assertSame(MysqlColumnType.ofMysqlType("int(11)"), MysqlColumnType.ofMysqlType("int(11)"), "short ones are cached");
    }
}
