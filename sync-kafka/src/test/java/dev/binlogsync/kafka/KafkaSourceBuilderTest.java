package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Configuration rules of {@link KafkaSource.Builder}, {@link StartPosition} and {@link KafkaSecurity}; no broker. */
class KafkaSourceBuilderTest {

    static KafkaSource.Builder valid() {
        return KafkaSource.builder().bootstrapServers("127.0.0.1:1").groupId("g").topics("t")
                .decoder(CanalFlatMessageDecoder.create());
    }

    @Test
    void enableAutoCommitTrueIsRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> valid().property("enable.auto.commit", "true"));
        assertTrue(e.getMessage().startsWith("enable.auto.commit=true is not allowed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> valid().properties(Map.of("enable.auto.commit", true)));
    }

    @Test
    void autoCommitIsForcedOffAndFalseIsAccepted() {
        Map<String, Object> config = valid().property("enable.auto.commit", "false").effectiveConfig();
        assertEquals("false", config.get("enable.auto.commit"));
        assertEquals("false", valid().effectiveConfig().get("enable.auto.commit"));
    }

    @Test
    void receiveBufferDefaultsToTheOperatingSystemsAndAGivenValueWins() {
        assertEquals(-1, valid().effectiveConfig().get("receive.buffer.bytes"));
        assertEquals(65536, valid().property("receive.buffer.bytes", 65536).effectiveConfig().get("receive.buffer.bytes"));
        assertEquals("131072", valid().properties(Map.of("receive.buffer.bytes", "131072")).effectiveConfig()
                .get("receive.buffer.bytes"));
    }

    @Test
    void maxPollIntervalIsKafkasFiveMinuteDefaultOrTheConfiguredValue() {
        assertEquals(Optional.of(Duration.ofMinutes(5)), valid().build().maxPollInterval());
        assertEquals(Optional.of(Duration.ofSeconds(20)), valid().property("max.poll.interval.ms", 20_000).build().maxPollInterval());
        assertEquals(Optional.of(Duration.ofSeconds(45)), valid().property("max.poll.interval.ms", " 45000").build().maxPollInterval());
    }

    @Test
    void aMaxPollIntervalThatIsNotAPositiveNumberOfMillisecondsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> valid().property("max.poll.interval.ms", "soon"));
        assertEquals("max.poll.interval.ms must be a positive number of milliseconds: soon", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> valid().property("max.poll.interval.ms", 0));
    }

    @Test
    void aPipelineWhoseDrainTimeoutIsNotBelowMaxPollIntervalIsRejectedAtBuild() {
        SyncPipeline.Builder b = SyncPipeline.builder()
                .source(valid().property("max.poll.interval.ms", 20_000).build())
                .ruleSet((event, out) -> { })
                .sink(new RecordingBulkSink());
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().startsWith("drainTimeout (PT30S) must be below the source's maxPollInterval (PT20S)"),
                e.getMessage());
        b.drainTimeout(Duration.ofSeconds(15)).build().close();
    }

    @Test
    void deserializersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> valid().property("value.deserializer", "x.Y"));
        assertThrows(IllegalArgumentException.class, () -> valid().property("key.deserializer", "x.Y"));
    }

    @Test
    void autoOffsetResetIsRejectedInFavourOfStartPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> valid().property("auto.offset.reset", "latest"));
        assertTrue(e.getMessage().contains("startPosition"), e.getMessage());
    }

    @Test
    void startPositionDecidesAutoOffsetReset() {
        assertEquals("earliest", valid().effectiveConfig().get("auto.offset.reset"));
        assertEquals("latest", valid().startPosition(StartPosition.committedOrLatest()).effectiveConfig().get("auto.offset.reset"));
        assertEquals("earliest", valid().startPosition(StartPosition.timestamp(Instant.EPOCH)).effectiveConfig().get("auto.offset.reset"));
    }

    @Test
    void blankServersGroupAndTopicsAreRejected() {
        assertEquals("bootstrapServers must not be blank: ' '",
                assertThrows(IllegalArgumentException.class, () -> KafkaSource.builder().bootstrapServers(" ")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.builder().groupId(""));
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.builder().topics());
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.builder().topics("a", " "));
    }

    @Test
    void nonPositiveTimeoutsAreRejectedNamingTheValue() {
        assertEquals("commitTimeout must be > 0: PT0S",
                assertThrows(IllegalArgumentException.class, () -> valid().commitTimeout(Duration.ZERO)).getMessage());
        assertEquals("closeTimeout must be > 0: PT-1S",
                assertThrows(IllegalArgumentException.class, () -> valid().closeTimeout(Duration.ofSeconds(-1))).getMessage());
    }

    @Test
    void buildRequiresServersGroupTopicsAndDecoder() {
        assertTrue(assertThrows(IllegalStateException.class, () -> KafkaSource.builder().groupId("g").topics("t")
                .decoder(CanalFlatMessageDecoder.create()).build()).getMessage().contains("bootstrapServers"));
        assertTrue(assertThrows(IllegalStateException.class, () -> KafkaSource.builder().bootstrapServers("h:1").topics("t")
                .decoder(CanalFlatMessageDecoder.create()).build()).getMessage().contains("groupId"));
        assertTrue(assertThrows(IllegalStateException.class, () -> KafkaSource.builder().bootstrapServers("h:1").groupId("g")
                .decoder(CanalFlatMessageDecoder.create()).build()).getMessage().contains("topics"));
        assertTrue(assertThrows(IllegalStateException.class, () -> KafkaSource.builder().bootstrapServers("h:1").groupId("g")
                .topics("t").build()).getMessage().contains("decoder"));
    }

    @Test
    void topicsAndPatternTogetherAreRejected() {
        assertTrue(assertThrows(IllegalStateException.class, () -> valid().topicPattern(Pattern.compile("canal\\..*")).build())
                .getMessage().contains("not both"));
    }

    @Test
    void useBeforeOpenAndAfterCloseIsAnIllegalStateException() {
        KafkaSource s = valid().build();
        assertThrows(IllegalStateException.class, () -> s.poll(Duration.ofMillis(1)));
        s.close();
        assertThrows(IllegalStateException.class, () -> s.commit(Map.of()));
        assertThrows(IllegalStateException.class, () -> s.open(new PartitionListener() {
            @Override
            public void onRevoked(Collection<String> partitions) {
            }

            @Override
            public void onLost(Collection<String> partitions) {
            }
        }));
        s.close(); // idempotent
    }

    @Test
    void secretsAreMaskedInToStringOfSourceBuilderAndSecurity() {
        KafkaSecurity sec = KafkaSecurity.scramSha512("sync", "s3cr3t-pw")
                .withTruststore(Path.of("/etc/trust.p12"), "trust-pw")
                .withKeystore(Path.of("/etc/key.p12"), "store-pw", "key-pw");
        KafkaSource.Builder b = valid().security(sec).property("sasl.oauthbearer.client.secret", "oauth-pw");
        for (String s : new String[] {sec.toString(), b.toString(), b.build().toString()}) {
            for (String secret : new String[] {"s3cr3t-pw", "trust-pw", "store-pw", "key-pw", "oauth-pw"}) {
                assertFalse(s.contains(secret), secret + " leaked in " + s);
            }
        }
        assertTrue(sec.toString().contains("SCRAM-SHA-512 user=sync"), sec.toString());
    }

    @Test
    void securityBecomesKafkaClientProperties() {
        Map<String, Object> p = KafkaSecurity.saslPlain("u", "p\"w").toProperties();
        assertEquals("SASL_PLAINTEXT", p.get("security.protocol"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\\\"w\";",
                p.get("sasl.jaas.config"));
        Map<String, Object> s = KafkaSecurity.scramSha256("u", "p").withTruststore(Path.of("/t.jks"), null).toProperties();
        assertEquals("SASL_SSL", s.get("security.protocol"));
        assertEquals("SCRAM-SHA-256", s.get("sasl.mechanism"));
        assertEquals("/t.jks", s.get("ssl.truststore.location"));
        assertEquals("SSL", KafkaSecurity.ssl().toProperties().get("security.protocol"));
        assertEquals("PLAINTEXT", KafkaSecurity.none().toProperties().get("security.protocol"));
        assertThrows(IllegalArgumentException.class, () -> KafkaSecurity.saslPlain("u", ""));
    }

    @Test
    void explicitUserPropertiesWinOverSecurityConveniences() {
        Map<String, Object> c = valid().security(KafkaSecurity.saslPlain("u", "p")).property("security.protocol", "SASL_SSL")
                .effectiveConfig();
        assertEquals("SASL_SSL", c.get("security.protocol"));
    }

    @Test
    void explicitOffsetsMustNameTopicPartitionsAndBeNonNegative() {
        assertThrows(IllegalArgumentException.class, () -> StartPosition.offsets(Map.of()));
        assertEquals("not a topic-partition name: orders",
                assertThrows(IllegalArgumentException.class, () -> StartPosition.offsets(Map.of("orders", 1L))).getMessage());
        assertEquals("offset must be >= 0: orders-1=-1",
                assertThrows(IllegalArgumentException.class, () -> StartPosition.offsets(Map.of("orders-1", -1L))).getMessage());
        assertEquals(Map.of("my-topic-3", 5L), StartPosition.offsets(Map.of("my-topic-3", 5L)).offsetsMap());
        assertThrows(IllegalArgumentException.class, () -> StartPosition.timestamp(Instant.ofEpochMilli(-1)));
    }

    @Test
    void classicOnlySettingsWithTheNewGroupProtocolAreRejectedAtBuild() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> valid().property("group.protocol", "consumer").property("heartbeat.interval.ms", 300).build());
        assertEquals("heartbeat.interval.ms cannot be set with group.protocol=consumer: "
                + "the new group protocol takes it from the broker (group.consumer.*)", e.getMessage());
        valid().property("group.protocol", "classic").property("heartbeat.interval.ms", 300).build().close();
    }

    @Test
    void aConsumerKafkaRefusesToCreateFailsOpenWithASyncExceptionAndClosesTheSource() {
        KafkaSource s = valid().property("max.poll.records", "not a number").build();
        dev.binlogsync.core.SyncException e = assertThrows(dev.binlogsync.core.SyncException.class, () -> s.open(new PartitionListener() {
            @Override
            public void onRevoked(Collection<String> partitions) {
            }

            @Override
            public void onLost(Collection<String> partitions) {
            }
        }));
        assertTrue(e.getMessage().contains("max.poll.records"), e.getMessage());
        assertEquals("the source is closed: " + s, assertThrows(IllegalStateException.class, () -> s.poll(Duration.ofMillis(1))).getMessage());
    }
}
