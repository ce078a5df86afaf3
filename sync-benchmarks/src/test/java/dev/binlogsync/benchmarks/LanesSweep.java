package dev.binlogsync.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The pure part of the end-to-end benchmark's lanes sweep ({@code sweep=lanes}, see
 * {@link EndToEndBenchmark}): the grid of points (lanes x requests in flight x bulk size, only
 * lanes &gt;= in-flight, as the library requires), the interleaved order of the runs, each point's
 * median and spread, the decision rule (the points within a tolerance of the best, per setup and on
 * every setup), the CSV it writes and reads back, and the chart.
 *
 * <p>As a program it combines the CSVs of two or more setups measured back to back and prints the
 * decision: {@code java -cp ... dev.binlogsync.benchmarks.LanesSweep a.csv b.csv}.
 * Not thread-safe; nothing here measures time.
 */
final class LanesSweep {
    /** A point within this fraction of the best median counts as "within 5% of best". */
    static final double TOLERANCE = 0.05;
    /** The CSV's header line: one row per point and setup. */
    static final String CSV_HEADER = "setup,lanes,inFlight,maxBulkActions,maxBulkBytes,n,runs,medianEventsPerSecond,"
            + "minEventsPerSecond,maxEventsPerSecond,spreadPercent,eventsPerSecondByRun,maxBulkBytesSeen,"
            + "bytesPerAction";

    private LanesSweep() {
    }

    /** One setting of the sweep. */
    record Point(int lanes, int inFlight, int bulkActions) {
        String label() {
            return "lanes=" + lanes + " inFlight=" + inFlight + " maxBulkActions=" + bulkActions;
        }
    }

