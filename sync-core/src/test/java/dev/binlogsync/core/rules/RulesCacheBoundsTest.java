package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.apply;
import static dev.binlogsync.core.rules.Events.insert;
import static dev.binlogsync.core.rules.Events.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-table cache of {@link Rules} is keyed by names from message data: a stream of random
 * (and long) table names keeps it within its entry and character bounds, and matching stays right.
 */
class RulesCacheBoundsTest {

    private static Rules rules() {
        return Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("orders").build())
                .rule(TableRule.builder().database("shop").table("log_*").index("logs").build()).build();
    }

    @Test
    void randomLongTableNamesKeepTheCacheWithinItsCharacterBound() {
        Rules r = rules();
        Random random = new Random(17);
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            name.setLength(0);
            for (int j = 0; j < 200; j++) {
                name.append((char) ('a' + random.nextInt(26)));
            }
            r.rulesFor(random.nextInt(4) == 0 ? name.toString() : "shop", name.toString());
            if (i % 500 == 499) {
                // 10,000 names of 200 to 400 characters: several million characters offered
                assertTrue(r.cachedChars() <= 1 << 20, "cached chars " + r.cachedChars());
                assertTrue(r.cachedTables() <= Rules.MAX_CACHED_TABLES, "cached tables " + r.cachedTables());
            }
        }
        assertEquals(1, apply(r, insert("shop", "orders", row("id", 1), "id")).size());
        assertEquals("logs", apply(r, insert("shop", "log_7", row("id", 1), "id")).get(0).index());
        assertEquals(List.of(), apply(r, insert("shop", "other", row("id", 1), "id")));
    }

    @Test
    void manyShortRandomNamesKeepTheCacheWithinItsEntryBound() {
        Rules r = rules();
        for (int i = 0; i < 3 * Rules.MAX_CACHED_TABLES; i++) {
            r.rulesFor("db" + (i % 7), "t" + i);
            assertTrue(r.cachedTables() <= Rules.MAX_CACHED_TABLES, "cached tables " + r.cachedTables());
        }
        assertEquals(1, r.rulesFor("shop", "orders").size());
        assertTrue(r.cachedTables() >= 1, "a table seen after the cache filled up is cached again");
    }

    @Test
    void aHugeNameIsMatchedButNeverCached() {
        Rules r = rules();
        String huge = "log_" + "x".repeat(1_000_000);
        assertEquals(1, r.rulesFor("shop", huge).size());
        assertEquals(0, r.cachedChars());
        assertEquals(0, r.cachedTables());
    }
}
