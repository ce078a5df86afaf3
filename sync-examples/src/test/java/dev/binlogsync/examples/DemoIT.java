package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * README's demo, shortened: it must end with every row matching (the rows filled before the stream
 * started included) and print what it promises; and without its backfill the same check fails.
 */
class DemoIT {

    @Test
    void shortDemoBackfillsTheFilledShopWhileStreamingAndReportsEveryRowMatching() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ShopOracle.Result result;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            result = Demo.run(out, new Demo.Settings(Duration.ofSeconds(6), 100, 3, 2_000, true));
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertTrue(result.isClean(), printed);
        assertTrue(result.rows() > 2_000, "the check covers the 2,000 filled orders: " + result.rows() + " rows\n" + printed);
        assertTrue(printed.contains("EVERY ROW MATCHES"), printed);
        for (String table : Shop.backfilledTables()) {
            assertTrue(printed.matches("(?s).*  backfill shop\\." + table + ": \\d+ rows, \\d+ rows/s, (~\\d+|unknown) left, .*"),
                    "a progress line of " + table + ":\n" + printed);
            assertTrue(printed.matches("(?s).*  backfill shop\\." + table + " done: \\d+ rows, .*"),
                    "the done line of " + table + ":\n" + printed);
        }
        assertTrue(printed.contains("acked docs/s"), printed);
        assertTrue(printed.contains("sample search:"), printed);
        assertTrue(printed.matches("(?s).*heartbeat: newest beat from 'demo' is \\d+ ms old.*"), printed);
        assertTrue(printed.matches("(?s).*p50 \\d+ ms, p99 \\d+ ms.*"), printed);
    }

    /**
     * The stream starts after the fill: without the backfill the rows filled before it never reach
     * Elasticsearch (but those the short workload changes), so the same check fails. 1,000 filled
     * orders make about 1,900 documents (every order in its month's index, the uncancelled ones in
     * {@code orders}); 3 s at 100 transactions/s change at most a few hundred of them.
     */
    @Test
    void withoutTheBackfillTheCheckFindsTheFilledRowsMissing() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ShopOracle.Result result;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            result = Demo.run(out, new Demo.Settings(Duration.ofSeconds(3), 100, 3, 1_000, false));
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertFalse(result.isClean(), printed);
        assertTrue(result.missingCount() >= 1_000, "missing " + result.missingCount() + ":\n" + printed);
        assertTrue(printed.contains("MISMATCH"), printed);
        assertFalse(printed.contains("  backfill shop."), printed);
    }
}
