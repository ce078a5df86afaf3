package dev.binlogsync.benchmarks;

import dev.binlogsync.core.RowMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Looking up every column of a decoded row by name, as a rule with an include list or a filter
 * over many columns does: the names come from the configuration, so they are equal to the row's
 * keys but not the same instances. Rows of 10, 50 and 200 columns, each a fresh {@link RowMap}
 * (as every decoded row is), so any per-row index is built inside the measurement. Reported per
 * row.
 *
 * <p>Run: {@code java -jar sync-benchmarks/target/benchmarks.jar RowLookupBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class RowLookupBenchmark {
    @Param({"10", "50", "200"})
    public int columns;

    private String[] rowKeys;
    private Object[] rowValues;
    private String[] configuredNames;

    @Setup
    public void prepare() {
        rowKeys = new String[columns];
        rowValues = new Object[columns];
        configuredNames = new String[columns];
        for (int i = 0; i < columns; i++) {
            rowKeys[i] = "column_" + i;
            rowValues[i] = (long) i;
            configuredNames[i] = new String("column_" + i); // equal, not identical
            configuredNames[i].hashCode();
        }
    }

    @Benchmark
    public long everyColumnByName() {
        RowMap row = RowMap.wrap(rowKeys.clone(), rowValues.clone(), columns);
        long sum = 0;
        for (String name : configuredNames) {
            sum += (Long) row.get(name);
        }
        return sum;
    }
}
