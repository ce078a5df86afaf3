package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule key {@code writeMode} in files: {@code auto} (the default), {@code upsert}, {@code index}. */
class WriteModeConfigTest {

    private static Rules load(String... rules) {
        return ConfigLoader.create().fromJson(ConfigLoaderTest.rules(rules)).rules();
    }

    @Test
    void aRuleWithoutWriteModeIsAutoAndEachModeCanBeSpelledOut() {
        Rules r = load("{\"table\": \"a\", \"index\": \"a\"}",
                "{\"table\": \"b\", \"index\": \"b\", \"writeMode\": \"auto\"}",
                "{\"table\": \"c\", \"index\": \"c\", \"writeMode\": \"upsert\"}",
                "{\"table\": \"d\", \"index\": \"d\", \"writeMode\": \"index\"}");
        assertEquals(List.of(WriteMode.AUTO, WriteMode.AUTO, WriteMode.UPSERT, WriteMode.INDEX),
                r.rules().stream().map(TableRule::writeMode).toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void renderingOmitsTheDefaultAndKeepsAnExplicitUpsert() {
        PipelineDefinition d = PipelineDefinition.builder().rules(Rules.builder()
                .rule(TableRule.builder().table("a").index("a").build())
                .rule(TableRule.builder().table("c").index("c").writeMode(WriteMode.UPSERT).build())
                .build()).build();
        List<Map<String, Object>> rendered = (List<Map<String, Object>>) d.toMap().get("rules");
        assertFalse(rendered.get(0).containsKey("writeMode"), "the default is not rendered: " + rendered.get(0));
        assertEquals("upsert", rendered.get(1).get("writeMode"));
        Rules again = ConfigLoader.create().fromJson(d.toJson()).rules();
        assertEquals(List.of(WriteMode.AUTO, WriteMode.UPSERT), again.rules().stream().map(TableRule::writeMode).toList());
    }
}
