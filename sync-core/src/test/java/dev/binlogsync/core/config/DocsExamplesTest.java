package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The full example in docs/configuration.md loads, in JSON and in TOML, to the same configuration. */
class DocsExamplesTest {

    static String block(String markdown, String language) {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        assertTrue(m.find(), "a ```" + language + " block in docs/configuration.md");
        return m.group(1);
    }

    @Test
    void fullExampleInJsonAndTomlLoadsToTheSameConfiguration() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        ConfigLoader loader = ConfigLoader.create().withEnv(Map.of("KAFKA_PASSWORD", "k", "ES_PASSWORD", "e"));
        PipelineDefinition json = loader.fromJson(block(doc, "json"));
        PipelineDefinition toml = loader.fromToml(block(doc, "toml"));
        assertEquals(json.toMap(), toml.toMap());
        assertEquals(3, json.rules().rules().size());
        assertEquals(20, json.settings().maxRetries());
        assertEquals(json.settings(), toml.settings());
        assertEquals("kafka", json.source().type());
    }
}
