package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.alert.AlertCondition;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.core.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    private static final String PIPELINE = "{\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}]}";
    private static final String PIPELINES = "\"pipelines\": {\"orders\": " + PIPELINE + "}";

    private static ServiceConfig json(String json) {
        return ServiceConfig.parse(json, ServiceConfig.Format.JSON, Map.of());
    }

    private static ServiceConfig withService(String service) {
        return json("{\"service\": " + service + ", " + PIPELINES + "}");
    }

    private static String error(String json) {
        return assertThrows(ConfigException.class, () -> json(json)).getMessage();
    }

    private static String serviceError(String service) {
        return error("{\"service\": " + service + ", " + PIPELINES + "}");
    }

    private static String kafkaPipeline(String servers, String group, String table) {
        return "{\"source\": {\"type\": \"kafka\", \"bootstrapServers\": " + servers + ", \"groupId\": \"" + group
                + "\", \"topics\": [\"t\"], \"format\": \"canal\"}, \"rules\": [{\"database\": \"shop\", \"table\": \""
                + table + "\", \"index\": \"" + table + "\"}]}";
    }

    @Test
    void refusesTwoPipelinesConsumingOneGroupOnOneCluster() {
        String message = error("{\"pipelines\": {\"orders\": " + kafkaPipeline("[\"k1:9092\", \"k2:9092\"]", "g", "orders")
                + ", \"users\": " + kafkaPipeline("\"K2:9092\"", "g", "users") + "}}");

        assertEquals("pipelines.users.source.groupId: pipelines 'orders' and 'users' both consume group 'g' on the same"
                + " Kafka cluster; give each pipeline its own groupId", message);
    }

    @Test
    void acceptsOneGroupNameOnTwoClustersAndTwoGroupsOnOneCluster() {
        ServiceConfig c = json("{\"pipelines\": {\"a\": " + kafkaPipeline("\"k1:9092\"", "g", "a")
                + ", \"b\": " + kafkaPipeline("\"other:9092\"", "g", "b")
                + ", \"c\": " + kafkaPipeline("\"k1:9092\"", "h", "c") + "}}");

        assertEquals(List.of("a", "b", "c"), List.copyOf(c.pipelines().keySet()));
    }

    @Test
    void defaultsWhenTheServiceSectionIsLeftOut() {
        ServiceConfig c = json("{" + PIPELINES + "}");

        assertEquals("0.0.0.0", c.httpHost());
        assertEquals(8080, c.httpPort());
        assertEquals(Duration.ofSeconds(45), c.shutdownTimeout());
        assertEquals(Duration.ofSeconds(10), c.configPollInterval());
        assertNull(c.alertRules());
        assertEquals(List.of("orders"), List.copyOf(c.pipelines().keySet()));
    }

    @Test
    void readsEveryServiceKey() {
        ServiceConfig c = withService("{\"http\": {\"host\": \"127.0.0.1\", \"port\": 9090},"
                + " \"shutdownTimeout\": \"20s\", \"configPollInterval\": \"500ms\", \"alerts\": {"
                + " \"latencyP99\": {\"above\": \"5s\", \"for\": \"2m\"},"
                + " \"heartbeatAge\": {\"above\": \"1m\", \"for\": \"30s\"},"
                + " \"lagGrowing\": {\"for\": \"5m\"},"
                + " \"healthNotHealthy\": {\"for\": \"1m\"}}}");

        assertEquals("127.0.0.1", c.httpHost());
        assertEquals(9090, c.httpPort());
        assertEquals(9090, c.httpAddress().getPort());
        assertEquals(Duration.ofSeconds(20), c.shutdownTimeout());
        assertEquals(Duration.ofMillis(500), c.configPollInterval());
        AlertRules a = c.alertRules();
        assertEquals(List.of(AlertCondition.values()), a.conditions());
        assertEquals(Duration.ofSeconds(5), a.latencyP99Bound());
        assertEquals(Duration.ofMinutes(2), a.latencyP99Duration());
        assertEquals(Duration.ofMinutes(1), a.heartbeatAgeBound());
        assertEquals(Duration.ofSeconds(30), a.heartbeatAgeDuration());
        assertEquals(Duration.ofMinutes(5), a.lagGrowingDuration());
        assertEquals(Duration.ofMinutes(1), a.healthNotHealthyDuration());
    }

    @Test
    void alertDurationsDefaultToZeroAndUnsetAlertsStayUnset() {
        AlertRules a = withService("{\"alerts\": {\"heartbeatAge\": {\"above\": \"1m\"}, \"healthNotHealthy\": {}}}")
                .alertRules();

        assertEquals(List.of(AlertCondition.HEARTBEAT_AGE_ABOVE, AlertCondition.HEALTH_NOT_HEALTHY), a.conditions());
        assertEquals(Duration.ZERO, a.heartbeatAgeDuration());
        assertEquals(Duration.ZERO, a.healthNotHealthyDuration());
        assertNull(a.latencyP99Bound());
    }

    @Test
    void anEmptyAlertsSectionSetsNoAlert() {
        assertNull(withService("{\"alerts\": {}}").alertRules());
    }

    @Test
    void portZeroMeansAnyFreePort() {
        assertEquals(0, withService("{\"http\": {\"port\": 0}}").httpPort());
    }

    @Test
    void tomlGivesTheSameConfiguration() {
        ServiceConfig toml = ServiceConfig.parse(String.join("\n",
                "[service]",
                "shutdownTimeout = \"20s\"",
                "[service.http]",
                "port = 9090",
                "[service.alerts.lagGrowing]",
                "for = \"5m\"",
                "[[pipelines.orders.rules]]",
                "database = \"shop\"",
                "table = \"orders\"",
                "index = \"orders\"",
                ""), ServiceConfig.Format.TOML, Map.of());
        ServiceConfig json = withService("{\"shutdownTimeout\": \"20s\", \"http\": {\"port\": 9090},"
                + " \"alerts\": {\"lagGrowing\": {\"for\": \"5m\"}}}");

        assertEquals(json.toString(), toml.toString());
        assertEquals(json.pipelines().get("orders").toJson(), toml.pipelines().get("orders").toJson());
    }

    @Test
    void environmentPlaceholdersWorkInTheServiceAndThePipelines() {
        ServiceConfig c = ServiceConfig.parse("{\"service\": {\"http\": {\"port\": \"${PORT}\", \"host\": \"${HOST:127.0.0.2}\"}},"
                + " \"pipelines\": {\"orders\": {\"rules\": [{\"table\": \"orders\", \"index\": \"${INDEX}\"}]}}}",
                ServiceConfig.Format.JSON, Map.of("PORT", "9191", "INDEX", "orders-live"));

        assertEquals(9191, c.httpPort());
        assertEquals("127.0.0.2", c.httpHost());
        assertTrue(c.pipelines().get("orders").toJson().contains("orders-live"));
    }

    @Test
    void keepsThePipelinesInDocumentOrder() {
        ServiceConfig c = json("{\"pipelines\": {\"zeta\": " + PIPELINE + ", \"alpha\": " + PIPELINE + ", \"m-1.x_y\": "
                + PIPELINE + "}}");

        assertEquals(List.of("zeta", "alpha", "m-1.x_y"), List.copyOf(c.pipelines().keySet()));
    }

    @Test
    void toStringMasksSecrets() {
        ServiceConfig c = json("{\"pipelines\": {\"orders\": {\"sink\": {\"type\": \"elasticsearch\", \"hosts\": \"http://es:9200\","
                + " \"username\": \"u\", \"password\": \"hunter2\"}, \"rules\": [{\"table\": \"orders\", \"index\": \"orders\"}]}}}");

        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertTrue(c.toString().contains("****"), c.toString());
    }

    // ------------------------------------------------------------------ errors

    private static final String ES_SINK = "\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"http://127.0.0.1:9200\"],"
            + " \"username\": \"sync\", \"password\": \"${ES_PASSWORD}\"}";

    private static String withHeartbeat(String heartbeat) {
        return "{\"pipelines\": {\"orders\": {" + ES_SINK + ", \"heartbeat\": " + heartbeat + ","
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}]},"
                + " \"users\": " + PIPELINE + "}}";
    }

    @Test
    void theAlertAndHeartbeatIntervalsDefaultToFiveSecondsAndAreRead() {
        ServiceConfig defaults = json("{" + PIPELINES + "}");
        ServiceConfig set = withService("{\"alertInterval\": \"250ms\", \"heartbeatInterval\": \"2s\"}");

        assertEquals(Duration.ofSeconds(5), defaults.alertInterval());
        assertEquals(Duration.ofSeconds(5), defaults.heartbeatInterval());
        assertEquals(Duration.ofMillis(250), set.alertInterval());
        assertEquals(Duration.ofSeconds(2), set.heartbeatInterval());
    }

    @Test
    void rejectsAZeroAlertInterval() {
        assertEquals("service.alertInterval: must be > 0: PT0S", serviceError("{\"alertInterval\": \"0s\"}"));
    }

    @Test
    void aPipelinesHeartbeatNamesItsIndexAndFieldAndIsNotPartOfItsDefinition() {
        ServiceConfig c = ServiceConfig.parse(withHeartbeat("{\"index\": \"heartbeat\", \"field\": \"beat\"}"),
                ServiceConfig.Format.JSON, Map.of("ES_PASSWORD", "s3cret"));

        assertEquals(Map.of("orders", new ServiceConfig.Heartbeat("heartbeat", "beat")), c.heartbeats());
        assertFalse(c.pipelines().get("orders").toJson().contains("heartbeat"), c.pipelines().get("orders").toJson());
        assertFalse(c.toString().contains("s3cret"), c.toString());
    }

    @Test
    void theHeartbeatFieldDefaultsToBeatMs() {
        ServiceConfig c = ServiceConfig.parse(withHeartbeat("{\"index\": \"heartbeat\"}"), ServiceConfig.Format.JSON,
                Map.of("ES_PASSWORD", "x"));

        assertEquals(new ServiceConfig.Heartbeat("heartbeat", "beat_ms"), c.heartbeats().get("orders"));
    }

    @Test
    void rejectsAHeartbeatWithoutIndexOrWithAnUnknownKey() {
        Map<String, String> env = Map.of("ES_PASSWORD", "x");
        assertEquals("pipelines.orders.heartbeat.index: is required", assertThrows(ConfigException.class,
                () -> ServiceConfig.parse(withHeartbeat("{}"), ServiceConfig.Format.JSON, env)).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ServiceConfig.parse(
                withHeartbeat("{\"index\": \"hb\", \"interval\": \"1s\"}"), ServiceConfig.Format.JSON, env))
                .getMessage().startsWith("pipelines.orders.heartbeat.interval: unknown key"));
        assertEquals("pipelines.orders.heartbeat.index: must be a plain index name, not 'a/b'",
                assertThrows(ConfigException.class, () -> ServiceConfig.parse(
                        withHeartbeat("{\"index\": \"a/b\"}"), ServiceConfig.Format.JSON, env)).getMessage());
    }

    @Test
    void rejectsAHeartbeatOnAPipelineWhoseSinkIsNotElasticsearch() {
        String doc = "{\"pipelines\": {\"orders\": {\"heartbeat\": {\"index\": \"hb\"},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}]}}}";

        assertEquals("pipelines.orders.heartbeat: needs a sink of type elasticsearch: the heartbeat is read with the"
                + " sink's hosts and credentials", error(doc));
    }

    private static String withBackfill(String sink, String backfill) {
        return "{\"pipelines\": {\"orders\": {" + sink + "\"backfill\": " + backfill + ","
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}]}}}";
    }

    @Test
    void aPipelinesBackfillIsPartOfItsDefinitionWithItsPasswordFromTheEnvironment() {
        ServiceConfig c = ServiceConfig.parse(withBackfill(ES_SINK + ", ", "{\"jdbc\": {\"url\": \"jdbc:mariadb://db/shop\","
                + " \"user\": \"sync\", \"password\": \"${DB_PASSWORD}\"}, \"chunkSize\": 200}"), ServiceConfig.Format.JSON,
                Map.of("ES_PASSWORD", "x", "DB_PASSWORD", "db-s3cret"));

        assertEquals("db-s3cret", c.pipelines().get("orders").backfill().jdbcPassword());
        assertEquals(200, c.pipelines().get("orders").backfill().chunkSize());
        String json = c.pipelines().get("orders").toJson();
        assertTrue(json.contains("backfill") && json.contains("${DB_PASSWORD}"), json);
        assertFalse(c.toString().contains("db-s3cret"), c.toString());
    }

    @Test
    void rejectsABackfillWithoutAJdbcUrl() {
        assertEquals("pipelines.orders.backfill.jdbc.url: is required: the service connects to MySQL with it",
                assertThrows(ConfigException.class, () -> ServiceConfig.parse(withBackfill(ES_SINK + ", ", "{}"),
                        ServiceConfig.Format.JSON, Map.of("ES_PASSWORD", "x"))).getMessage());
    }

    @Test
    void rejectsABackfillOnAPipelineWhoseSinkIsNotElasticsearch() {
        assertEquals("pipelines.orders.backfill: needs a sink of type elasticsearch: the backfill reads documents back"
                + " and keeps its checkpoints there", error(withBackfill("", "{\"jdbc\": {\"url\": \"jdbc:mariadb://db/shop\"}}")));
    }

    @Test
    void rejectsAnUnknownBackfillKeyNamingItUnderThePipeline() {
        assertTrue(error(withBackfill("", "{\"chunks\": 1}")).startsWith("pipelines.orders.backfill.chunks: unknown key"));
        assertTrue(error(withBackfill("", "{\"chunkSize\": 0}"))
                .startsWith("pipelines.orders.backfill.chunkSize: chunkSize must be 1..100000: 0"));
    }

    @Test
    void rejectsAnUnknownTopLevelKey() {
        assertEquals("servic: unknown key; known keys here: [pipelines, service]",
                error("{\"servic\": {}, " + PIPELINES + "}"));
    }

    @Test
    void rejectsAnUnknownServiceKey() {
        assertTrue(serviceError("{\"shutdownTimout\": \"1s\"}").startsWith("service.shutdownTimout: unknown key"));
    }

    @Test
    void rejectsAnUnknownHttpKey() {
        assertTrue(serviceError("{\"http\": {\"prot\": 1}}").startsWith("service.http.prot: unknown key"));
    }

    @Test
    void rejectsAnUnknownAlertKey() {
        assertTrue(serviceError("{\"alerts\": {\"latencyP99\": {\"above\": \"1s\", \"fr\": \"1m\"}}}")
                .startsWith("service.alerts.latencyP99.fr: unknown key"));
        assertTrue(serviceError("{\"alerts\": {\"latency\": {}}}").startsWith("service.alerts.latency: unknown key"));
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertEquals("service.http.port: must be between 0 and 65535, not 65536", serviceError("{\"http\": {\"port\": 65536}}"));
        assertEquals("service.http.port: must be between 0 and 65535, not -1", serviceError("{\"http\": {\"port\": -1}}"));
    }

    @Test
    void rejectsAPortThatIsNoNumber() {
        assertTrue(serviceError("{\"http\": {\"port\": \"http\"}}").startsWith("service.http.port: must be an integer"));
    }

    @Test
    void rejectsABlankHost() {
        assertEquals("service.http.host: must not be blank", serviceError("{\"http\": {\"host\": \" \"}}"));
    }

    @Test
    void rejectsAZeroShutdownTimeout() {
        assertEquals("service.shutdownTimeout: must be > 0: PT0S", serviceError("{\"shutdownTimeout\": \"0s\"}"));
    }

    @Test
    void rejectsAConfigPollIntervalThatIsNoDuration() {
        assertTrue(serviceError("{\"configPollInterval\": \"soon\"}").startsWith("service.configPollInterval: "),
                serviceError("{\"configPollInterval\": \"soon\"}"));
    }

    @Test
    void rejectsALatencyAlertWithoutItsBound() {
        assertEquals("service.alerts.latencyP99.above: is required", serviceError("{\"alerts\": {\"latencyP99\": {\"for\": \"1m\"}}}"));
    }

    @Test
    void rejectsAHeartbeatAlertWithoutItsBound() {
        assertEquals("service.alerts.heartbeatAge.above: is required", serviceError("{\"alerts\": {\"heartbeatAge\": {}}}"));
    }

    @Test
    void rejectsAZeroAlertBoundWithTheBuildersMessage() {
        String e = serviceError("{\"alerts\": {\"latencyP99\": {\"above\": \"0s\"}}}");
        assertTrue(e.startsWith("service.alerts.latencyP99: latencyP99 bound must be > 0"), e);
    }

    @Test
    void rejectsALagAlertWithoutItsDuration() {
        assertEquals("service.alerts.lagGrowing.for: is required", serviceError("{\"alerts\": {\"lagGrowing\": {}}}"));
    }

    @Test
    void rejectsAZeroLagDuration() {
        String e = serviceError("{\"alerts\": {\"lagGrowing\": {\"for\": \"0s\"}}}");
        assertTrue(e.startsWith("service.alerts.lagGrowing.for: lagGrowing duration must be > 0"), e);
    }

    @Test
    void rejectsANegativeHealthDuration() {
        String e = serviceError("{\"alerts\": {\"healthNotHealthy\": {\"for\": \"-PT1S\"}}}");
        assertTrue(e.startsWith("service.alerts.healthNotHealthy.for: "), e);
    }

    @Test
    void rejectsAMissingPipelinesSection() {
        assertTrue(error("{\"service\": {}}").startsWith("pipelines: is required"));
    }

    @Test
    void rejectsAnEmptyPipelinesSection() {
        assertEquals("pipelines: must name at least one pipeline", error("{\"pipelines\": {}}"));
    }

    @Test
    void rejectsABadPipelineName() {
        assertTrue(error("{\"pipelines\": {\"my orders\": " + PIPELINE + "}}").startsWith("pipelines.my orders: a pipeline name must be"));
        assertTrue(error("{\"pipelines\": {\"-x\": " + PIPELINE + "}}").startsWith("pipelines.-x: a pipeline name must be"));
    }

    @Test
    void rejectsAPipelineThatIsNoObject() {
        assertEquals("pipelines.orders: must be an object (a pipeline definition)", error("{\"pipelines\": {\"orders\": 1}}"));
    }

    @Test
    void namesThePathInsideThePipelineOfItsErrors() {
        String index = error("{\"pipelines\": {\"orders\": {\"rules\": [{\"table\": \"orders\", \"index\": \"Orders\"}]}}}");
        assertTrue(index.startsWith("pipelines.orders.rules[0].index: "), index);
        assertTrue(error("{\"pipelines\": {\"orders\": {\"rules\": [{\"table\": \"orders\", \"index\": \"o\", \"indx\": 1}]}}}")
                .startsWith("pipelines.orders.rules[0].indx: unknown key"));
        assertTrue(error("{\"pipelines\": {\"orders\": {\"settings\": {\"flushInterval\": \"0s\"}, \"rules\": [{\"table\": \"t\", \"index\": \"t\"}]}}}")
                .startsWith("pipelines.orders.settings.flushInterval: flushInterval must be > 0"));
    }

    @Test
    void namesAnUnsetEnvironmentVariable() {
        assertTrue(serviceError("{\"http\": {\"port\": \"${NO_SUCH_PORT}\"}}")
                .startsWith("service.http.port: environment variable NO_SUCH_PORT is not set"));
    }

    @Test
    void rejectsInvalidJsonWithoutQuotingTheToken() {
        String e = error("{\"pipelines\": {\"orders\": {\"sink\": {\"password\": hunter2}}}}");
        assertTrue(e.startsWith("(root): invalid JSON at line 1"), e);
        assertFalse(e.contains("hunter2"), e);
    }

    @Test
    void rejectsDuplicateKeys() {
        assertTrue(error("{" + PIPELINES + ", " + PIPELINES + "}").startsWith("(root): invalid JSON"));
    }

    @Test
    void rejectsAnEmptyDocument() {
        assertEquals("(root): the JSON document is empty", error("null"));
    }
}
