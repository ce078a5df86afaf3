package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.VersionType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final Map<String, String> ENV = Map.of("ES_HOST", "es1.internal", "ES_PASSWORD", "s3cret");

    static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<DocumentAction> apply(RuleSet rules, String table, Operation op, Map<String, Object> row,
            Map<String, Object> old, String... pk) {
        List<DocumentAction> out = new ArrayList<>();
        rules.apply(new ChangeEvent("shop", table, op, row, old, List.of(pk), 1_700_000_000_000L,
                new SourcePosition("t-0", 1)), out::add);
        return out;
    }

    @Test
    void loadsTheFullJsonExampleWithEnvironmentInterpolation() throws IOException {
        PipelineDefinition c = ConfigLoader.create().withEnv(ENV).fromJson(resource("pipeline.json"));
        assertEquals("test-source", c.source().type());
        assertEquals("${ES_PASSWORD:changeme}", c.sink().settings().get("password"), "kept as written");
        assertEquals(20_000, c.settings().maxBufferedActions());
        assertEquals(64L << 20, c.settings().maxBufferedBytes());
        assertEquals(2, c.settings().maxInFlightRequests());
        assertEquals(4, c.settings().lanes());
        assertEquals(1000, c.settings().maxBulkActions());
        assertEquals(5L << 20, c.settings().maxBulkBytes());
        assertEquals(Duration.ofMillis(200), c.settings().flushInterval());
        assertEquals(Duration.ofSeconds(1), c.settings().commitInterval());
        assertEquals(FailurePolicy.DEAD_LETTER, c.settings().onDecodeFailure());
        assertEquals(FailurePolicy.STOP, c.settings().onRejected());
        assertEquals(10, c.settings().maxRetries(), "default of ${MAX_RETRIES:10}");
        assertEquals(Duration.ofMillis(100), c.settings().retryInitialBackoff());
        assertEquals(Duration.ofSeconds(30), c.settings().retryMaxBackoff());
        assertEquals(Duration.ofMillis(100), c.settings().pollTimeout());
        assertEquals(Duration.ofSeconds(30), c.settings().drainTimeout());

        // rule 0: sharded orders, templated index, SQL + named filter, field options, custom classes
        Map<String, Object> order = row("id", "7", "type", "1", "status", "paid", "created_at", "2024-03-05 10:00:00",
                "uid", "9", "internal_note", "x", "tags", "a,b", "paid_at", "1709604000000", "extra", "{\"k\":1}",
                "amount", "12.34");
        DocumentAction a = apply(c.rules(), "order_12", Operation.INSERT, order, Map.of(), "id").get(0);
        assertEquals("orders-2024.03", a.index());
        assertEquals("7", a.id());
        assertEquals(ActionType.UPSERT, a.type());
        Map<String, Object> doc = a.document();
        assertEquals("9", doc.get("user_id"));
        assertFalse(doc.containsKey("internal_note"));
        assertEquals(List.of("a", "b"), doc.get("tags"));
        assertEquals("2024-03-05T10:00:00+08:00", doc.get("paid_at"));
        assertEquals(Map.of("k", 1), doc.get("extra"));
        assertEquals(1234L, doc.get("amount"));
        assertEquals("mysql", doc.get("source"));
        assertEquals("order_12", doc.get("_table"));
        assertEquals(List.of(), apply(c.rules(), "order_12", Operation.INSERT, row("id", "8", "type", "3", "status", "x",
                "created_at", "2024-03-05 10:00:00"), Map.of(), "id"), "where type IN (1,2)");
        assertEquals(List.of(), apply(c.rules(), "order_12", Operation.INSERT, row("id", "8", "type", "1", "status", "deleted",
                "created_at", "2024-03-05 10:00:00"), Map.of(), "id"), "named filter 'live'");

        // rule 1: merged into the order document
        DocumentAction ship = apply(c.rules(), "order_shipping", Operation.INSERT, row("id", "1", "order_id", "7",
                "carrier", "ups", "tracking_no", "1Z", "created_at", "2024-03-06 00:00:00"), Map.of(), "id").get(0);
        assertEquals(DocumentAction.update("orders-2024.03", "7", Map.of("shipping",
                Map.of("carrier", "ups", "tracking_no", "1Z", "created_at", "2024-03-06 00:00:00"))), ship);

        // rule 2: versioned INDEX with composite configured id and routing; the class filter
        DocumentAction u = apply(c.rules(), "users", Operation.INSERT, row("id", "3", "tenant_id", "acme", "version", "5"),
                Map.of(), "id").get(0);
        assertEquals(new DocumentAction("users", "acme/3", "acme", ActionType.INDEX,
                row("id", "3", "tenant_id", "acme", "version", "5"), 5L, VersionType.EXTERNAL), u);
        assertEquals(List.of(), apply(c.rules(), "users", Operation.INSERT, row("id", "3", "tenant_id", "a", "version", "5",
                "env", "test"), Map.of(), "id"));
    }

    @Test
    void tomlAndJsonExamplesLoadToTheSameConfiguration() throws IOException {
        PipelineDefinition json = ConfigLoader.create().withEnv(ENV).fromJson(resource("pipeline.json"));
        PipelineDefinition toml = ConfigLoader.create().withEnv(ENV).fromToml(resource("pipeline.toml"));
        assertEquals(json.toMap(), toml.toMap());
    }

    @Test
    void loadsFilesByExtension(@TempDir Path dir) throws IOException {
        Path json = Files.writeString(dir.resolve("p.json"), resource("pipeline.json"));
        Path toml = Files.writeString(dir.resolve("p.toml"), resource("pipeline.toml"));
        ConfigLoader loader = ConfigLoader.create().withEnv(ENV);
        assertEquals(loader.load(json).toMap(), loader.load(toml).toMap());
        Path yaml = Files.writeString(dir.resolve("p.yaml"), "x: 1");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(yaml));
        assertTrue(e.getMessage().contains(".json or .toml"), e.getMessage());
    }

    @Test
    void createsComponentsThroughProvidersWithInterpolatedSettings() throws IOException {
        PipelineDefinition c = ConfigLoader.create().withEnv(ENV).fromJson(resource("pipeline.json"));
        TestProviders.FakeSource source = assertInstanceOf(TestProviders.FakeSource.class, c.createSource());
        assertEquals("127.0.0.1:9092", source.bootstrapServers);
        assertEquals(List.of("canal.shop"), source.topics);
        TestProviders.FakeSink sink = assertInstanceOf(TestProviders.FakeSink.class, c.createSink());
        assertEquals(List.of("http://es1.internal:9200"), sink.hosts);
        assertEquals("s3cret", sink.password);
        c.createDeadLetterSink();
    }

    @Test
    void toStringMasksSecrets() throws IOException {
        PipelineDefinition c = ConfigLoader.create().withEnv(ENV)
                .fromJson(resource("pipeline.json").replace("${ES_PASSWORD:changeme}", "hunter2"));
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertTrue(c.toString().contains("****"));
        assertFalse(c.sink().toString().contains("hunter2"));
    }

    // ------------------------------------------------------------ errors

    static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.create().withEnv(ENV).fromJson(json));
    }

    static String rules(String... rules) {
        return "{\"rules\": [" + String.join(",", rules) + "]}";
    }

    static final String OK_RULE = "{\"table\": \"t\", \"index\": \"i\"}";

    @Test
    void unknownRuleKeyIsAnErrorNamingItsPath() {
        ConfigException e = fails(rules(OK_RULE, OK_RULE, "{\"table\": \"t\", \"index\": \"i\", \"indx\": \"j\"}"));
        assertEquals("rules[2].indx", e.path());
        assertTrue(e.getMessage().startsWith("rules[2].indx: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("index"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void unknownTopLevelAndNestedKeysAreErrors() {
        assertEquals("limitz", fails("{\"rules\": [" + OK_RULE + "], \"limitz\": {}}").path());
        assertEquals("settings.maxActionz", fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"maxActionz\": 1}}").path());
        assertEquals("rules[0].convert.tags.sep", fails(rules(
                "{\"table\": \"t\", \"index\": \"i\", \"convert\": {\"tags\": {\"type\": \"split\", \"separator\": \",\", \"sep\": 1}}}"))
                .path());
    }

    @Test
    void invalidIndexNamesItsPath() {
        ConfigException e = fails(rules(OK_RULE, OK_RULE, "{\"table\": \"t\", \"index\": \"Orders\"}"));
        assertEquals("rules[2].index", e.path());
        assertTrue(e.getMessage().contains("lower case"), e.getMessage());
    }

    @Test
    void missingRequiredKeyNamesItsPath() {
        assertEquals("rules[0].index", fails(rules("{\"table\": \"t\"}")).path());
        assertEquals("rules", fails("{}").path());
    }

    @Test
    void wrongTypesNameThePath() {
        ConfigException e = fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"maxInFlightRequests\": \"many\"}}");
        assertEquals("settings.maxInFlightRequests", e.path());
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
        assertEquals("settings.flushInterval", fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"flushInterval\": \"soon\"}}").path());
        assertEquals("settings.flushInterval", fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"flushInterval\": \"0s\"}}").path());
        assertEquals("settings.maxBulkBytes", fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"maxBulkBytes\": \"5 parsecs\"}}").path());
        assertEquals("rules[0].include", fails(rules("{\"table\": \"t\", \"index\": \"i\", \"include\": {\"a\": 1}}")).path());
        assertEquals("rules[0].writeMode", fails(rules("{\"table\": \"t\", \"index\": \"i\", \"writeMode\": \"replace\"}")).path());
        assertEquals("settings.onRejected", fails("{\"rules\": [" + OK_RULE + "], \"settings\": {\"onRejected\": \"shrug\"}}").path());
    }

    @Test
    void filterSyntaxErrorNamesPathAndPosition() {
        ConfigException e = fails(rules("{\"table\": \"t\", \"index\": \"i\", \"where\": \"type IN (1,2\"}"));
        assertEquals("rules[0].where", e.path());
        assertTrue(e.getMessage().contains("position 13"), e.getMessage());
        assertEquals("filters.f.where", fails("{\"filters\": {\"f\": {\"where\": \"a =\"}}, \"rules\": [" + OK_RULE + "]}").path());
    }

    @Test
    void unknownFilterNameAndBadClassesNameThePath() {
        assertEquals("rules[0].filter", fails(rules("{\"table\": \"t\", \"index\": \"i\", \"filter\": \"nope\"}")).path());
        ConfigException cls = fails(rules("{\"table\": \"t\", \"index\": \"i\", \"customizer\": \"com.example.Missing\"}"));
        assertEquals("rules[0].customizer", cls.path());
        assertTrue(cls.getMessage().contains("not found"), cls.getMessage());
        ConfigException wrong = fails(rules("{\"table\": \"t\", \"index\": \"i\", \"customizer\": \"java.lang.String\"}"));
        assertTrue(wrong.getMessage().contains("does not implement"), wrong.getMessage());
        assertEquals("rules[0].convert.x.type",
                fails(rules("{\"table\": \"t\", \"index\": \"i\", \"convert\": {\"x\": {\"type\": \"upper\"}}}")).path());
    }

    @Test
    void crossFieldRuleErrorsNameTheRule() {
        ConfigException e = fails(rules(OK_RULE, "{\"table\": \"t\", \"index\": \"i\", \"include\": [\"a\"], \"exclude\": [\"b\"]}"));
        assertEquals("rules[1]", e.path());
        assertTrue(e.getMessage().contains("include and exclude"), e.getMessage());
    }

    @Test
    void unsetEnvironmentVariableWithoutDefaultIsAnError() {
        ConfigException e = fails(rules("{\"table\": \"${TABLE}\", \"index\": \"i\"}"));
        assertEquals("rules[0].table", e.path());
        assertTrue(e.getMessage().contains("TABLE is not set"), e.getMessage());
    }

    @Test
    void interpolationUsesEnvironmentDefaultsAndEscapes() {
        PipelineDefinition c = ConfigLoader.create().withEnv(Map.of("IDX", "orders", "N", "3"))
                .fromJson("{\"rules\": [{\"table\": \"${TABLE:order_*}\", \"index\": \"${IDX}\", \"constants\": {\"note\": \"$${not} ${N}\"}}],"
                        + " \"settings\": {\"maxInFlightRequests\": \"${N}\"}}");
        assertEquals("order_*", c.rules().rules().get(0).table());
        assertEquals("orders", c.rules().rules().get(0).index());
        assertEquals("${not} 3", c.rules().rules().get(0).constants().get("note"));
        assertEquals(3, c.settings().maxInFlightRequests());
    }

    @Test
    void malformedJsonNamesLineAndColumnAndDuplicateKeysAreErrors() {
        ConfigException e = fails("{\n  \"rules\": [\n    {\"table\": \"t\",, }\n  ]\n}");
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        ConfigException dup = fails("{\"rules\": [{\"table\": \"t\", \"table\": \"u\", \"index\": \"i\"}]}");
        assertTrue(dup.getMessage().toLowerCase().contains("duplicate"), dup.getMessage());
    }

    @Test
    void deadLetterPolicyWithoutSectionLeavesTheSinkToCodeAndTheEngineChecksIt() {
        PipelineDefinition c = ConfigLoader.create().fromJson("{\"rules\": [" + OK_RULE + "], \"settings\": {\"onRejected\": \"dead-letter\"}}");
        assertEquals(FailurePolicy.DEAD_LETTER, c.settings().onRejected());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.toPipelineBuilder()
                .source(new dev.binlogsync.core.testing.InMemorySource()).sink(new dev.binlogsync.core.testing.RecordingBulkSink())
                .build());
        assertTrue(e.getMessage().toLowerCase().contains("dead"), e.getMessage());
    }

    @Test
    void componentErrorsNameTheirPath() {
        String base = "{\"rules\": [" + OK_RULE + "], \"source\": ";
        ConfigException unknownKey = assertThrows(ConfigException.class, () -> ConfigLoader.create()
                .fromJson(base + "{\"type\": \"test-source\", \"bootstrapServers\": \"x\", \"topicz\": [\"a\"]}}").createSource());
        assertEquals("source.topicz", unknownKey.path());
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.create()
                .fromJson(base + "{\"type\": \"test-source\"}}").createSource());
        assertEquals("source.bootstrapServers", missing.path());
        ConfigException noProvider = assertThrows(ConfigException.class, () -> ConfigLoader.create()
                .fromJson(base + "{\"type\": \"kafkaa\"}}").createSource());
        assertEquals("source.type", noProvider.path());
        assertTrue(noProvider.getMessage().contains("test-source"), noProvider.getMessage());
        ConfigException rejected = assertThrows(ConfigException.class, () -> ConfigLoader.create()
                .fromJson("{\"rules\": [" + OK_RULE + "], \"sink\": {\"type\": \"test-sink\", \"hosts\": []}}").createSink());
        assertEquals("sink", rejected.path());
        assertTrue(rejected.getMessage().contains("hosts must not be empty"), rejected.getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.create().fromJson("{\"rules\": [" + OK_RULE + "]}").createSink());
    }

    @Test
    void absentEngineSettingsAreTheDefaultsAndAreNotRendered() {
        PipelineDefinition c = ConfigLoader.create().fromJson(rules(OK_RULE));
        assertEquals(PipelineSettings.defaults(), c.settings());
        assertNull(c.source());
        assertEquals(Map.of("rules", List.of(Map.of("table", "t", "index", "i"))), c.toMap());
    }
}
