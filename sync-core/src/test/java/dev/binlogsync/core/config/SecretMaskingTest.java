package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Secret values never appear in a configuration's toString() or in a configuration error. */
class SecretMaskingTest {

    private static final String SECRET = "hunter2-s3cret";

    @ParameterizedTest
    @ValueSource(strings = {"password", "sasl.jaas.config", "ssl.keystore.key", "ssl.key.password",
        "ssl.truststore.password", "ssl.keystore.password", "basic.auth.user.info", "apiKey", "api_key",
        "bearerToken", "sasl.oauthbearer.client.credentials.client.secret", "keyPassword", "Authorization"})
    void eachSecretKeyIsMaskedInToString(String key) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bootstrapServers", "k1:9092");
        settings.put(key, SECRET);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(key, SECRET);
        settings.put("properties", properties);
        ComponentConfig c = new ComponentConfig("kafka", settings);
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("k1:9092"), "other values stay visible: " + c);

        PipelineDefinition p = PipelineDefinition.builder().rules(Rules.builder().rule(TableRule.builder().table("t").index("i").build()).build())
                .source("kafka", settings).build();
        assertFalse(p.toString().contains(SECRET), p.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"key.deserializer", "ssl.keystore.location", "ssl.keystore.type",
        "ssl.keystore.certificate.chain", "bootstrapServers"})
    void keysThatAreNotSecretStayVisible(String key) {
        ComponentConfig c = new ComponentConfig("kafka", Map.of(key, "visible-value"));
        assertTrue(c.toString().contains("visible-value"), c.toString());
    }

    @Test
    void aSecretInsideAListIsMasked() {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("url", "https://es1:9200");
        host.put("password", SECRET);
        ComponentConfig c = new ComponentConfig("elasticsearch", Map.of("hosts", List.of(host, "https://es2:9200")));
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("https://es2:9200"), c.toString());
    }

    @Test
    void theUserInfoOfAUrlIsMasked() {
        ComponentConfig c = new ComponentConfig("elasticsearch", Map.of("hosts", List.of("https://elastic:" + SECRET + "@es1:9200")));
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("es1:9200"), c.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "sasl.jaas.config", "ssl.keystore.key", "ssl.key.password"})
    void aValueOfASecretKeyIsNotEchoedByATypeError(String key) {
        ConfigSection s = new ConfigSection("source.properties", Map.of(key, SECRET), Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> s.intValue(key));
        assertEquals("source.properties." + key, e.path());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertThrows(ConfigException.class, () -> s.bool(key, false));
        assertFalse(assertThrows(ConfigException.class, () -> s.bool(key, false)).getMessage().contains(SECRET));
        assertFalse(assertThrows(ConfigException.class, () -> s.duration(key, null)).getMessage().contains(SECRET));
        assertFalse(assertThrows(ConfigException.class, () -> s.bytes(key, 0)).getMessage().contains(SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "sasl.jaas.config", "ssl.keystore.key", "ssl.key.password"})
    void aBuilderErrorQuotingASecretIsScrubbedInMessageAndCause(String key) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(key, "${KAFKA_SECRET}");
        ConfigSection s = new ConfigSection("source", Map.of("properties", properties), Map.of("KAFKA_SECRET", SECRET));
        ConfigSection props = s.section("properties");
        String value = props.string(key);
        ConfigException e = assertThrows(ConfigException.class, () -> props.at(key, () -> {
            throw new IllegalArgumentException("invalid value " + value + " for " + key);
        }));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), "cause: " + t);
        }
        ConfigException whole = assertThrows(ConfigException.class, () -> s.at("", () -> {
            throw new IllegalStateException("cannot use " + value);
        }));
        assertFalse(whole.getMessage().contains(SECRET), whole.getMessage());
    }

    @Test
    void aMalformedFileDoesNotEchoTheTokenItCouldNotRead() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.create()
                .fromJson("{\"sink\": {\"type\": \"x\", \"password\": hunter2s3cret}}"));
        assertFalse(e.getMessage().contains("hunter2s3cret"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
