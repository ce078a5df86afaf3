package dev.binlogsync.benchmarks;

import dev.binlogsync.core.ActionCollector;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.rules.Converters;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rule application per event ({@link Rules#apply}), one thread, over 64 Canal-style events (12
 * string columns) of 64 sharded tables {@code order_0..order_63}, every event producing one action:
 *
 * <ul>
 *   <li>{@code plain}: regex table match, static index, id from the primary key, the row handed
 *       over without copy (the default rule);
 *   <li>{@code templatedAndFiltered}: {@code orders-{created_at:yyyy.MM}} index and the
 *       {@code type IN (1,2) AND status <> 'deleted'} filter (rows chosen to match);
 *   <li>{@code fieldOptions}: exclude, rename, split converter and a constant (the row is copied);
 *   <li>{@code updateWithFilter}: updates with previous values, so the filter runs on the new row
 *       and on the before image, and the index template is checked for a move;
 *   <li>{@code unmatchedTable}: events of a table no rule matches (the cost of ignoring).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class RuleApplyBenchmark {
    private static final int EVENTS = 64;

    private Rules plain;
    private Rules templatedAndFiltered;
    private Rules fieldOptions;
    private final ChangeEvent[] inserts = new ChangeEvent[EVENTS];
    private final ChangeEvent[] updates = new ChangeEvent[EVENTS];
    private final ChangeEvent[] unmatched = new ChangeEvent[EVENTS];

    @Setup
    public void prepare() {
        plain = Rules.builder().rule(TableRule.builder().database("shop").table("order_[0-9]+").index("orders").build())
                .build();
        templatedAndFiltered = Rules.builder().rule(TableRule.builder().database("shop").table("order_[0-9]+")
                .index("orders-{created_at:yyyy.MM}").where(FilterBenchmark.EXPRESSION).build()).build();
        fieldOptions = Rules.builder().rule(TableRule.builder().database("shop").table("order_[0-9]+").index("orders")
                .exclude("note").rename("user_id", "uid").convert("tags", Converters.split(","))
                .constant("source", "mysql").build()).build();
        SourcePosition pos = new SourcePosition("bench-0", 0);
        for (int i = 0; i < EVENTS; i++) {
            Map<String, Object> row = FilterBenchmark.row(String.valueOf(1000 + i), String.valueOf(1 + (i % 2)), "paid", true);
            // time-ordered like a binlog: the day changes once within the 64 events
            row.put("created_at", (i < 40 ? "2024-03-05 23:59:" : "2024-03-06 00:00:") + String.format("%02d", i % 60));
            inserts[i] = new ChangeEvent("shop", "order_" + i, Operation.INSERT, row, Map.of(), List.of("id"),
                    1_700_000_000_000L, pos);
            Map<String, Object> old = new HashMap<>();
            old.put("status", "new");
            old.put("updated_at", "2024-03-05 10:11:12");
            updates[i] = new ChangeEvent("shop", "order_" + i, Operation.UPDATE, row, old, List.of("id"),
                    1_700_000_000_000L, pos);
            unmatched[i] = new ChangeEvent("shop", "audit_log_" + i, Operation.INSERT, row, Map.of(), List.of("id"),
                    1_700_000_000_000L, pos);
        }
    }

    private static int run(Rules rules, ChangeEvent[] events, Blackhole bh) {
        int[] n = {0};
        ActionCollector out = (DocumentAction a) -> {
            bh.consume(a);
            n[0]++;
        };
        for (ChangeEvent e : events) {
            rules.apply(e, out);
        }
        return n[0];
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int plain(Blackhole bh) {
        return run(plain, inserts, bh);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int templatedAndFiltered(Blackhole bh) {
        return run(templatedAndFiltered, inserts, bh);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int fieldOptions(Blackhole bh) {
        return run(fieldOptions, inserts, bh);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int updateWithFilter(Blackhole bh) {
        return run(templatedAndFiltered, updates, bh);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int unmatchedTable(Blackhole bh) {
        return run(plain, unmatched, bh);
    }
}
