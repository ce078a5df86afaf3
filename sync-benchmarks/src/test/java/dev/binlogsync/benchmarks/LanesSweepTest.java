package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.benchmarks.LanesSweep.Point;
import dev.binlogsync.benchmarks.LanesSweep.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lanes sweep's grid, run order, statistics, decision rule, CSV and chart, without any server. */
class LanesSweepTest {

    private static Point p(int lanes, int inFlight, int bulk) {
        return new Point(lanes, inFlight, bulk);
    }

    @Test
    void theGridHoldsOnlyLanesAtLeastTheRequestsInFlight() {
        List<Point> points = LanesSweep.points(new int[] {1, 2, 4, 8}, new int[] {1, 2, 4}, new int[] {500, 4000});
        // per bulk size: lanes 1 -> 1; 2 -> 1,2; 4 -> 1,2,4; 8 -> 1,2,4: 9
        assertEquals(18, points.size());
        assertEquals(List.of(p(1, 1, 500), p(2, 1, 500), p(2, 2, 500), p(4, 1, 500), p(4, 2, 500), p(4, 4, 500),
                p(8, 1, 500), p(8, 2, 500), p(8, 4, 500)), points.subList(0, 9));
        for (Point q : points) {
            assertTrue(q.lanes() >= q.inFlight(), q.label());
        }
        assertEquals(27, LanesSweep.points(EndToEndBenchmark.SWEEP_LANES, EndToEndBenchmark.SWEEP_IN_FLIGHT,
                EndToEndBenchmark.SWEEP_BULK).size(), "the default grid");
    }

    /** Every point once, then every point again; every other repetition goes backwards. */
    @Test
    void runsEveryPointOncePerRepetitionBeforeAnyPointAgain() {
        List<Point> points = List.of(p(1, 1, 500), p(2, 1, 500), p(2, 2, 500));
        List<Point> order = LanesSweep.interleaved(points, 3);
        assertEquals(List.of(p(1, 1, 500), p(2, 1, 500), p(2, 2, 500),
                p(2, 2, 500), p(2, 1, 500), p(1, 1, 500),
                p(1, 1, 500), p(2, 1, 500), p(2, 2, 500)), order);
        for (int r = 0; r < 3; r++) {
            assertEquals(3, new java.util.HashSet<>(order.subList(3 * r, 3 * r + 3)).size(), "repetition " + r);
        }
    }

    @Test
    void medianAndSpreadOfOddAndEvenCounts() {
        LanesSweep.Stats odd = LanesSweep.stats(List.of(300.0, 100.0, 200.0));
        assertEquals(200.0, odd.median());
        assertEquals(100.0, odd.min());
        assertEquals(300.0, odd.max());
        assertEquals(100.0, odd.spreadPercent(), 1e-9); // (300 - 100) / 200
        LanesSweep.Stats even = LanesSweep.stats(List.of(400.0, 100.0, 300.0, 200.0));
        assertEquals(250.0, even.median());
        assertEquals(120.0, even.spreadPercent(), 1e-9); // (400 - 100) / 250
        assertEquals(0.0, LanesSweep.stats(List.of(42.0)).spreadPercent());
        assertThrows(IllegalArgumentException.class, () -> LanesSweep.stats(List.of()));
    }

    @Test
    void withinFivePercentOfTheBestIncludesTheBoundaryAndSortsBestFirst() {
        Map<Point, Double> m = new LinkedHashMap<>();
        m.put(p(1, 1, 1000), 90.0);
        m.put(p(2, 2, 1000), 95.0); // exactly 95% of 100
        m.put(p(4, 2, 1000), 100.0);
        m.put(p(8, 4, 1000), 94.9);
        assertEquals(List.of(p(4, 2, 1000), p(2, 2, 1000)), LanesSweep.withinOfBest(m, 0.05));
    }

    @Test
    void withinOnBothSetupsKeepsOnlyPointsNearTheBestOnEachOrdersByTheWorstShare() {
        Map<Point, Double> single = new LinkedHashMap<>();
        single.put(p(2, 2, 1000), 100.0); // best here
        single.put(p(4, 2, 1000), 97.0);
        single.put(p(4, 4, 1000), 96.0);
        single.put(p(8, 4, 1000), 80.0);
        Map<Point, Double> ownCore = new LinkedHashMap<>();
        ownCore.put(p(2, 2, 1000), 150.0); // 150 / 200 = 75%: out
        ownCore.put(p(4, 2, 1000), 192.0); // 96%
        ownCore.put(p(4, 4, 1000), 200.0); // best here
        ownCore.put(p(8, 4, 1000), 199.0);
        // worst shares: (4,2) min(97, 96) = 96%; (4,4) min(96, 100) = 96% too; (4,4) first only if higher
        List<Point> both = LanesSweep.withinOnAll(List.of(single, ownCore), 0.05);
        assertEquals(2, both.size(), both.toString());
        assertTrue(both.containsAll(List.of(p(4, 2, 1000), p(4, 4, 1000))), both.toString());
        assertEquals(0.96, LanesSweep.worstShare(List.of(single, ownCore), p(4, 2, 1000)), 1e-9);
    }

