package dev.binlogsync.core.rules.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * {@link IndexTemplate#mayCoincide}: whether two index names or templates can name the same index
 * (each placeholder taken to render any text), symmetric, and true whenever unsure.
 */
class IndexTemplateCoincidenceTest {

    private static boolean coincide(String a, String b) {
        boolean ab = IndexTemplate.parse(a, ZoneOffset.UTC).mayCoincide(IndexTemplate.parse(b, ZoneOffset.UTC));
        boolean ba = IndexTemplate.parse(b, ZoneOffset.UTC).mayCoincide(IndexTemplate.parse(a, ZoneOffset.UTC));
        assertEquals(ab, ba, "symmetric: " + a + " / " + b);
        return ab;
    }

    @Test
    void namesWithoutPlaceholdersCoincideWhenEqual() {
        assertEquals(true, coincide("orders", "orders"));
        assertEquals(false, coincide("orders", "orders-archive"));
        assertEquals(false, coincide("orders", "order"));
    }

    @Test
    void aTemplateCoincidesWithEveryNameItCanRender() {
        assertEquals(true, coincide("orders-{created_at:yyyy.MM}", "orders-archive"), "a placeholder may render 'archive'");
        assertEquals(true, coincide("orders-{created_at:yyyy.MM}", "orders-2024.03"));
        assertEquals(true, coincide("{$table}", "anything"));
        assertEquals(false, coincide("orders-{created_at:yyyy.MM}", "orders"), "the literal '-' is missing");
        assertEquals(false, coincide("orders-{created_at:yyyy.MM}", "users"));
    }

    @Test
    void twoTemplatesCoincideWhenSomeRenderingsAgree() {
        assertEquals(true, coincide("orders-{created_at:yyyy.MM}", "orders-{created_at:yyyy.MM}"));
        assertEquals(true, coincide("orders-{a}", "{$table}-log"), "orders-log is both");
        assertEquals(true, coincide("{a}-x-{b}", "{c}-y-{d}"), "a-x-b-y-d is both");
        assertEquals(true, coincide("{a}", "{b}"));
        assertEquals(false, coincide("orders-{a}", "users-{a}"));
        assertEquals(false, coincide("{a}-orders", "{a}-users"));
        assertEquals(false, coincide("logs-{$table}-x", "logs-{$table}-y"));
    }
}