    /**
     * Every combination with {@code lanes >= inFlight} (the library rejects fewer lanes than
     * requests in flight), ordered by bulk size, then lanes, then in-flight, each list in the order
     * given.
     */
    static List<Point> points(int[] lanes, int[] inFlights, int[] bulkActions) {
        List<Point> out = new ArrayList<>();
        for (int b : bulkActions) {
            for (int l : lanes) {
                for (int f : inFlights) {
                    if (l >= f) {
                        out.add(new Point(l, f, b));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The order of the runs: every point once, then every point again, {@code repetitions} times;
     * every other repetition goes backwards, so a drift of the machine over the sweep (a JIT still
     * warming, a neighbour starting) does not always land on the same end of the grid.
     */
    static List<Point> interleaved(List<Point> points, int repetitions) {
        List<Point> out = new ArrayList<>();
        for (int r = 0; r < repetitions; r++) {
            List<Point> round = new ArrayList<>(points);
            if (r % 2 == 1) {
                Collections.reverse(round);
            }
            out.addAll(round);
        }
        return out;
    }

    /** A point's runs: median, lowest, highest. */
    record Stats(double median, double min, double max) {
        /** (max - min) / median, percent; 0 for a single run. */
        double spreadPercent() {
            return median == 0 ? 0 : 100 * (max - min) / median;
        }
    }

    /** Median (the mean of the middle two for an even count), min and max; throws on no values. */
    static Stats stats(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int k = v.size();
        double median = k % 2 == 1 ? v.get(k / 2) : (v.get(k / 2 - 1) + v.get(k / 2)) / 2;
        return new Stats(median, v.get(0), v.get(k - 1));
    }

    /**
     * The points whose median is at least {@code (1 - tolerance)} of the best median, best first.
     */
    static List<Point> withinOfBest(Map<Point, Double> medians, double tolerance) {
        double best = medians.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        List<Point> out = new ArrayList<>();
        medians.forEach((p, m) -> {
            if (m >= (1 - tolerance) * best) {
                out.add(p);
            }
        });
        out.sort((a, b) -> Double.compare(medians.get(b), medians.get(a)));
        return out;
    }

    /**
     * The points within {@code tolerance} of the best on every setup (each setup's best among the
     * points that every setup measured), ordered by their lowest share of a setup's best, highest
     * first.
     */
    static List<Point> withinOnAll(List<Map<Point, Double>> setups, double tolerance) {
        List<Map<Point, Double>> common = common(setups);
        List<Point> out = new ArrayList<>(common.get(0).keySet());
        for (Map<Point, Double> s : common) {
            out.retainAll(withinOfBest(s, tolerance));
        }
        out.sort((a, b) -> Double.compare(worstShare(common, b), worstShare(common, a)));
        return out;
    }

    /**
     * The point whose lowest share of a setup's best is highest: the choice when no point is within
     * the tolerance on every setup.
     */
    static Point bestCompromise(List<Map<Point, Double>> setups) {
        List<Map<Point, Double>> common = common(setups);
        Point best = null;
        for (Point p : common.get(0).keySet()) {
            if (best == null || worstShare(common, p) > worstShare(common, best)) {
                best = p;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no point measured on every setup");
        }
        return best;
    }

    /** The lowest, over the setups, of the point's median / that setup's best median. */
    static double worstShare(List<Map<Point, Double>> setups, Point p) {
        double worst = Double.MAX_VALUE;
        for (Map<Point, Double> s : setups) {
            double best = s.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            worst = Math.min(worst, s.get(p) / best);
        }
        return worst;
    }

    /** Each setup's medians cut to the points every setup measured. */
    private static List<Map<Point, Double>> common(List<Map<Point, Double>> setups) {
        if (setups.isEmpty()) {
            throw new IllegalArgumentException("no setups");
        }
        List<Point> shared = new ArrayList<>(setups.get(0).keySet());
        for (Map<Point, Double> s : setups) {
            shared.retainAll(s.keySet());
        }
        List<Map<Point, Double>> out = new ArrayList<>();
        for (Map<Point, Double> s : setups) {
            Map<Point, Double> m = new LinkedHashMap<>();
            for (Point p : shared) {
                m.put(p, s.get(p));
            }
            out.add(m);
        }
        return out;
    }

    /**
     * One measured point of one setup.
     *
     * @param rates events/s of each run, in run order
     * @param maxBulkBytesSeen the largest bulk's estimated bytes over the runs
     * @param bytesPerAction estimated bytes per action sent, over the runs
     */
    record Row(String setup, Point point, long maxBulkBytes, int n, List<Double> rates, long maxBulkBytesSeen,
            double bytesPerAction) {
        Stats stats() {
            return LanesSweep.stats(rates);
        }
    }

    static String csv(List<Row> rows) {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            Stats st = r.stats();
            StringBuilder runs = new StringBuilder();
            for (double v : r.rates) {
                runs.append(runs.length() == 0 ? "" : ";").append(String.format(Locale.ROOT, "%.0f", v));
            }
            s.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%.0f,%.0f,%.0f,%.1f,%s,%d,%.0f%n", r.setup,
                    r.point.lanes, r.point.inFlight, r.point.bulkActions, r.maxBulkBytes, r.n, r.rates.size(),
                    st.median, st.min, st.max, st.spreadPercent(), runs, r.maxBulkBytesSeen, r.bytesPerAction));
        }
        return s.toString();
    }

    /** Reads what {@link #csv} wrote; throws naming the line when it does not parse. */
    static List<Row> parseCsv(String text) {
        List<Row> out = new ArrayList<>();
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].trim().equals(CSV_HEADER)) {
            throw new IllegalArgumentException("not a lanes sweep CSV (header " + CSV_HEADER + ")");
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 14) {
                throw new IllegalArgumentException("line " + (i + 1) + ": 14 fields expected: " + line);
            }
            List<Double> rates = new ArrayList<>();
            for (String v : f[11].split(";")) {
                rates.add(Double.parseDouble(v));
            }
            out.add(new Row(f[0], new Point(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3])),
                    Long.parseLong(f[4]), Integer.parseInt(f[5]), rates, Long.parseLong(f[12]),
                    Double.parseDouble(f[13])));
        }
        return out;
    }

    /** Each point's median. */
    static Map<Point, Double> medians(List<Row> rows) {
        Map<Point, Double> m = new LinkedHashMap<>();
        for (Row r : rows) {
            m.put(r.point, r.stats().median);
        }
        return m;
    }

    /** The table of one setup: a Markdown table, one line per point, with its share of the best. */
    static String table(List<Row> rows) {
        Map<Point, Double> medians = medians(rows);
        double best = medians.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        List<Point> within = withinOfBest(medians, TOLERANCE);
        StringBuilder s = new StringBuilder("| maxBulkActions | lanes | inFlight | median events/s | min | max | spread "
                + "| of best | within 5% |\n|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        for (Row r : rows) {
            Stats st = r.stats();
            s.append(String.format(Locale.ROOT, "| %d | %d | %d | %,.0f | %,.0f | %,.0f | %.1f%% | %.1f%% | %s |%n",
                    r.point.bulkActions, r.point.lanes, r.point.inFlight, st.median, st.min, st.max,
                    st.spreadPercent(), 100 * st.median / best, within.contains(r.point) ? "yes" : ""));
        }
        return s.toString();
    }

    /**
     * The decision over the setups ({@code setups} by name, in order): per setup the points within
     * {@link #TOLERANCE} of its best, a warning when its points' runs typically spread by more than
     * the tolerance, then those within it on every setup (or, if none, the best compromise), and
     * where {@code current} stands on each.
     */
    static String decision(Map<String, List<Row>> setups, Point current) {
        StringBuilder s = new StringBuilder();
        List<Map<Point, Double>> all = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : setups.entrySet()) {
            Map<Point, Double> m = medians(e.getValue());
            all.add(m);
            double best = m.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            s.append(String.format(Locale.ROOT, "DECISION %s: best %,.0f events/s; within %.0f%% of it: ", e.getKey(),
                    best, 100 * TOLERANCE));
            appendPoints(s, withinOfBest(m, TOLERANCE), m, best);
            List<Double> spreads = new ArrayList<>();
            e.getValue().forEach(r -> spreads.add(r.stats().spreadPercent()));
            double spread = stats(spreads).median;
            if (spread > 100 * TOLERANCE) {
                s.append(String.format(Locale.ROOT, "%nDECISION %s: NOISY: the runs of a point spread by %.1f%% (the "
                        + "median over the points), more than the %.0f%% margin; the choice is not resolved: more "
                        + "repetitions or a quieter machine", e.getKey(), spread, 100 * TOLERANCE));
            }
            Double cur = m.get(current);
            s.append(String.format(Locale.ROOT, "%nDECISION %s: today's defaults (%s) %s%n", e.getKey(),
                    current.label(), cur == null ? "not measured" : String.format(Locale.ROOT,
                            "%,.0f events/s = %.1f%% of the best", cur, 100 * cur / best)));
        }
        if (setups.size() > 1) {
            List<Point> both = withinOnAll(all, TOLERANCE);
            s.append("DECISION within ").append(Math.round(100 * TOLERANCE)).append("% of the best on every setup (")
                    .append(String.join(", ", setups.keySet())).append("): ");
            if (both.isEmpty()) {
                Point p = bestCompromise(all);
                s.append(String.format(Locale.ROOT, "none; the best compromise is %s at %.1f%% of the best on its "
                        + "worst setup%n", p.label(), 100 * worstShare(all, p)));
            } else {
                for (int i = 0; i < both.size(); i++) {
                    s.append(i == 0 ? "" : "; ").append(both.get(i).label()).append(String.format(Locale.ROOT,
                            " (at least %.1f%%)", 100 * worstShare(all, both.get(i))));
                }
                s.append('\n');
            }
        }
        return s.toString();
    }

    private static void appendPoints(StringBuilder s, List<Point> points, Map<Point, Double> m, double best) {
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            s.append(i == 0 ? "" : "; ").append(p.label())
                    .append(String.format(Locale.ROOT, " %.1f%%", 100 * m.get(p) / best));
        }
    }

    /**
     * Combines the CSVs of setups measured back to back and prints each setup's table and the
     * decision; today's defaults come from {@code PipelineSettings}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: LanesSweep <setup.csv>...   (the CSVs sweep=lanes wrote)");
            System.exit(2);
        }
        Map<String, List<Row>> setups = new LinkedHashMap<>();
        for (String a : args) {
            List<Row> rows = parseCsv(Files.readString(Path.of(a)));
            TreeSet<String> names = new TreeSet<>();
            rows.forEach(r -> names.add(r.setup));
            for (String name : names) {
                List<Row> own = new ArrayList<>();
                rows.stream().filter(r -> r.setup.equals(name)).forEach(own::add);
                setups.put(name, own);
                System.out.println("## " + name + " (" + a + ")\n\n" + table(own));
            }
        }
        System.out.print(decision(setups, defaults()));
    }

    /** Today's defaults as a point: the library's lanes (= requests in flight) and bulk size. */
    static Point defaults() {
        int inFlight = dev.binlogsync.core.PipelineSettings.DEFAULT_MAX_IN_FLIGHT_REQUESTS;
        return new Point(dev.binlogsync.core.PipelineSettings.builder().build().lanes(), inFlight,
                dev.binlogsync.core.PipelineSettings.defaults().maxBulkActions());
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The chart of one setup in {@link EndToEndBenchmark.Svg}'s style: one panel per bulk size,
     * lanes along the x axis, one line per requests-in-flight value at each point's median with a
     * bar from its lowest to its highest run, and a dashed line at 95% of the setup's best.
     */
    static String chart(List<Row> rows, String setup, int n, int repetitions) {
        TreeSet<Integer> bulks = new TreeSet<>();
        TreeSet<Integer> lanes = new TreeSet<>();
        TreeSet<Integer> inFlights = new TreeSet<>();
        double top = 0;
        double best = 0;
        for (Row r : rows) {
            bulks.add(r.point.bulkActions);
            lanes.add(r.point.lanes);
            inFlights.add(r.point.inFlight);
            top = Math.max(top, r.stats().max);
            best = Math.max(best, r.stats().median);
        }
        // a round tick near a sixth of the highest run, so the lines use most of the panel's height
        double tick = EndToEndBenchmark.Svg.niceCeiling(top / 6);
        int ticks = Math.max(1, (int) Math.ceil(top / tick));
        top = tick * ticks;
        int pw = 300;
        int ph = 250;
        int y0 = 75;
        int gap = 70;
        int w = Math.max(760, 80 + bulks.size() * (pw + gap));
        int h = 415;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"70\" y=\"22\" font-size=\"14\">Backlog throughput (events/s), n=").append(n)
                .append(", ").append(esc(setup)).append("</text>\n")
                .append("<text x=\"70\" y=\"40\">median of ").append(repetitions)
                .append(" interleaved runs; bar: the lowest to the highest run; dashed: 95% of the best median</text>\n");
        int x0 = 70;
        for (int bulk : bulks) {
            s.append("<text x=\"").append(x0).append("\" y=\"").append(y0 - 8).append("\" font-size=\"13\">")
                    .append("maxBulkActions ").append(bulk).append("</text>\n");
            s.append("<rect x=\"").append(x0).append("\" y=\"").append(y0).append("\" width=\"").append(pw)
                    .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#999\"/>\n");
            for (int t = 0; t <= ticks; t++) {
                double v = tick * t;
                int y = y0 + ph - (int) (ph * t / (double) ticks);
                s.append("<line x1=\"").append(x0).append("\" y1=\"").append(y).append("\" x2=\"").append(x0 + pw)
                        .append("\" y2=\"").append(y).append("\" stroke=\"#eee\"/>")
                        .append("<text x=\"").append(x0 - 5).append("\" y=\"").append(y + 4)
                        .append("\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%,.0f", v))
                        .append("</text>\n");
            }
            int yBest = y0 + ph - (int) (ph * 0.95 * best / top);
            s.append("<line x1=\"").append(x0).append("\" y1=\"").append(yBest).append("\" x2=\"").append(x0 + pw)
                    .append("\" y2=\"").append(yBest).append("\" stroke=\"#555\" stroke-dasharray=\"4,3\"/>\n");
            List<Integer> laneList = new ArrayList<>(lanes);
            for (int i = 0; i < laneList.size(); i++) {
                int x = x0 + (int) (pw * (i + 0.5) / laneList.size());
                s.append("<text x=\"").append(x).append("\" y=\"").append(y0 + ph + 16)
                        .append("\" text-anchor=\"middle\">").append(laneList.get(i)).append("</text>\n");
            }
            s.append("<text x=\"").append(x0 + pw / 2).append("\" y=\"").append(y0 + ph + 34)
                    .append("\" text-anchor=\"middle\">lanes</text>\n");
            int series = 0;
            for (int f : inFlights) {
                String color = EndToEndBenchmark.Svg.COLORS[series % EndToEndBenchmark.Svg.COLORS.length];
                // a small offset per series keeps the bars of one lane count apart
                int dx = (series - (inFlights.size() - 1) / 2) * 6;
                StringBuilder pts = new StringBuilder();
                for (int i = 0; i < laneList.size(); i++) {
                    for (Row r : rows) {
                        Point p = r.point;
                        if (p.bulkActions == bulk && p.lanes == laneList.get(i) && p.inFlight == f) {
                            Stats st = r.stats();
                            int x = x0 + (int) (pw * (i + 0.5) / laneList.size()) + dx;
                            int y = y0 + ph - (int) (ph * st.median / top);
                            int yLow = y0 + ph - (int) (ph * st.min / top);
                            int yHigh = y0 + ph - (int) (ph * st.max / top);
                            pts.append(x).append(',').append(y).append(' ');
                            s.append("<line x1=\"").append(x).append("\" y1=\"").append(yLow).append("\" x2=\"")
                                    .append(x).append("\" y2=\"").append(yHigh).append("\" stroke=\"").append(color)
                                    .append("\"/>");
                            s.append("<circle cx=\"").append(x).append("\" cy=\"").append(y)
                                    .append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
                        }
                    }
                }
                s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color)
                        .append("\" points=\"").append(pts.toString().trim()).append("\"/>\n");
                series++;
            }
            x0 += pw + gap;
        }
        int series = 0;
        for (int f : inFlights) {
            int x = 70 + series * 170;
            String color = EndToEndBenchmark.Svg.COLORS[series % EndToEndBenchmark.Svg.COLORS.length];
            s.append("<line x1=\"").append(x).append("\" y1=\"").append(h - 20).append("\" x2=\"").append(x + 20)
                    .append("\" y2=\"").append(h - 20).append("\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"/>")
                    .append("<text x=\"").append(x + 25).append("\" y=\"").append(h - 16).append("\">")
                    .append(f).append(f == 1 ? " request" : " requests").append(" in flight</text>\n");
            series++;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
