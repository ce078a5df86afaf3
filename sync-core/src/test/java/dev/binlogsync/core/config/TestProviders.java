package dev.binlogsync.core.config;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Providers registered in the test class path's META-INF/services, with fakes that record their settings. */
public final class TestProviders {
    private TestProviders() {
    }

    /** A source that only remembers its settings. */
    public static final class FakeSource implements Source {
        public final String bootstrapServers;
        public final List<String> topics;
        public final String groupId;

        FakeSource(String bootstrapServers, List<String> topics, String groupId) {
            this.bootstrapServers = bootstrapServers;
            this.topics = topics;
            this.groupId = groupId;
        }

        @Override
        public void open(PartitionListener listener) {
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) {
            return List.of();
        }

        @Override
        public void commit(Map<String, SourcePosition> lastDone) {
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void close() {
        }
    }

    /** A sink that only remembers its settings. */
    public static final class FakeSink implements BulkSink {
        public final List<String> hosts;
        public final String password;

        FakeSink(List<String> hosts, String password) {
            this.hosts = hosts;
            this.password = password;
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("fake"));
        }
    }

    /** Instances the memory providers created, by their {@code name} setting. */
    public static final Map<String, Object> CREATED = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code memory}: an {@link dev.binlogsync.core.testing.InMemorySource}, kept in {@link #CREATED}. */
    public static final class MemorySourceProvider implements ComponentProvider<Source> {
        @Override
        public String type() {
            return "memory";
        }

        @Override
        public Class<Source> componentType() {
            return Source.class;
        }

        @Override
        public Source create(ConfigSection c) {
            dev.binlogsync.core.testing.InMemorySource s = new dev.binlogsync.core.testing.InMemorySource(true, c.intValue("maxPollRecords", 500));
            CREATED.put(c.string("name"), s);
            return s;
        }
    }

    /** {@code recording}: a {@link dev.binlogsync.core.testing.RecordingBulkSink}, kept in {@link #CREATED}. */
    public static final class RecordingSinkProvider implements ComponentProvider<BulkSink> {
        @Override
        public String type() {
            return "recording";
        }

        @Override
        public Class<BulkSink> componentType() {
            return BulkSink.class;
        }

        @Override
        public BulkSink create(ConfigSection c) {
            dev.binlogsync.core.testing.RecordingBulkSink s = new dev.binlogsync.core.testing.RecordingBulkSink();
            CREATED.put(c.string("name"), s);
            return s;
        }
    }

    public static final class SourceProvider implements ComponentProvider<Source> {
        @Override
        public String type() {
            return "test-source";
        }

        @Override
        public Class<Source> componentType() {
            return Source.class;
        }

        @Override
        public Source create(ConfigSection c) {
            return new FakeSource(c.string("bootstrapServers"), c.stringList("topics"), c.string("groupId", "default"));
        }
    }

    public static final class SinkProvider implements ComponentProvider<BulkSink> {
        @Override
        public String type() {
            return "test-sink";
        }

        @Override
        public Class<BulkSink> componentType() {
            return BulkSink.class;
        }

        @Override
        public BulkSink create(ConfigSection c) {
            List<String> hosts = c.stringList("hosts");
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("hosts must not be empty");
            }
            return new FakeSink(hosts, c.string("password", ""));
        }
    }

    public static final class DeadLetterProvider implements ComponentProvider<DeadLetterSink> {
        @Override
        public String type() {
            return "test-dead-letter";
        }

        @Override
        public Class<DeadLetterSink> componentType() {
            return DeadLetterSink.class;
        }

        @Override
        public DeadLetterSink create(ConfigSection c) {
            String topic = c.string("topic");
            return (DeadLetter letter) -> CompletableFuture.completedFuture(null);
        }
    }

    /** How often each {@code counting} sink (by its {@code name} setting) was closed. */
    public static final Map<String, java.util.concurrent.atomic.AtomicInteger> CLOSED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A sink that counts its {@link #close()} calls in {@link #CLOSED}. */
    public static final class CountingSink implements BulkSink {
        private final String name;

        CountingSink(String name) {
            this.name = name;
            CLOSED.computeIfAbsent(name, n -> new java.util.concurrent.atomic.AtomicInteger());
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("counting"));
        }

        @Override
        public void close() {
            CLOSED.get(name).incrementAndGet();
        }
    }

    /**
     * {@code counting}: a {@link CountingSink} named by {@code name}; it reads {@code name} and,
     * after creating the sink, {@code failAfterCreate} (true: the provider then throws, as a
     * provider whose later setting is invalid would).
     */
    public static final class CountingSinkProvider implements ComponentProvider<BulkSink> {
        @Override
        public String type() {
            return "counting";
        }

        @Override
        public Class<BulkSink> componentType() {
            return BulkSink.class;
        }

        @Override
        public BulkSink create(ConfigSection c) {
            CountingSink sink = new CountingSink(c.string("name"));
            if (c.bool("failAfterCreate", false)) {
                throw new IllegalArgumentException("failAfterCreate is set");
            }
            return sink;
        }
    }
}
