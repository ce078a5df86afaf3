package dev.binlogsync.kafka.config;

import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.config.ComponentProvider;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.kafka.KafkaDeadLetterSink;

/**
 * {@code deadLetter.type = "kafka"}: a {@link KafkaDeadLetterSink}. Keys: {@code bootstrapServers}
 * (string or list) and {@code topic} (required), {@code security} (as for the source),
 * {@code properties} (Kafka producer properties), {@code closeTimeout}, {@code maxQueuedLetters}. Stateless and thread-safe.
 */
public final class KafkaDeadLetterSinkProvider implements ComponentProvider<DeadLetterSink> {

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public Class<DeadLetterSink> componentType() {
        return DeadLetterSink.class;
    }

    @Override
    public DeadLetterSink create(ConfigSection c) {
        KafkaDeadLetterSink.Builder b = KafkaDeadLetterSink.builder();
        String servers = KafkaConfigs.bootstrapServers(c);
        c.at("bootstrapServers", () -> b.bootstrapServers(servers));
        String topic = c.string("topic");
        c.at("topic", () -> b.topic(topic));
        b.security(KafkaConfigs.security(c));
        KafkaConfigs.properties(c, b::property);
        KafkaConfigs.duration(c, "closeTimeout", b::closeTimeout);
        if (c.has("maxQueuedLetters")) {
            int max = c.intValue("maxQueuedLetters");
            c.at("maxQueuedLetters", () -> b.maxQueuedLetters(max));
        }
        return c.at("", b::build);
    }
}