    @Test
    void withoutAPointNearTheBestOnBothTheBestCompromiseHasTheHighestWorstShare() {
        Map<Point, Double> a = new LinkedHashMap<>();
        a.put(p(1, 1, 500), 100.0);
        a.put(p(2, 2, 500), 85.0);
        a.put(p(8, 4, 500), 50.0);
        Map<Point, Double> b = new LinkedHashMap<>();
        b.put(p(1, 1, 500), 40.0);
        b.put(p(2, 2, 500), 80.0); // worst share min(85%, 80%) = 80%
        b.put(p(8, 4, 500), 100.0);
        assertTrue(LanesSweep.withinOnAll(List.of(a, b), 0.05).isEmpty());
        assertEquals(p(2, 2, 500), LanesSweep.bestCompromise(List.of(a, b)));
        String decision = LanesSweep.decision(Map.of("a", rows("a", a)), p(2, 2, 500));
        assertTrue(decision.contains("today's defaults (lanes=2 inFlight=2 maxBulkActions=500) 85 events/s = 85.0% of "
                + "the best"), decision);
    }

    /** A setup whose points' runs typically spread by more than 5% is said to leave the choice unresolved. */
    @Test
    void theDecisionWarnsWhenTheRunsOfAPointSpreadMoreThanTheMargin() {
        Row steady = new Row("quiet", p(1, 1, 500), 5L << 20, 1000, List.of(100.0, 102.0, 101.0), 0, 0); // 2%
        Row noisy = new Row("busy", p(1, 1, 500), 5L << 20, 1000, List.of(100.0, 120.0, 110.0), 0, 0); // 18%
        Map<String, List<Row>> setups = new LinkedHashMap<>();
        setups.put("quiet", List.of(steady));
        setups.put("busy", List.of(noisy));
        String decision = LanesSweep.decision(setups, p(2, 2, 1000));
        assertTrue(decision.contains("DECISION busy: NOISY: the runs of a point spread by 18.2%"), decision);
        assertTrue(!decision.contains("DECISION quiet: NOISY"), decision);
    }

    /** Only the points that both setups measured take part; a point missing on one is left out. */
    @Test
    void theDecisionOnBothSetupsUsesThePointsBothMeasured() {
        Map<Point, Double> a = new LinkedHashMap<>();
        a.put(p(1, 1, 500), 100.0);
        a.put(p(2, 2, 500), 99.0);
        Map<Point, Double> b = new LinkedHashMap<>();
        b.put(p(2, 2, 500), 50.0);
        assertEquals(List.of(p(2, 2, 500)), LanesSweep.withinOnAll(List.of(a, b), 0.05));
    }

    @Test
    void theCsvReadsBackWhatItWrote() {
        List<Row> rows = List.of(
                new Row("processes", p(4, 2, 1000), 5L << 20, 20000, List.of(41000.0, 39000.0, 40000.0), 412345,
                        405.0),
                new Row("processes", p(1, 1, 500), 5L << 20, 20000, List.of(30000.0), 200000, 401.0));
        String csv = LanesSweep.csv(rows);
        assertTrue(csv.startsWith(LanesSweep.CSV_HEADER + "\n"), csv);
        assertTrue(csv.contains("processes,4,2,1000,5242880,20000,3,40000,39000,41000,5.0,41000;39000;40000,412345,405"),
                csv);
        assertEquals(rows, LanesSweep.parseCsv(csv));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LanesSweep.parseCsv(LanesSweep.CSV_HEADER + "\nprocesses,4,2\n"));
        assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LanesSweep.parseCsv("a,b\n"));
    }

    @Test
    void theChartHasAPanelPerBulkSizeAndALinePerInFlightValue() {
        List<Row> rows = new ArrayList<>();
        for (Point q : LanesSweep.points(new int[] {1, 2, 4}, new int[] {1, 2}, new int[] {500, 4000})) {
            rows.add(new Row("s", q, 5L << 20, 1000, List.of(1000.0 * q.lanes(), 900.0 * q.lanes()), 1, 1));
        }
        String svg = LanesSweep.chart(rows, "s<1>", 1000, 2);
        assertTrue(svg.startsWith("<svg ") && svg.endsWith("</svg>\n"), svg);
        assertEquals(2, count(svg, ">maxBulkActions "), "a panel per bulk size");
        assertEquals(4, count(svg, "<polyline "), "a line per in-flight value in each panel");
        assertEquals(rows.size(), count(svg, "<circle "), "a dot per point");
        assertTrue(svg.contains("s&lt;1&gt;"), "the setup's name escaped");
        assertTrue(svg.contains(">1 request in flight<") && svg.contains(">2 requests in flight<"), svg);
    }

    @Test
    void theListArgumentsTakeCommaSeparatedPositiveInts() {
        String[] args = {"sweepLanes=1, 2,8", "sweepBulk=0", "sweepInFlight=x"};
        assertEquals(List.of(1, 2, 8), toList(EndToEndBenchmark.intsArg(args, "sweepLanes", new int[] {4})));
        assertEquals(List.of(4), toList(EndToEndBenchmark.intsArg(new String[0], "sweepLanes", new int[] {4})));
        assertThrows(IllegalArgumentException.class, () -> EndToEndBenchmark.intsArg(args, "sweepBulk", new int[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EndToEndBenchmark.intsArg(args, "sweepInFlight", new int[0]));
        assertTrue(e.getMessage().endsWith(": x"), e.getMessage());
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> out = new ArrayList<>();
        for (int v : values) {
            out.add(v);
        }
        return out;
    }

    private static List<Row> rows(String setup, Map<Point, Double> medians) {
        List<Row> out = new ArrayList<>();
        medians.forEach((q, m) -> out.add(new Row(setup, q, 5L << 20, 1000, List.of(m), 0, 0)));
        return out;
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
