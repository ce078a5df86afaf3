package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class EmbeddedKafkaIT {

    static List<String> read(EmbeddedKafka kafka, String topic, String group, int n) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(group)) {
            c.subscribe(List.of(topic));
            Await.value(Duration.ofSeconds(30), n + " records in " + topic, () -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
                return out;
            }, read -> read.size() >= n);
        }
        return out;
    }

    @Test
    void restartKeepsPortsAndData() {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            String servers = kafka.bootstrapServers();
            kafka.createTopic("kept", 2);
            kafka.send("kept", 1, "before restart");
            kafka.restart();
            assertEquals(servers, kafka.bootstrapServers());
            kafka.send("kept", 0, "after restart");
            List<String> values = read(kafka, "kept", "g1", 2);
            values.sort(null);
            assertEquals(List.of("after restart", "before restart"), values);
            kafka.stop();
            kafka.start();
            assertEquals(2, read(kafka, "kept", "g2", 2).size());
        }
    }

    @Test
    void saslServersNeedSaslUsers() {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().build()) {
            assertThrows(IllegalStateException.class, kafka::saslBootstrapServers);
        }
    }
}
