package dev.binlogsync.kafka;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * The current members of a consumer group, by member id, from {@code Admin.describeConsumerGroups}:
 * a re-sync ({@code Resync.Builder.consumerGroup} in {@code sync-elasticsearch}) compares them with
 * the members whose pipelines write through its shadow sinks ({@link KafkaSource#memberId()}).
 *
 * <p>{@link #get()} asks the broker each time (bounded by the timeout given, default 30 s) and
 * throws {@link SyncException} naming the group when it cannot answer: a caller that must know
 * never mistakes a failure for an empty group. Thread-safe. {@link #close()} closes the admin
 * client.
 */
public final class KafkaGroupMembers implements Supplier<Set<String>>, AutoCloseable {
    private final Admin admin;
    private final String groupId;
    private final Duration timeout;

    private KafkaGroupMembers(Admin admin, String groupId, Duration timeout) {
        this.admin = admin;
        this.groupId = groupId;
        this.timeout = timeout;
    }

    /**
     * Members of {@code groupId} on the cluster at {@code bootstrapServers}, connecting with
     * {@code security}; each call waits at most {@code timeout}.
     *
     * @throws IllegalArgumentException if a name is empty or the timeout is not positive
     */
    public static KafkaGroupMembers create(String bootstrapServers, KafkaSecurity security, String groupId,
            Duration timeout) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(timeout, "timeout");
        if (bootstrapServers.isBlank() || groupId.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers and groupId must not be empty: '"
                    + UntrustedText.shown(bootstrapServers, 256) + "', '" + UntrustedText.shown(groupId, 256) + "'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        Map<String, Object> config = new LinkedHashMap<>(security.toProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaGroupMembers(Admin.create(config), groupId, timeout);
    }

    /** Members of {@code groupId}, the admin client configured with {@code adminProperties}. */
    static KafkaGroupMembers create(Map<String, Object> adminProperties, String groupId, Duration timeout) {
        return new KafkaGroupMembers(Admin.create(new LinkedHashMap<>(adminProperties)), groupId, timeout);
    }

    /** As {@link #create(String, KafkaSecurity, String, Duration)} with a 30 s timeout. */
    public static KafkaGroupMembers create(String bootstrapServers, KafkaSecurity security, String groupId) {
        return create(bootstrapServers, security, groupId, Duration.ofSeconds(30));
    }

    /** The member ids of the group now (empty when it has none), sorted. */
    @Override
    public Set<String> get() {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Set<String> out = new TreeSet<>();
            for (MemberDescription m : d.members()) {
                out.add(m.consumerId());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException("interrupted while describing the consumer group " + UntrustedText.shown(groupId, 256));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new SyncException("cannot describe the consumer group " + UntrustedText.shown(groupId, 256) + ": "
                    + Secrets.describe(cause), cause);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "KafkaGroupMembers(" + groupId + ")";
    }
}
