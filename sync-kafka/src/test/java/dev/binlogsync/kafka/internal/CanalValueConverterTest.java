package dev.binlogsync.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Canal value converter's shortcuts, each checked against the way around it. */
class CanalValueConverterTest {

    /**
     * The decimal fast path against {@code new BigDecimal(String)}: for every text it accepts,
     * the same value and scale; what it declines goes to the general path. Seeded random texts of
     * digits, points, signs and other characters, plus edge cases.
     */
    @Test
    void smallDecimalsAreExactlyWhatBigDecimalParses() {
        List<String> texts = new ArrayList<>(List.of("0", "-0", "+0", "0.00", "-0.00", "5.", "-5.", ".5", "-.5", "+.5",
                ".", "-", "+", "", "129.90", "000123.4500", "999999999999999999", "-999999999999999999",
                "1000000000000000000", "99999999999999999.9", "0.000000000000000001", "1.2.3", "1e5", "1E-2", " 1",
                "1 ", "--1", "+-1", "12a", "9223372036854775807", "0.123456789012345678"));
        Random random = new Random(20261126);
        String alphabet = "0123456789012345678901234567890123456789..-+e ";
        for (int k = 0; k < 200_000; k++) {
            StringBuilder sb = new StringBuilder();
            if (random.nextInt(4) == 0) {
                sb.append(random.nextBoolean() ? '-' : '+');
            }
            for (int n = random.nextInt(22); n > 0; n--) {
                sb.append(random.nextInt(10) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(3) == 0) {
                sb.insert(random.nextInt(sb.length() + 1), '.');
            }
            texts.add(sb.toString());
        }
        int fast = 0;
        for (String text : texts) {
            byte[] bytes = ("x" + text + "y").getBytes(StandardCharsets.ISO_8859_1);
            BigDecimal small = CanalValueConverter.smallDecimal(bytes, 1, bytes.length - 1);
            if (small == null) {
                continue;
            }
            fast++;
            BigDecimal expected;
            try {
                expected = new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new AssertionError("'" + text + "' taken as " + small + " but BigDecimal refuses it", e);
            }
            assertEquals(expected, small, "'" + text + "'"); // equals compares the scale too
            assertEquals(expected.toString(), small.toString(), "'" + text + "'");
        }
        assertTrue(fast > 100_000, "the fast path took most texts: " + fast);
        for (String declined : new String[] {".5", "-.5", "", "-", "1e5", "1.2.3", " 1", "1000000000000000000"}) {
            byte[] bytes = declined.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(null, CanalValueConverter.smallDecimal(bytes, 0, bytes.length), "'" + declined + "'");
        }
    }
}
