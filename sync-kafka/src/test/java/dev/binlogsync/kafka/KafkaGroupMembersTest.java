package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaGroupMembersTest {

    @Test
    void anEmptyGroupOrBootstrapOrANonPositiveTimeoutIsRefusedNamingTheValue() {
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> KafkaGroupMembers.create("localhost:9092", KafkaSecurity.none(), " "));
        assertTrue(group.getMessage().contains("groupId"), group.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaGroupMembers.create("", KafkaSecurity.none(), "g"));
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> KafkaGroupMembers.create("localhost:9092", KafkaSecurity.none(), "g", Duration.ZERO));
        assertTrue(timeout.getMessage().contains("PT0S"), timeout.getMessage());
    }
}
