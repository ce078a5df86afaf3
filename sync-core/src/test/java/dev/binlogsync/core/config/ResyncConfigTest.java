package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.backfill.Backfill;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The {@code resync} section of a pipeline definition: its keys, its checks, what it takes from {@code backfill}. */
class ResyncConfigTest {
    private static final Map<String, String> ENV = Map.of("DB_PASSWORD", "db-s3cret", "SHARDS", "3");
    private static final String RULES = "\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"},"
            + " {\"database\": \"shop\", \"table\": \"events\", \"index\": \"events\", \"id\": [\"tenant\", \"seq\"]}]";
    private static final String BACKFILL = "\"backfill\": {\"jdbc\": {\"url\": \"jdbc:mariadb://db:3306/shop\","
            + " \"password\": \"${DB_PASSWORD}\"}, \"tables\": [\"shop.orders\"], \"chunkSize\": 500,"
            + " \"keyColumns\": {\"shop.events\": [\"tenant\", \"seq\"]}}";
    private static final String FULL = "{" + RULES + ", " + BACKFILL + ", \"resync\": {\"alias\": \"orders\","
            + " \"newIndex\": \"orders-v2\", \"newIndexBody\": {\"settings\": {\"number_of_shards\": \"${SHARDS}\"},"
            + " \"mappings\": {\"dynamic\": \"strict\"}}, \"deleteOldIndex\": true}}";

    private static PipelineDefinition load(String json) {
        return ConfigLoader.create().withEnv(ENV).fromJson(json);
    }

    private static ConfigException fails(String resync) {
        return assertThrows(ConfigException.class, () -> load("{" + RULES + ", " + BACKFILL + ", \"resync\": " + resync + "}"));
    }

    @Test
    void readsEveryKeyWithTheBodyInterpolated() throws Exception {
        ResyncConfig r = load(FULL).resync();
        assertEquals("orders", r.alias());
        assertEquals("orders-v2", r.newIndex());
        assertTrue(r.deleteOldIndex());
        JsonNode body = new ObjectMapper().readTree(r.newIndexBody());
        assertEquals("3", body.at("/settings/number_of_shards").asText());
        assertEquals("strict", body.at("/mappings/dynamic").asText());
    }

    @Test
    void leftOutKeysCopyTheOldIndexAndKeepIt() {
        ResyncConfig r = load("{" + RULES + ", " + BACKFILL + ", \"resync\": {\"alias\": \"orders\", \"newIndex\": \"orders-v2\"}}")
                .resync();
        assertNull(r.newIndexBody(), "null: the old index's body is copied");
        assertFalse(r.deleteOldIndex());
    }

    @Test
    void aDefinitionWithoutTheSectionHasNoResync() {
        PipelineDefinition d = load("{" + RULES + ", " + BACKFILL + "}");
        assertNull(d.resync());
        assertFalse(d.toJson().contains("resync"));
    }

    @Test
    void tomlTakesTheBodyAsATableOrAsAJsonString() {
        String toml = "[[rules]]\ndatabase = \"shop\"\ntable = \"orders\"\nindex = \"orders\"\n"
                + "[backfill]\nchunkSize = 500\n"
                + "[resync]\nalias = \"orders\"\nnewIndex = \"orders-v2\"\n";
        ResyncConfig table = ConfigLoader.create().withEnv(ENV).fromToml(toml
                + "[resync.newIndexBody.mappings]\ndynamic = \"strict\"\n").resync();
        ResyncConfig text = ConfigLoader.create().withEnv(ENV).fromToml(toml
                + "newIndexBody = '{\"mappings\": {\"dynamic\": \"strict\"}}'\n").resync();
        assertEquals("{\"mappings\":{\"dynamic\":\"strict\"}}", table.newIndexBody());
        assertEquals(table.newIndexBody(), text.newIndexBody());
    }

    @Test
    void theResyncsBackfillSettingsAreTheBackfillSectionsWithoutItsTables() {
        PipelineDefinition d = load(FULL);
        Backfill.Builder b = Backfill.builder();
        d.toResyncBackfillSettings().accept(b);
        // the re-sync names its tables after the settings, as Resync does
        Backfill built = b.dataSource(placeholderDataSource()).rules(d.rules()).sink(new ReadingSink())
                .table("shop", "events").build();
        assertEquals(List.of("shop.events"), built.tables(), "the section's tables do not apply");
        // the key columns are part of a table's checkpoint name: the section's reach the re-sync's backfill
        Backfill.Builder plain = Backfill.builder();
        Backfill without = plain.dataSource(placeholderDataSource()).rules(d.rules()).sink(new ReadingSink())
                .table("shop", "events").build();
        assertNotEquals(without.checkpointName("shop", "events"), built.checkpointName("shop", "events"));
    }

    @Test
    void rendersTheSectionAsWrittenAndLoadsItBack() {
        PipelineDefinition d = load(FULL);
        String json = d.toJson();
        assertTrue(json.contains("${SHARDS}"), json);
        assertEquals(d.resync(), load(json).resync());
        assertEquals(d.toMap(), ConfigLoader.create().withEnv(ENV).fromToml(d.toToml()).toMap());
        PipelineDefinition built = PipelineDefinition.builder().env(ENV).rules(d.rules()).backfill(d.backfill().raw())
                .resync(d.resync().raw()).build();
        assertEquals(d.resync(), built.resync());
    }

    @Test
    void toStringShowsTheSectionButNoSecret() {
        PipelineDefinition d = load("{" + RULES + ", " + BACKFILL + ", \"resync\": {\"alias\": \"orders\","
                + " \"newIndex\": \"orders-v2\", \"newIndexBody\": {\"settings\": {\"index\": {\"password\": \"body-s3cret\"}}}}}");
        for (String shown : List.of(d.toString(), d.resync().toString())) {
            assertTrue(shown.contains("orders-v2"), shown);
            assertFalse(shown.contains("body-s3cret"), shown);
            assertFalse(shown.contains("db-s3cret"), shown);
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void refusesAnUnknownKeyNamingIt() {
        ConfigException e = fails("{\"alias\": \"orders\", \"newIndex\": \"orders-v2\", \"deleteOld\": true}");
        assertEquals("resync.deleteOld", e.path());
        assertTrue(e.getMessage().contains("deleteOldIndex"), e.getMessage());
    }

    @Test
    void refusesAMissingAliasOrNewIndex() {
        assertEquals("resync.alias", fails("{\"newIndex\": \"orders-v2\"}").path());
        assertEquals("resync.newIndex", fails("{\"alias\": \"orders\"}").path());
    }

    @Test
    void refusesANewIndexEqualToTheAliasOrNoIndexName() {
        assertEquals("resync.newIndex", fails("{\"alias\": \"orders\", \"newIndex\": \"orders\"}").path());
        assertEquals("resync.newIndex", fails("{\"alias\": \"orders\", \"newIndex\": \"Orders-V2\"}").path());
        assertEquals("resync.newIndex", fails("{\"alias\": \"orders\", \"newIndex\": \"_orders\"}").path());
        assertEquals("resync.alias", fails("{\"alias\": \"ord*\", \"newIndex\": \"orders-v2\"}").path());
    }

    @Test
    void refusesAnAliasNoRuleWritesTo() {
        ConfigException e = fails("{\"alias\": \"order\", \"newIndex\": \"orders-v2\"}");
        assertEquals("resync.alias", e.path());
        assertTrue(e.getMessage().contains("no rule writes to 'order'"), e.getMessage());
    }

    @Test
    void refusesASectionWithoutABackfillSection() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("{" + RULES
                + ", \"resync\": {\"alias\": \"orders\", \"newIndex\": \"orders-v2\"}}"));
        assertEquals("resync", e.path());
        assertTrue(e.getMessage().contains("needs a backfill section"), e.getMessage());
    }

    @Test
    void refusesABodyThatIsNoObject() {
        assertEquals("resync.newIndexBody", fails("{\"alias\": \"orders\", \"newIndex\": \"orders-v2\", \"newIndexBody\": [1]}")
                .path());
        assertEquals("resync.newIndexBody", fails("{\"alias\": \"orders\", \"newIndex\": \"orders-v2\", \"newIndexBody\":"
                + " \"{not json\"}").path());
    }

    @Test
    void refusesADeleteOldIndexThatIsNoBooleanAndASectionThatIsNoObject() {
        assertEquals("resync.deleteOldIndex", fails("{\"alias\": \"orders\", \"newIndex\": \"orders-v2\","
                + " \"deleteOldIndex\": \"maybe\"}").path());
        assertEquals("resync", fails("[]").path());
    }

    private static DataSource placeholderDataSource() {
        return (DataSource) Proxy.newProxyInstance(ResyncConfigTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, m, a) -> {
                    throw new UnsupportedOperationException("not connected in this test");
                });
    }

    /** A sink and reader never called: the builder only needs one to build. */
    private static final class ReadingSink implements BulkSink, DocumentReader {
        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            throw new UnsupportedOperationException("not written in this test");
        }

        @Override
        public CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs) {
            throw new UnsupportedOperationException("not read in this test");
        }
    }
}
