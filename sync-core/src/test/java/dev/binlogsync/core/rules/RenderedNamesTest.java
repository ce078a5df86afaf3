package dev.binlogsync.core.rules;

import static dev.binlogsync.core.rules.Events.apply;
import static dev.binlogsync.core.rules.Events.insert;
import static dev.binlogsync.core.rules.Events.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.SyncException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Index names and ids built from row values: a rendered index name must be one Elasticsearch
 * accepts (else a clear error for the decode-failure policy), an allow-list per placeholder
 * rejects any other value, composite ids are unambiguous and ids are at most 512 bytes.
 */
class RenderedNamesTest {

    private static Rules tenantRule() {
        return Rules.builder().rule(TableRule.builder().table("t").index("{tenant}").build()).build();
    }

    private static SyncException rejectedTenant(Object tenant) {
        return assertThrows(SyncException.class,
                () -> apply(tenantRule(), insert("d", "t", row("id", 1, "tenant", tenant), "id")));
    }

    private static void assertNamesRuleColumnAndPosition(SyncException e, String reason) {
        String m = e.getMessage();
        assertTrue(m.contains("d.t"), m);
        assertTrue(m.contains("placeholder {tenant}"), m);
        assertTrue(m.contains(reason), m);
        assertTrue(m.contains("canal-0@42"), m);
    }

    @Test
    void underscoreAllIsRejected() {
        assertNamesRuleColumnAndPosition(rejectedTenant("_all"), "must not start with '_'");
    }

    @Test
    void dotAndDotDotAreRejected() {
        assertNamesRuleColumnAndPosition(rejectedTenant("."), "'.' or '..'");
        assertNamesRuleColumnAndPosition(rejectedTenant(".."), "'.' or '..'");
    }

