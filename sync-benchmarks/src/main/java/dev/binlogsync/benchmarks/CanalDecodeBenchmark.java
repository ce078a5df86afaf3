package dev.binlogsync.benchmarks;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode throughput of {@link CanalFlatMessageDecoder} (messages per second, one thread) for Canal
 * flat messages of 1 and of 10 rows, each row with 10 columns of mixed types (bigint, int,
 * smallint, varchar, decimal, tinyint(1), double, datetime(3), timestamp, text), laid out exactly as
 * Canal writes them (fastjson order: {@code data} before {@code mysqlType}).
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar CanalDecodeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CanalDecodeBenchmark {

    private static final SourcePosition POSITION = new SourcePosition("canal.shop.orders-0", 123_456L);

    private final CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build();
    private final byte[] oneRow = message(1);
    private final byte[] tenRows = message(10);

    static byte[] message(int rows) {
        StringBuilder sb = new StringBuilder(512 + rows * 300);
        sb.append("{\"data\":[");
        for (int i = 0; i < rows; i++) {
            if (i > 0) {
                sb.append(',');
            }
            long id = 1_000_000L + i;
            sb.append("{\"id\":\"").append(id)
                    .append("\",\"customer_id\":\"").append(40_000 + i)
                    .append("\",\"quantity\":\"").append(i + 1)
                    .append("\",\"status\":\"PAID\"")
                    .append(",\"amount\":\"").append(100 + i).append(".25\"")
                    .append(",\"gift\":\"").append(i % 2)
                    .append("\",\"weight\":\"1.").append(i).append("5\"")
                    .append(",\"created_at\":\"2024-03-01 12:30:45.123\"")
                    .append(",\"updated_at\":\"2024-03-01 12:31:00\"")
                    .append(",\"note\":\"leave at the door, ring twice\"}");
        }
        sb.append("],\"database\":\"shop\",\"es\":1709296245000,\"gtid\":\"\",\"id\":9876,\"isDdl\":false,")
                .append("\"mysqlType\":{\"id\":\"bigint(20)\",\"customer_id\":\"int(11)\",\"quantity\":\"smallint(6)\",")
                .append("\"status\":\"varchar(16)\",\"amount\":\"decimal(10,2)\",\"gift\":\"tinyint(1)\",\"weight\":\"double\",")
                .append("\"created_at\":\"datetime(3)\",\"updated_at\":\"timestamp\",\"note\":\"text\"},")
                .append("\"old\":null,\"pkNames\":[\"id\"],\"sql\":\"\",")
                .append("\"sqlType\":{\"id\":-5,\"customer_id\":4,\"quantity\":5,\"status\":12,\"amount\":3,\"gift\":-6,")
                .append("\"weight\":8,\"created_at\":93,\"updated_at\":93,\"note\":2005},")
                .append("\"table\":\"orders\",\"ts\":1709296245321,\"type\":\"INSERT\"}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public List<ChangeEvent> oneRowMessage() {
        return decoder.decode(null, oneRow, POSITION);
    }

    @Benchmark
    @OperationsPerInvocation(10)
    public List<ChangeEvent> tenRowMessagePerRow() {
        return decoder.decode(null, tenRows, POSITION);
    }

    @Benchmark
    public List<ChangeEvent> tenRowMessage() {
        return decoder.decode(null, tenRows, POSITION);
    }
}
