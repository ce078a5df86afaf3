package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.FailurePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSectionTest {

    static ConfigSection section(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new ConfigSection("sink", m, Map.of("HOST", "es1", "N", "7", "EMPTY", ""));
    }

    @Test
    void parsesDurationsInEveryAcceptedForm() {
        ConfigSection s = section("a", "250ms", "b", "2s", "c", "5m", "d", "1h", "e", "1d", "f", "PT1.5S", "g", "${N}s");
        assertEquals(Duration.ofMillis(250), s.duration("a", null));
        assertEquals(Duration.ofSeconds(2), s.duration("b", null));
        assertEquals(Duration.ofMinutes(5), s.duration("c", null));
        assertEquals(Duration.ofHours(1), s.duration("d", null));
        assertEquals(Duration.ofDays(1), s.duration("e", null));
        assertEquals(Duration.ofMillis(1500), s.duration("f", null));
        assertEquals(Duration.ofSeconds(7), s.duration("g", null));
        assertEquals(Duration.ofSeconds(9), s.duration("absent", Duration.ofSeconds(9)));
        ConfigException e = assertThrows(ConfigException.class, () -> section("t", 200).duration("t", null));
        assertEquals("sink.t", e.path());
        assertTrue(e.getMessage().contains("200ms"), "suggests a unit: " + e.getMessage());
    }

    @Test
    void parsesSizesAsPowersOf1024() {
        ConfigSection s = section("a", 100, "b", "512kb", "c", "5mb", "d", "1GiB", "e", "2 MiB");
        assertEquals(100, s.bytes("a", 0));
        assertEquals(512 * 1024, s.bytes("b", 0));
        assertEquals(5L << 20, s.bytes("c", 0));
        assertEquals(1L << 30, s.bytes("d", 0));
        assertEquals(2L << 20, s.bytes("e", 0));
        assertThrows(ConfigException.class, () -> section("x", "99999999999999gb").bytes("x", 0));
    }

    @Test
    void interpolatesStringsAndRejectsUnsetVariables() {
        ConfigSection s = section("url", "http://${HOST}:${PORT:9200}", "lit", "$${HOST}", "empty", "${EMPTY:x}", "n", "${N}");
        assertEquals("http://es1:9200", s.string("url"));
        assertEquals("${HOST}", s.string("lit"));
        assertEquals("", s.string("empty"), "a set but empty variable is used as is");
        assertEquals(7, s.intValue("n"));
        ConfigException e = assertThrows(ConfigException.class, () -> section("p", "${NOPE}").string("p"));
        assertEquals("sink.p", e.path());
    }

    @Test
    void enumsIgnoreCaseAndDashes() {
        ConfigSection s = section("a", "Dead-Letter", "b", "skip");
        assertEquals(FailurePolicy.DEAD_LETTER, s.enumValue("a", FailurePolicy.class, null));
        assertEquals(FailurePolicy.SKIP, s.enumValue("b", FailurePolicy.class, null));
        ConfigException e = assertThrows(ConfigException.class, () -> section("c", "drop").enumValue("c", FailurePolicy.class, null));
        assertTrue(e.getMessage().contains("[stop, dead_letter, skip]"), e.getMessage());
    }

    @Test
    void listsAcceptASingleStringAndNameTheBadElement() {
        assertEquals(List.of("a"), section("l", "a").stringList("l"));
        assertEquals(List.of("a", "7"), section("l", List.of("a", 7)).stringList("l"));
        ConfigException e = assertThrows(ConfigException.class, () -> section("l", List.of("a", Map.of())).stringList("l"));
        assertEquals("sink.l[1]", e.path());
    }

    @Test
    void finishRejectsKeysNobodyAskedForAlsoInNestedSections() {
        ConfigSection s = section("known", "x", "nested", new LinkedHashMap<>(Map.of("ok", 1, "typo", 2)));
        s.string("known");
        s.section("nested").intValue("ok");
        ConfigException e = assertThrows(ConfigException.class, s::finish);
        assertEquals("sink.nested.typo", e.path());
        assertTrue(e.getMessage().contains("[ok]"), e.getMessage());
    }

    @Test
    void integersMustBeWholeAndInRange() {
        assertEquals("sink.i", assertThrows(ConfigException.class, () -> section("i", 1.5).intValue("i")).path());
        assertThrows(ConfigException.class, () -> section("i", 3_000_000_000L).intValue("i"));
        assertEquals(3_000_000_000L, section("i", 3_000_000_000L).longValue("i", 0));
        assertEquals("sink.b", assertThrows(ConfigException.class, () -> section("b", "yes").bool("b", false)).path());
    }
}