    @Test
    void aRenderedLeadingDotIsRejectedSoNoValueReachesASystemIndex() {
        assertNamesRuleColumnAndPosition(rejectedTenant(".security-7"), "must not start with '.'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x", "_x", "+x"})
    void leadingDashUnderscoreOrPlusIsRejected(String value) {
        assertNamesRuleColumnAndPosition(rejectedTenant(value), "must not start with '" + value.charAt(0) + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\b", "a/b", "a*b", "a?b", "a\"b", "a<b", "a>b", "a|b", "a b", "a,b", "a#b", "a:b"})
    void charactersElasticsearchForbidsAreRejected(String value) {
        SyncException e = rejectedTenant(value);
        assertNamesRuleColumnAndPosition(e, "character 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\u0000b", "a\u007fb", "a\u0085b", "a\u2028b"})
    void controlCharactersAreRejectedAndShownEscaped(String value) {
        SyncException e = rejectedTenant(value);
        assertNamesRuleColumnAndPosition(e, "character 2");
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r")
                || e.getMessage().contains("\u0000") || e.getMessage().contains("\u2028"), e.getMessage());
    }

    @Test
    void aNameOver255BytesIsRejectedCountingUtf8Bytes() {
        assertEquals("t" + "a".repeat(254), apply(tenantRule(),
                insert("d", "t", row("id", 1, "tenant", "t" + "a".repeat(254)), "id")).get(0).index());
        SyncException e = rejectedTenant("t" + "a".repeat(255));
        assertNamesRuleColumnAndPosition(e, "255 bytes");
        // 128 two-byte characters: 128 chars, 256 bytes
        assertNamesRuleColumnAndPosition(rejectedTenant("é".repeat(128)), "255 bytes");
        assertTrue(e.getMessage().length() < 1000, "the value is shown capped: " + e.getMessage().length());
    }

    @Test
    void anEmptyRenderedNameIsRejected() {
        assertNamesRuleColumnAndPosition(rejectedTenant(""), "empty");
    }

    @Test
    void upperCaseIsLowerCased() {
        assertEquals("eu-orders", apply(Rules.builder().rule(TableRule.builder().table("t").index("{region}-orders")
                .build()).build(), insert("d", "t", row("id", 1, "region", "EU"), "id")).get(0).index());
    }

    @Test
    void upperCaseOutsideAsciiIsLowerCasedAsElasticsearchChecksIt() {
        // U+01C5 is title case (not upper case); U+0130 lower-cases to two characters in Locale.ROOT
        assertEquals("\u01c6x", apply(tenantRule(), insert("d", "t", row("id", 1, "tenant", "\u01c5X"), "id")).get(0)
                .index());
        assertEquals("i\u0307x", apply(tenantRule(), insert("d", "t", row("id", 1, "tenant", "\u0130x"), "id")).get(0)
                .index());
    }

    @Test
    void aFixedTextPrefixKeepsLeadingCharactersOfValuesHarmless() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("orders-{tenant}").build()).build();
        assertEquals("orders-_x", apply(r, insert("d", "t", row("id", 1, "tenant", "_x"), "id")).get(0).index());
    }

    @Test
    void theAllowListAcceptsListedValuesAndRejectsOthersNamingThePlaceholder() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("orders-{region}")
                .allowIndexValues("region", Set.of("eu", "us")).build()).build();
        assertEquals("orders-eu", apply(r, insert("d", "t", row("id", 1, "region", "EU"), "id")).get(0).index());
        SyncException e = assertThrows(SyncException.class,
                () -> apply(r, insert("d", "t", row("id", 1, "region", "apac\nx"), "id")));
        String m = e.getMessage();
        assertTrue(m.contains("{region}") && m.contains("not in the allowed values") && m.contains("apac\\nx")
                && m.contains("canal-0"), m);
    }

    @Test
    void theAllowPatternAcceptsMatchingValuesOnly() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("logs-{$table}-{tenant}")
                .allowIndexValuePattern("tenant", "[a-z]{2,8}").build()).build();
        assertEquals("logs-t-acme", apply(r, insert("d", "t", row("id", 1, "tenant", "acme"), "id")).get(0).index());
        SyncException e = assertThrows(SyncException.class,
                () -> apply(r, insert("d", "t", row("id", 1, "tenant", "acme2"), "id")));
        assertTrue(e.getMessage().contains("{tenant}") && e.getMessage().contains("[a-z]{2,8}"), e.getMessage());
    }

    @Test
    void anAllowListForAPlaceholderTheTemplateDoesNotHaveIsRejectedAtBuild() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TableRule.builder().table("t")
                .index("orders-{region}").allowIndexValues("regoin", Set.of("eu")).build());
        assertTrue(e.getMessage().contains("regoin"), e.getMessage());
    }

    @Test
    void anAllowedValueThatCouldNeverRenderIsRejectedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TableRule.builder().allowIndexValues("region", Set.of("EU")));
        assertTrue(e.getMessage().contains("EU"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().allowIndexValuePattern("region", "[a-"));
    }

    // ---- ids

    @Test
    void compositeIdsOfPartsContainingTheDelimiterDoNotCollide() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("i").build()).build();
        String first = apply(r, insert("d", "t", row("a", "a:b", "b", "c"), "a", "b")).get(0).id();
        String second = apply(r, insert("d", "t", row("a", "a", "b", "b:c"), "a", "b")).get(0).id();
        assertNotEquals(first, second);
        String third = apply(r, insert("d", "t", row("a", "a\\", "b", ":c"), "a", "b")).get(0).id();
        String fourth = apply(r, insert("d", "t", row("a", "a\\:", "b", "c"), "a", "b")).get(0).id();
        assertEquals(4, Set.of(first, second, third, fourth).size(), List.of(first, second, third, fourth).toString());
    }

    @Test
    void compositeIdsWithAMultiCharacterDelimiterDoNotCollide() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("i").id("a", "b").idDelimiter("::")
                .build()).build();
        String first = apply(r, insert("d", "t", row("a", "x:", "b", "y"), "a")).get(0).id();
        String second = apply(r, insert("d", "t", row("a", "x", "b", ":y"), "a")).get(0).id();
        assertNotEquals(first, second);
    }

    @Test
    void idsOfPartsWithoutDelimiterOrBackslashAreUnchanged() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("i").build()).build();
        assertEquals("3:x-y", apply(r, insert("d", "t", row("a", 3, "b", "x-y"), "a", "b")).get(0).id());
        assertEquals("a:b", apply(Rules.builder().rule(TableRule.builder().table("t").index("i").build()).build(),
                insert("d", "t", row("a", "a:b"), "a")).get(0).id(), "a single-column id is never escaped");
    }

    @Test
    void aDelimiterStartingWithABackslashIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().idDelimiter("\\"));
    }

    @Test
    void anIdOver512BytesIsRejected() {
        Rules r = Rules.builder().rule(TableRule.builder().table("t").index("i").build()).build();
        assertEquals(512, apply(r, insert("d", "t", row("a", "x".repeat(512)), "a")).get(0).id().length());
        SyncException e = assertThrows(SyncException.class,
                () -> apply(r, insert("d", "t", row("a", "é".repeat(257)), "a")));
        assertTrue(e.getMessage().contains("512 bytes") && e.getMessage().contains("canal-0")
                && e.getMessage().contains("'a'"), e.getMessage());
        assertTrue(e.getMessage().length() < 1000, e.getMessage());
    }
}
