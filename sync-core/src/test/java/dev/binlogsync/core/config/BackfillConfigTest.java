package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.backfill.Backfill;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The {@code backfill} section of a pipeline definition: every key, its checks, its secrets. */
class BackfillConfigTest {
    private static final Map<String, String> ENV = Map.of("DB_PASSWORD", "db-s3cret", "DB_USER", "sync");
    private static final String RULES = "\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"},"
            + " {\"database\": \"shop\", \"table\": \"events\", \"index\": \"events\", \"id\": [\"tenant\", \"seq\"]}]";
    private static final String FULL = "{" + RULES + ", \"backfill\": {"
            + "\"jdbc\": {\"url\": \"jdbc:mariadb://db:3306/shop\", \"user\": \"${DB_USER}\", \"password\": \"${DB_PASSWORD}\"},"
            + " \"tables\": [\"shop.orders\", \"shop.events\"], \"keyColumns\": {\"shop.events\": [\"tenant\", \"seq\"]},"
            + " \"chunkSize\": 500, \"maxChunkBytes\": \"2mb\", \"maxRowsPerSecond\": 2500.5, \"restartFence\": \"3m\", \"maxRetries\": 4,"
            + " \"retryBackoff\": \"50ms\", \"checkpointIndex\": \".my-checkpoints\", \"runAtStart\": false}}";

    private static PipelineDefinition load(String json) {
        return ConfigLoader.create().withEnv(ENV).fromJson(json);
    }

    private static ConfigException fails(String backfill) {
        return assertThrows(ConfigException.class, () -> load("{" + RULES + ", \"backfill\": " + backfill + "}"));
    }

    @Test
    void readsEveryKey() {
        BackfillConfig b = load(FULL).backfill();
        assertEquals("jdbc:mariadb://db:3306/shop", b.jdbcUrl());
        assertEquals("sync", b.jdbcUser(), "interpolated");
        assertEquals("db-s3cret", b.jdbcPassword(), "interpolated");
        assertEquals(List.of("shop.orders", "shop.events"), b.tables());
        assertEquals(Map.of("shop.events", List.of("tenant", "seq")), b.keyColumns());
        assertEquals(500, b.chunkSize());
        assertEquals(2L * 1024 * 1024, b.maxChunkBytes());
        assertEquals(2500.5, b.maxRowsPerSecond());
        assertEquals(Duration.ofMinutes(3), b.restartFence());
        assertEquals(4, b.maxRetries());
        assertEquals(Duration.ofMillis(50), b.retryBackoff());
        assertEquals(".my-checkpoints", b.checkpointIndex());
        assertFalse(b.runAtStart());
    }

    @Test
    void tomlLoadsToTheSameSection() {
        String toml = "[[rules]]\ndatabase = \"shop\"\ntable = \"orders\"\nindex = \"orders\"\n"
                + "[backfill]\nchunkSize = 500\nmaxRowsPerSecond = 10\ntables = [\"shop.orders\"]\nrestartFence = \"1m\"\n"
                + "[backfill.jdbc]\nurl = \"jdbc:mariadb://db/shop\"\npassword = \"${DB_PASSWORD}\"\n";
        BackfillConfig b = ConfigLoader.create().withEnv(ENV).fromToml(toml).backfill();
        assertEquals(500, b.chunkSize());
        assertEquals(10.0, b.maxRowsPerSecond());
        assertEquals(List.of("shop.orders"), b.tables());
        assertEquals(Duration.ofMinutes(1), b.restartFence());
        assertEquals("db-s3cret", b.jdbcPassword());
    }

    @Test
    void leftOutKeysKeepTheBuildersDefaults() {
        BackfillConfig b = load("{" + RULES + ", \"backfill\": {}}").backfill();
        assertNull(b.jdbcUrl());
        assertNull(b.jdbcUser());
        assertNull(b.jdbcPassword());
        assertEquals(List.of(), b.tables());
        assertEquals(Map.of(), b.keyColumns());
        assertNull(b.chunkSize());
        assertNull(b.maxChunkBytes());
        assertNull(b.maxRowsPerSecond());
        assertNull(b.restartFence());
        assertNull(b.maxRetries());
        assertNull(b.retryBackoff());
        assertEquals("binlog-sync-backfill", b.checkpointIndex());
        assertTrue(b.runAtStart());
    }

    @Test
    void aDefinitionWithoutTheSectionHasNoBackfillAndNoBuilder() {
        PipelineDefinition d = load("{" + RULES + "}");
        assertNull(d.backfill());
        assertThrows(IllegalStateException.class, () -> d.toBackfillBuilder(placeholderDataSource(), new ReadingSink()));
        assertFalse(d.toJson().contains("backfill"));
    }

    @Test
    void theBackfillBuilderGetsTheTablesAndKeyColumns() {
        Backfill b = load(FULL).toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build();
        assertEquals(List.of("shop.orders", "shop.events"), b.tables());
        // the key columns are part of a table's checkpoint name: the section's reach the builder
        Backfill without = load("{" + RULES + ", \"backfill\": {\"tables\": [\"shop.orders\", \"shop.events\"]}}")
                .toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build();
        assertNotEquals(without.checkpointName("shop", "events"), b.checkpointName("shop", "events"));
        assertEquals(without.checkpointName("shop", "orders"), b.checkpointName("shop", "orders"));
    }

    @Test
    void filteredRoutedTemplatedAndVersionedRulesLoadWithTheSection() {
        String rules = "\"filters\": {\"live\": {\"where\": \"status <> 'deleted'\"}},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders-{region}\","
                + " \"routing\": \"customer\", \"where\": \"type IN (1,2)\", \"filter\": \"live\"},"
                + " {\"database\": \"shop\", \"table\": \"items\", \"index\": \"items\", \"writeMode\": \"index\","
                + " \"versionColumn\": \"v\", \"versionType\": \"external\"}]";
        PipelineDefinition d = load("{" + rules + ", \"backfill\": {\"tables\": [\"shop.orders\", \"shop.items\"]}}");
        Backfill b = d.toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build();
        assertEquals(List.of("shop.orders", "shop.items"), b.tables());
        // the filter and the version are part of the checkpoint: another rule, another name
        Backfill unfiltered = load("{\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\":"
                + " \"orders-{region}\", \"routing\": \"customer\"}], \"backfill\": {}}")
                .toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build();
        assertNotEquals(unfiltered.checkpointName("shop", "orders"), b.checkpointName("shop", "orders"));
    }

    @Test
    void withoutTablesTheBackfillLoadsEveryTableARuleNames() {
        Backfill b = load("{" + RULES + ", \"backfill\": {}}").toBackfillBuilder(placeholderDataSource(), new ReadingSink())
                .build();
        assertEquals(List.of("shop.orders", "shop.events"), b.tables());
    }

    @Test
    void rendersTheSectionAsWrittenAndLoadsItBack() {
        PipelineDefinition d = load(FULL);
        String json = d.toJson();
        assertTrue(json.contains("${DB_PASSWORD}"), json);
        assertFalse(json.contains("db-s3cret"), json);
        assertEquals(d.toMap(), load(json).toMap());
        assertEquals(d.backfill(), load(json).backfill());
        assertEquals(d.toMap(), ConfigLoader.create().withEnv(ENV).fromToml(d.toToml()).toMap());
    }

    @Test
    void aBuilderMadeDefinitionCarriesTheSection() {
        PipelineDefinition loaded = load(FULL);
        PipelineDefinition built = PipelineDefinition.builder().env(ENV).rules(loaded.rules())
                .backfill(loaded.backfill().raw()).build();
        assertEquals(loaded.backfill(), built.backfill());
        assertEquals("db-s3cret", built.backfill().jdbcPassword());
    }

    @Test
    void toStringShowsNoPasswordNorUrlCredentials() {
        PipelineDefinition d = ConfigLoader.create().withEnv(ENV).fromJson("{" + RULES + ", \"backfill\": {\"jdbc\":"
                + " {\"url\": \"jdbc:mysql://admin:url-s3cret@db/shop\", \"password\": \"plain-s3cret\"}}}");
        for (String shown : List.of(d.toString(), d.backfill().toString())) {
            assertFalse(shown.contains("url-s3cret"), shown);
            assertFalse(shown.contains("plain-s3cret"), shown);
            assertTrue(shown.contains("jdbc"), shown);
        }
    }

    @Test
    void toStringShowsNoPasswordGivenInTheJdbcUrlsProperties() {
        for (String url : List.of("jdbc:mariadb://db:3306/shop?user=sync&password=q-s3cret",
                "jdbc:sqlserver://db:1433;databaseName=shop;password=q-s3cret",
                "jdbc:mysql://(host=db,port=3306,user=sync,password=q-s3cret)/shop")) {
            PipelineDefinition d = ConfigLoader.create().withEnv(ENV).fromJson("{" + RULES + ", \"backfill\": {\"jdbc\":"
                    + " {\"url\": \"" + url + "\"}}}");
            for (String shown : List.of(d.toString(), d.backfill().toString())) {
                assertFalse(shown.contains("q-s3cret"), shown);
                assertTrue(shown.contains("jdbc:"), shown);
            }
            assertEquals(url, d.backfill().jdbcUrl());
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void refusesAnUnknownKeyNamingIt() {
        ConfigException e = fails("{\"chunksize\": 10}");
        assertEquals("backfill.chunksize", e.path());
        assertTrue(e.getMessage().contains("known keys here"), e.getMessage());
        assertTrue(e.getMessage().contains("chunkSize"), e.getMessage());
    }

    @Test
    void refusesAMaxChunkBytesTheBuilderRejectsOrThatIsNoSizeNamingTheKey() {
        ConfigException small = fails("{\"maxChunkBytes\": 512}");
        assertEquals("backfill.maxChunkBytes", small.path());
        assertTrue(small.getMessage().contains("512"), small.getMessage());
        assertEquals("backfill.maxChunkBytes", fails("{\"maxChunkBytes\": \"lots\"}").path());
        assertEquals(1024L, load("{" + RULES + ", \"backfill\": {\"maxChunkBytes\": \"1kb\"}}").backfill().maxChunkBytes());
    }

    @Test
    void refusesAnUnknownKeyInJdbc() {
        assertEquals("backfill.jdbc.pasword", fails("{\"jdbc\": {\"url\": \"jdbc:mariadb://db/x\", \"pasword\": \"x\"}}").path());
    }

    @Test
    void refusesASectionThatIsNoObject() {
        assertEquals("backfill", fails("[]").path());
        assertEquals("backfill.jdbc", fails("{\"jdbc\": \"jdbc:mariadb://db/x\"}").path());
    }

    @Test
    void refusesABlankJdbcUrl() {
        assertEquals("backfill.jdbc.url", fails("{\"jdbc\": {\"url\": \" \"}}").path());
    }

    @Test
    void refusesAnUnsetVariableInThePasswordWithoutShowingValues() {
        ConfigException e = fails("{\"jdbc\": {\"url\": \"jdbc:mariadb://db/x\", \"password\": \"${NOT_SET}\"}}");
        assertEquals("backfill.jdbc.password", e.path());
        assertTrue(e.getMessage().contains("NOT_SET"), e.getMessage());
    }

    @Test
    void refusesAPasswordOfTheWrongTypeWithoutQuotingIt() {
        ConfigException e = fails("{\"jdbc\": {\"url\": \"jdbc:mariadb://db/x\", \"password\": [\"list-s3cret\"]}}");
        assertEquals("backfill.jdbc.password", e.path());
        assertFalse(e.getMessage().contains("list-s3cret"), e.getMessage());
    }

    @Test
    void refusesATableThatIsNotDatabaseDotTable() {
        assertEquals("backfill.tables[1]", fails("{\"tables\": [\"shop.orders\", \"orders\"]}").path());
        assertEquals("backfill.tables[0]", fails("{\"tables\": [\"a.b.c\"]}").path());
        assertEquals("backfill.tables", fails("{\"tables\": {\"shop\": \"orders\"}}").path());
    }

    @Test
    void refusesKeyColumnsOfABadTableOrWithoutColumns() {
        assertEquals("backfill.keyColumns.events", fails("{\"keyColumns\": {\"events\": [\"id\"]}}").path());
        assertEquals("backfill.keyColumns.shop.events", fails("{\"keyColumns\": {\"shop.events\": []}}").path());
        assertEquals("backfill.keyColumns", fails("{\"keyColumns\": [\"id\"]}").path());
    }

    @Test
    void refusesAChunkSizeTheBuilderRejectsWithItsMessage() {
        ConfigException e = fails("{\"chunkSize\": 0}");
        assertEquals("backfill.chunkSize", e.path());
        assertTrue(e.getMessage().contains("chunkSize must be 1..100000: 0"), e.getMessage());
        assertEquals("backfill.chunkSize", fails("{\"chunkSize\": \"many\"}").path());
    }

    @Test
    void refusesANegativeOrNonNumericRate() {
        assertEquals("backfill.maxRowsPerSecond", fails("{\"maxRowsPerSecond\": -1}").path());
        assertEquals("backfill.maxRowsPerSecond", fails("{\"maxRowsPerSecond\": \"fast\"}").path());
    }

    @Test
    void yieldingToTheStreamIsOnByDefaultWithATargetOfFiveSecondsAndTheBuildersMaxYield() {
        BackfillConfig b = load("{" + RULES + ", \"backfill\": {}}").backfill();
        assertTrue(b.yieldToStream());
        assertEquals(Duration.ofSeconds(5), b.maxStreamLatency());
        assertNull(b.maxYield());
    }

    @Test
    void readsTheYieldKeys() {
        BackfillConfig b = load("{" + RULES + ", \"backfill\": {\"yieldToStream\": false, \"maxStreamLatency\": \"2500ms\","
                + " \"maxYield\": \"30s\"}}").backfill();
        assertFalse(b.yieldToStream());
        assertEquals(Duration.ofMillis(2500), b.maxStreamLatency());
        assertEquals(Duration.ofSeconds(30), b.maxYield());
    }

    @Test
    void refusesAZeroTargetOrMaxYieldNamingTheKey() {
        ConfigException target = fails("{\"maxStreamLatency\": \"0s\"}");
        assertEquals("backfill.maxStreamLatency", target.path());
        assertTrue(target.getMessage().contains("yieldToStream"), target.getMessage());
        ConfigException maxYield = fails("{\"maxYield\": \"0s\"}");
        assertEquals("backfill.maxYield", maxYield.path());
        assertTrue(maxYield.getMessage().contains("maxYield must be > 0"), maxYield.getMessage());
        assertEquals("backfill.yieldToStream", fails("{\"yieldToStream\": \"sometimes\"}").path());
    }

    @Test
    void refusesATargetOrMaxYieldAboveAnHourNamingTheKeyAndTheValue() {
        ConfigException maxYield = fails("{\"maxYield\": \"400000d\"}");
        assertEquals("backfill.maxYield", maxYield.path());
        assertTrue(maxYield.getMessage().contains("PT9600000H"), maxYield.getMessage());
        ConfigException target = fails("{\"maxStreamLatency\": \"400000d\"}");
        assertEquals("backfill.maxStreamLatency", target.path());
        assertTrue(target.getMessage().contains("PT9600000H"), target.getMessage());
    }

    @Test
    void refusesARestartFenceBeyondADay() {
        ConfigException e = fails("{\"restartFence\": \"2d\"}");
        assertEquals("backfill.restartFence", e.path());
        assertTrue(e.getMessage().contains("restartFence must be 0..1day"), e.getMessage());
        assertEquals("backfill.restartFence", fails("{\"restartFence\": \"soon\"}").path());
    }

    @Test
    void refusesTooManyRetries() {
        assertEquals("backfill.maxRetries", fails("{\"maxRetries\": 1001}").path());
    }

    @Test
    void refusesARetryBackoffBeyondAMinute() {
        assertEquals("backfill.retryBackoff", fails("{\"retryBackoff\": \"2m\"}").path());
    }

    @Test
    void refusesACheckpointIndexThatIsNoIndexName() {
        assertEquals("backfill.checkpointIndex", fails("{\"checkpointIndex\": \"Checkpoints\"}").path());
        assertEquals("backfill.checkpointIndex", fails("{\"checkpointIndex\": \"a/b\"}").path());
    }

    @Test
    void refusesARunAtStartThatIsNoBoolean() {
        assertEquals("backfill.runAtStart", fails("{\"runAtStart\": \"maybe\"}").path());
    }

    @Test
    void withoutTablesAPatternRulesTablesAreLeftToTheBackfillsListingAtItsRun() {
        // the definition loads and its builder builds without a connection: the tables the pattern
        // matches are listed from information_schema when the backfill runs
        PipelineDefinition d = load("{\"rules\": [{\"database\": \"shop\", \"table\": \"orders_[0-9]+\","
                + " \"index\": \"orders\", \"writeMode\": \"index\", \"versionColumn\": \"v\"}], \"backfill\": {}}");
        Backfill b = d.toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, b::tables);
        assertTrue(e.getMessage().contains("not connected"), e.getMessage());
        // with the tables named no listing is needed
        assertEquals(List.of("shop.orders_1"), load("{\"rules\": [{\"database\": \"shop\", \"table\": \"orders_[0-9]+\","
                + " \"index\": \"orders\"}], \"backfill\": {\"tables\": [\"shop.orders_1\"]}}")
                .toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build().tables());
    }

    @Test
    void tablesOfLoadsTheTablesOfTheRulesWritingTheIndex() {
        PipelineDefinition d = load("{" + RULES + ", \"backfill\": {\"tablesOf\": [\"events\"]}}");
        assertEquals(List.of("events"), d.backfill().tablesOf());
        assertFalse(d.backfill().allTables());
        assertEquals(List.of("shop.events"), d.toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build()
                .tables());
    }

    @Test
    void allTablesAddsEveryTableARuleMatchesAfterTheNamedOnes() {
        PipelineDefinition d = load("{" + RULES + ", \"backfill\": {\"tables\": [\"shop.events\"], \"allTables\": true}}");
        assertTrue(d.backfill().allTables());
        assertEquals(List.of("shop.events", "shop.orders"),
                d.toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build().tables());
        assertEquals(List.of("shop.events"), load("{" + RULES + ", \"backfill\": {\"tables\": [\"shop.events\"]}}")
                .toBackfillBuilder(placeholderDataSource(), new ReadingSink()).build().tables(), "without allTables");
    }

    @Test
    void refusesATablesOfIndexNoRuleWritesNamingTheKey() {
        ConfigException e = fails("{\"tablesOf\": [\"events\", \"order_items\"]}");
        assertEquals("backfill.tablesOf[1]", e.path());
        assertTrue(e.getMessage().contains("order_items"), e.getMessage());
        assertEquals("backfill.tablesOf[0]", fails("{\"tablesOf\": [\" \"]}").path());
        assertEquals("backfill.allTables", fails("{\"allTables\": \"yes\"}").path());
    }

    @Test
    void refusesAMergedTableListedBeforeOrWithoutItsParentNamingBoth() {
        String rules = "\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"},"
                + " {\"database\": \"shop\", \"table\": \"order_shipping\", \"index\": \"orders\","
                + " \"mergeInto\": [\"order_id\"], \"nestUnder\": \"shipping\"}]";
        for (String tables : new String[] {"[\"shop.order_shipping\"]", "[\"shop.order_shipping\", \"shop.orders\"]"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("{" + rules + ", \"backfill\": {\"tables\": " + tables + "}}"));
            assertEquals("backfill", e.path(), tables);
            assertTrue(e.getMessage().contains("shop.order_shipping") && e.getMessage().contains("shop.orders"),
                    e.getMessage());
        }
        assertEquals(List.of("shop.orders", "shop.order_shipping"), load("{" + rules
                + ", \"backfill\": {\"tables\": [\"shop.orders\", \"shop.order_shipping\"]}}").backfill().tables());
    }

    // ------------------------------------------------------------------ helpers

    private static DataSource placeholderDataSource() {
        return (DataSource) Proxy.newProxyInstance(BackfillConfigTest.class.getClassLoader(),
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
