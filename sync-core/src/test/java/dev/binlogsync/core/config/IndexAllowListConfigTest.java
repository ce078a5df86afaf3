package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.rules.TableRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-placeholder allow-lists of an index template in the configuration file. */
class IndexAllowListConfigTest {
    private static final String RULES = "{\"rules\": [{\"table\": \"orders\", \"index\": \"orders-{region}-{tenant}\","
            + " \"allowIndexValues\": {\"region\": [\"eu\", \"us\"]},"
            + " \"allowIndexValuePatterns\": {\"tenant\": \"[a-z]{2,8}\"}}]}";

    @Test
    void allowListsAreReadFromTheFileAndEnforced() {
        PipelineDefinition c = ConfigLoader.create().fromJson(RULES);
        TableRule r = c.rules().rules().get(0);
        assertEquals(Map.of("region", Set.of("eu", "us")), r.allowedIndexValues());
        assertEquals(Map.of("tenant", "[a-z]{2,8}"), r.allowedIndexValuePatterns());
        assertEquals("orders-eu-acme", ConfigLoaderTest.apply(c.rules(), "orders", Operation.INSERT,
                Map.of("id", 1, "region", "eu", "tenant", "acme"), Map.of(), "id").get(0).index());
        SyncException e = assertThrows(SyncException.class, () -> ConfigLoaderTest.apply(c.rules(), "orders",
                Operation.INSERT, Map.of("id", 1, "region", "apac", "tenant", "acme"), Map.of(), "id"));
        assertTrue(e.getMessage().contains("{region}"), e.getMessage());
    }

    @Test
    void allowListsAreWrittenBackAndLoadAgain() {
        PipelineDefinition c = ConfigLoader.create().fromJson(RULES);
        PipelineDefinition again = ConfigLoader.create().fromJson(c.toJson());
        assertEquals(c.toMap(), again.toMap());
        assertEquals(c.rules().rules().get(0).allowedIndexValues(), again.rules().rules().get(0).allowedIndexValues());
        assertEquals(List.of("eu", "us"), ((Map<?, ?>) ((Map<?, ?>) ((List<?>) c.toMap().get("rules")).get(0))
                .get("allowIndexValues")).get("region"));
    }

    @Test
    void anAllowListNamingAnUnknownPlaceholderIsAConfigErrorAtItsPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.create().fromJson(
                "{\"rules\": [{\"table\": \"orders\", \"index\": \"orders-{region}\","
                        + " \"allowIndexValues\": {\"regoin\": [\"eu\"]}}]}"));
        assertTrue(e.getMessage().contains("regoin"), e.getMessage());
    }
}
