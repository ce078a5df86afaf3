package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.Converters;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every file option has a builder equivalent, and rendering gives back what loads to the same thing. */
class ConfigRoundTripTest {

    /** A configuration using every option, built in code. */
    static PipelineDefinition everything() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("bootstrapServers", "${KAFKA:127.0.0.1:9092}");
        source.put("topics", List.of("a", "b"));
        return PipelineDefinition.builder()
                .source("test-source", source)
                .sink("test-sink", Map.of("hosts", List.of("http://h:9200")))
                .deadLetter("test-dead-letter", Map.of("topic", "dlq"))
                .filter(NamedFilter.sql("unused", "a = 1"))
                .rules(Rules.builder()
                        .rule(TableRule.builder().database("shop").table("order_[0-9]+")
                                .index("orders-{created_at:yyyy.MM}").timeZone(ZoneId.of("Asia/Shanghai"))
                                .where("type IN (1,2)").filter(NamedFilter.sql("live", "status <> 'deleted'"))
                                .exclude("secret").rename("uid", "user_id")
                                .convert("tags", Converters.split("|"))
                                .convert("paid", Converters.dateFromEpochSeconds("yyyy/MM/dd HH:mm", ZoneId.of("UTC")))
                                .convert("extra", Converters.json())
                                .convert("amount", new CentsConverter())
                                .constant("source", "mysql").constant("n", 3)
                                .customizer(new TableNameCustomizer())
                                .build())
                        .rule(TableRule.builder().database("shop").table("order_shipping")
                                .index("orders-{created_at:yyyy.MM}").timeZone(ZoneId.of("Asia/Shanghai"))
                                .mergeInto("order_id").nestUnder("shipping").include("carrier", "created_at")
                                .onMergedRowDelete(MergeDelete.IGNORE).build())
                        .rule(TableRule.builder().table("users").index("users").writeMode(WriteMode.INDEX)
                                .versionColumn("version").versionType(VersionType.EXTERNAL)
                                .id("tenant_id", "id").idDelimiter("/").routing("tenant_id")
                                .filter(new NotTestFilter()).build())
                        .rule(TableRule.builder().table("events").index("events-{$time:yyyy}").appendOnly()
                                .writeMode(WriteMode.INDEX).versionFromBinlogTime().build())
                        .build())
                .settings(PipelineSettings.builder()
                        .maxBufferedActions(5000).maxBufferedBytes(32L << 20).maxInFlightRequests(3).lanes(6)
                        .maxBulkActions(500).maxBulkBytes(1L << 20).flushInterval(Duration.ofMillis(250))
                        .commitInterval(Duration.ofSeconds(2))
                        .onDecodeFailure(FailurePolicy.SKIP).onRejected(FailurePolicy.DEAD_LETTER).maxRetries(7)
                        .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMinutes(1))
                        .pollTimeout(Duration.ofMillis(80)).drainTimeout(Duration.ofSeconds(45))
                        .threadName("orders-sync").summaryInterval(Duration.ZERO).stalledAfter(Duration.ofMinutes(10))
                        .sinkUnreachableAfter(Duration.ofSeconds(90))
                        .build())
                .build();
    }

    @Test
    void builderConfigRendersToJsonThatLoadsBackToTheSameConfig() {
        PipelineDefinition built = everything();
        String json = built.toJson();
        PipelineDefinition loaded = ConfigLoader.create().fromJson(json);
        assertEquals(json, loaded.toJson());
        assertEquals(built.settings(), loaded.settings());
        assertEquals(built.source(), loaded.source());
        assertSameActions(built.rules(), loaded.rules());
    }

    @Test
    void builderConfigRendersToTomlThatLoadsBackToTheSameConfig() {
        PipelineDefinition built = everything();
        String toml = built.toToml();
        PipelineDefinition loaded = ConfigLoader.create().fromToml(toml);
        assertEquals(built.toMap(), loaded.toMap(), toml);
        assertEquals(built.settings(), loaded.settings());
        assertSameActions(built.rules(), loaded.rules());
    }

    @Test
    void fileRendersBackToItself() throws IOException {
        PipelineDefinition fromFile = ConfigLoader.create().withEnv(ConfigLoaderTest.ENV)
                .fromJson(ConfigLoaderTest.resource("pipeline.json"));
        PipelineDefinition again = ConfigLoader.create().withEnv(ConfigLoaderTest.ENV).fromJson(fromFile.toJson());
        assertEquals(fromFile.toMap(), again.toMap());
        // the file's own text and the rendering agree key for key (the file spells out defaults it could omit)
        Map<String, Object> original = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(ConfigLoaderTest.resource("pipeline.json"), Map.class);
        assertEquals(original.keySet(), fromFile.toMap().keySet());
    }

    @Test
    void lambdasCannotBeRenderedAndTheErrorNamesThePath() {
        PipelineDefinition c = PipelineDefinition.builder().rules(Rules.builder()
                .rule(TableRule.builder().table("t").index("i").build())
                .rule(TableRule.builder().table("t").index("i").convert("x", v -> v).build()).build()).build();
        ConfigException e = assertThrows(ConfigException.class, c::toJson);
        assertEquals("rules[1].convert.x", e.path());
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
    }

    static void assertSameActions(RuleSet expected, RuleSet actual) {
        List<ChangeEvent> events = List.of(
                event("order_3", Operation.INSERT, row("id", "1", "type", "1", "status", "ok", "created_at", "2024-01-02 00:00:00",
                        "uid", "5", "secret", "s", "tags", "a|b", "paid", 1_700_000_000L, "extra", "[1]", "amount", "1.5"), Map.of()),
                event("order_3", Operation.UPDATE, row("id", "1", "type", "1", "status", "deleted",
                        "created_at", "2024-01-02 00:00:00"), row("status", "ok")),
                event("order_shipping", Operation.DELETE, row("id", "9", "order_id", "1", "carrier", "ups",
                        "created_at", "2024-01-02 00:00:00"), Map.of()),
                event("order_shipping", Operation.INSERT, row("id", "9", "order_id", "1", "carrier", "ups",
                        "created_at", "2024-01-02 00:00:00"), Map.of()),
                event("users", Operation.UPDATE, row("id", "2", "tenant_id", "t", "version", "4"), row("id", "1")),
                event("events", Operation.INSERT, row("id", "2"), Map.of()));
        for (ChangeEvent e : events) {
            List<DocumentAction> a = new ArrayList<>();
            List<DocumentAction> b = new ArrayList<>();
            expected.apply(e, a::add);
            actual.apply(e, b::add);
            assertEquals(a, b, e.toString());
            assertTrue(!a.isEmpty() || e.operation() == Operation.DELETE, "the sample exercises the rule: " + e);
        }
    }

    static Map<String, Object> row(Object... kv) {
        return ConfigLoaderTest.row(kv);
    }

    static ChangeEvent event(String table, Operation op, Map<String, Object> row, Map<String, Object> old) {
        return new ChangeEvent("shop", table, op, row, old, List.of("id"), 1_700_000_000_000L, new SourcePosition("p", 0));
    }
}
