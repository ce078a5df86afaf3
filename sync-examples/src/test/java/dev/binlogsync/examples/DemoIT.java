package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** README's demo, shortened: it must end with every row matching and print what it promises. */
class DemoIT {

    @Test
    void shortDemoRunReportsEveryRowMatchingWithSearchHeartbeatAndLatency() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean clean;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            clean = Demo.run(out, Duration.ofSeconds(6), 100, 3);
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertTrue(clean, printed);
        assertTrue(printed.contains("EVERY ROW MATCHES"), printed);
        assertTrue(printed.contains("acked docs/s"), printed);
        assertTrue(printed.contains("sample search:"), printed);
        assertTrue(printed.matches("(?s).*heartbeat: newest beat from 'demo' is \\d+ ms old.*"), printed);
        assertTrue(printed.matches("(?s).*p50 \\d+ ms, p99 \\d+ ms.*"), printed);
    }
}
