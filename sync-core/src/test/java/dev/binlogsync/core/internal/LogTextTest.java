package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Payloads the engine logs are capped and escaped, so a row value cannot forge a log entry. */
class LogTextTest {

    @Test
    void aPayloadWithLineBreaksIsLoggedOnOneLine() {
        String forged = "{\"v\":\"x\n12:00:00.000 [main] INFO forged\u2028entry\"}";
        for (String shown : new String[] {LogText.capped(forged), LogText.capped(forged.getBytes(StandardCharsets.UTF_8))}) {
            assertFalse(shown.contains("\n") || shown.contains("\u2028"), shown);
            assertTrue(shown.contains("\\n12:00"), shown);
        }
    }

    @Test
    void aLongPayloadIsCutWithItsLengthNoted() {
        byte[] big = "z".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        String shown = LogText.capped(big);
        assertTrue(shown.length() < LogText.CAP + 40, shown.length() + "");
        assertTrue(shown.contains("more bytes") || shown.contains("100000 bytes"), shown.substring(LogText.CAP));
    }
}
