package dev.binlogsync.benchmarks;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one update of a 10-column {@code shop.orders} row in Debezium's JSON format (without
 * schemas, {@code before} and {@code after} images) and in Maxwell's ({@code data} and
 * {@code old}), one thread, default decoder settings. The same row as
 * {@link CanalDecodeBenchmark}'s, so the three formats compare.
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar OtherFormatsDecodeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class OtherFormatsDecodeBenchmark {
    private static final SourcePosition POSITION = new SourcePosition("shop-orders-0", 42);
    private static final String AFTER = "{\"id\":1000042,\"customer_id\":40042,\"quantity\":3,\"status\":\"PAID\","
            + "\"amount\":129.90,\"gift\":false,\"weight\":1.25,\"created_at\":\"2026-11-25T10:10:45.123Z\","
            + "\"updated_at\":\"2026-11-25T11:12:00Z\",\"note\":\"leave at the door, ring twice (v7)\"}";
    private static final byte[] DEBEZIUM = ("{\"before\":" + AFTER.replace("\"PAID\"", "\"NEW\"")
            .replace("11:12:00", "09:00:00") + ",\"after\":" + AFTER
            + ",\"source\":{\"version\":\"2.7.0.Final\",\"connector\":\"mysql\",\"name\":\"shop\",\"ts_ms\":1764065520000,"
            + "\"db\":\"shop\",\"table\":\"orders\",\"server_id\":1,\"file\":\"mysql-bin.000003\",\"pos\":4711,\"row\":0},"
            + "\"op\":\"u\",\"ts_ms\":1764065520123}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] MAXWELL = ("{\"database\":\"shop\",\"table\":\"orders\",\"type\":\"update\","
            + "\"ts\":1764065520,\"xid\":8249,\"commit\":true,\"data\":" + AFTER
            + ",\"old\":{\"status\":\"NEW\",\"updated_at\":\"2026-11-25T09:00:00Z\"},"
            + "\"primary_key_columns\":[\"id\"]}").getBytes(StandardCharsets.UTF_8);

    private final DebeziumDecoder debezium = DebeziumDecoder.create();
    private final MaxwellDecoder maxwell = MaxwellDecoder.create();

    @Benchmark
    public List<ChangeEvent> debeziumUpdate() {
        return debezium.decode(null, DEBEZIUM, POSITION);
    }

    @Benchmark
    public List<ChangeEvent> maxwellUpdate() {
        return maxwell.decode(null, MAXWELL, POSITION);
    }
}
