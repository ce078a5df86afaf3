package dev.binlogsync.kafka;

import org.apache.kafka.common.TopicPartition;

/** {@code topic-partition} names, the partition names of {@code SourcePosition}s from Kafka. */
final class PartitionNames {
    private PartitionNames() {
    }

    static String name(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Parses {@code topic-partition} (the topic may itself contain dashes).
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    static TopicPartition parse(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            throw new IllegalArgumentException("not a topic-partition name: " + name);
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            if (partition < 0) {
                throw new IllegalArgumentException("not a topic-partition name: " + name);
            }
            return new TopicPartition(name.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a topic-partition name: " + name, e);
        }
    }
}
