package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.micrometer.SyncPipelineMeterBinder;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus alerting rules the service ships ({@code src/main/resources/prometheus/binlog-sync-alerts.yml}):
 * promtool accepts them, their promtool unit tests pass and cover every rule (silent, firing,
 * resolved), and every metric they read, and every {@code label="value"} they match on it, is one
 * {@link SyncPipelineMeterBinder} (or, for the backfill's, {@code BackfillMeterBinder}) really exports
 * through Micrometer's Prometheus registry; the same
 * for the dashboard queries of docs/operators-guide.md.
 *
 * <p>Needs promtool on the PATH (Debian's {@code prometheus} package; {@code .ci/run} installs it).
 */
@Timeout(120)
class PrometheusRulesTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path RULES = MODULE.resolve("src/main/resources/prometheus/binlog-sync-alerts.yml");
    private static final Path RULE_TESTS = MODULE.resolve("src/test/resources/prometheus/binlog-sync-alerts-test.yml");
    private static final Path GUIDE = MODULE.resolve("../../docs/operators-guide.md");

    /**
     * Read by a rule but not exported by the binder: the service's gauge of its in-process alert
     * hooks, registered by the service's metrics endpoint, not by {@link SyncPipelineMeterBinder}.
     */
    private static final String SERVICE_ALERT_GAUGE = "binlogsync_alert_active";
    /** Read by a rule but exported by nobody: Prometheus writes it for every scrape target itself. */
    private static final String PROMETHEUS_UP = "up";
    /** The series the rules read that the binder's scrape cannot show, with their labels. */
    private static final Set<String> NOT_FROM_THE_BINDER = Set.of(SERVICE_ALERT_GAUGE, PROMETHEUS_UP);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        promtool("check", "rules", RULES.toString());
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        promtool("test", "rules", RULE_TESTS.toString());
    }

    @Test
    void everyRuleHasAUnitTestWhereItIsSilentThenFiresThenResolves() throws IOException {
        Set<String> alerts = new TreeSet<>(rules().keySet());
        assertFalse(alerts.isEmpty(), "no alerting rule found in " + RULES);
        Set<String> covered = new TreeSet<>();
        for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            // per test (one set of input series): the evaluation times where each alert fires or not
            Map<String, TreeMap<Duration, Boolean>> cases = new LinkedHashMap<>();
            for (JsonNode t : test.path("alert_rule_test")) {
                cases.computeIfAbsent(t.path("alertname").asText(), k -> new TreeMap<>())
                        .put(promDuration(t.path("eval_time").asText()), !t.path("exp_alerts").isEmpty());
            }
            cases.forEach((alert, firing) -> {
                Duration firstFiring = firing.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
                if (firstFiring != null
                        && firing.headMap(firstFiring).containsValue(false)
                        && firing.tailMap(firstFiring).containsValue(false)) {
                    covered.add(alert);
                }
            });
        }
        Set<String> uncovered = new TreeSet<>(alerts);
        uncovered.removeAll(covered);
        assertEquals(Set.of(), uncovered,
                "rules without a promtool test where they are silent, then fire, then are silent again (resolve)");
    }

    @Test
    void promDurationReadsEvaluationTimes() {
        assertEquals(Duration.ofMinutes(19), promDuration("19m"));
        assertEquals(Duration.ofMinutes(90), promDuration("1h30m"));
        assertEquals(Duration.ofSeconds(45), promDuration("45s"));
        assertEquals(Duration.ZERO, promDuration("0m"));
    }

    @Test
    void everyRuleCarriesSeverityAnnotationsAndARunbookAnchorThatExistsInTheGuide() throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : Files.readAllLines(GUIDE, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                anchors.add(githubAnchor(line.replaceFirst("^#+\\s*", "")));
            }
        }
        for (Map.Entry<String, JsonNode> rule : rules().entrySet()) {
            JsonNode r = rule.getValue();
            String name = rule.getKey();
            assertTrue(Set.of("warning", "critical").contains(r.path("labels").path("severity").asText()),
                    name + ": severity label warning or critical");
            assertFalse(r.path("annotations").path("summary").asText().isBlank(), name + ": summary");
            String description = r.path("annotations").path("description").asText();
            assertTrue(description.contains("{{ $labels.pipeline }}") || description.contains("{{ $labels.instance }}"),
                    name + ": the description names the pipeline (or the target): " + description);
            String runbook = r.path("annotations").path("runbook_url").asText();
            Matcher m = Pattern.compile("/docs/operators-guide\\.md#([a-z0-9-]+)$").matcher(runbook);
            assertTrue(m.find(), name + ": runbook_url into docs/operators-guide.md: " + runbook);
            assertTrue(anchors.contains(m.group(1)), name + ": no heading in docs/operators-guide.md has the anchor "
                    + m.group(1));
        }
    }

    @Test
    void everyMetricTheRulesReadIsExportedByTheBinder() throws Exception {
        Set<String> exported = scrape().keySet();
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> rule : rules().entrySet()) {
            String expr = rule.getValue().path("expr").asText();
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), rule.getKey() + ": no metric name found in " + expr);
            for (String name : names) {
                if (!exported.contains(name) && !NOT_FROM_THE_BINDER.contains(name)) {
                    missing.computeIfAbsent(rule.getKey(), k -> new TreeSet<>()).add(name);
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> "metrics the rules read that the binder does not export, by rule: "
                + missing + "; it exports " + new TreeSet<>(exported));
    }

    @Test
    void everyLabelValueTheRulesMatchIsOneTheBinderExports() throws Exception {
        Map<String, Set<String>> scrape = scrape();
        Map<String, Set<String>> wrong = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> rule : rules().entrySet()) {
            Set<String> w = labelMismatches(rule.getValue().path("expr").asText(), scrape);
            if (!w.isEmpty()) {
                wrong.put(rule.getKey(), w);
            }
        }
        assertTrue(wrong.isEmpty(), () -> "label matchers of the rules that select nothing the binder exports, by rule: "
                + wrong + "; it exports " + scrape);
    }

    @Test
    void everyMetricTheGuidesDashboardQueriesReadIsExportedByTheBinder() throws Exception {
        Set<String> exported = scrape().keySet();
        List<String> queries = dashboardQueries();
        assertTrue(queries.size() >= 10, "the guide's \"Dashboard queries\" table was not found: " + queries);
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (String query : queries) {
            for (String name : metricNames(query)) {
                if (!exported.contains(name)) {
                    missing.computeIfAbsent(query, k -> new TreeSet<>()).add(name);
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> "metrics the guide's dashboard queries read that the binder does not"
                + " export, by query: " + missing + "; it exports " + new TreeSet<>(exported));
    }

    @Test
    void everyLabelValueTheGuidesDashboardQueriesMatchIsOneTheBinderExports() throws Exception {
        Map<String, Set<String>> scrape = scrape();
        List<String> queries = dashboardQueries();
        assertTrue(queries.stream().anyMatch(q -> q.contains("=\"")), "no label matcher in the dashboard queries: " + queries);
        Map<String, Set<String>> wrong = new LinkedHashMap<>();
        for (String query : queries) {
            Set<String> w = labelMismatches(query, scrape);
            if (!w.isEmpty()) {
                wrong.put(query, w);
            }
        }
        assertTrue(wrong.isEmpty(), () -> "label matchers of the guide's dashboard queries that select nothing the binder"
                + " exports, by query: " + wrong + "; it exports " + scrape);
    }

    @Test
    void aRenamedLabelOrAChangedValueInARuleIsCaughtAgainstTheRealScrape() throws Exception {
        Map<String, Set<String>> scrape = scrape();
        String latency = rules().get("BinlogSyncLatencyP99High").path("expr").asText();
        String failing = rules().get("BinlogSyncBulkRequestsFailing").path("expr").asText();
        assertEquals(Set.of(), labelMismatches(latency, scrape), latency);
        assertEquals(Set.of(), labelMismatches(failing, scrape), failing);

        assertEquals(Set.of("binlogsync_sync_latency_percentile_seconds{quantile=\"0.99\"}"),
                labelMismatches(latency.replace("phi=", "quantile="), scrape));
        assertEquals(Set.of("binlogsync_sync_latency_percentile_seconds{phi=\"0.95\"}"),
                labelMismatches(latency.replace("\"0.99\"", "\"0.95\""), scrape));
        assertEquals(Set.of("binlogsync_bulk_requests_total{outcome=\"failure\"}"),
                labelMismatches(failing.replace("\"failed\"", "\"failure\""), scrape));
    }

    @Test
    void labelMismatchesChecksEqualityMatchersOnlyAndSkipsSeriesTheBinderDoesNotExport() {
        Map<String, Set<String>> scrape = Map.of(
                "a_total", Set.of("pipeline=\"orders\"", "outcome=\"failed\""),
                "b_seconds", Set.of("pipeline=\"orders\"", "phi=\"0.99\""));
        assertEquals(Set.of(), labelMismatches(
                "rate(a_total{outcome=\"failed\"}[5m]) / b_seconds{phi=\"0.99\", x!=\"y\", z=~\"w|v\"}"
                        + " unless up{job=\"binlog-sync\"} == 0 or binlogsync_alert_active{condition=\"LAG_GROWING\"} > 0",
                scrape));
        assertEquals(Set.of("a_total{outcome=\"completed\"}", "b_seconds{quantile=\"0.99\"}", "c{pipeline=\"orders\"}"),
                labelMismatches("a_total{pipeline=\"orders\",outcome=\"completed\"} + b_seconds{quantile=\"0.99\"}"
                        + " + c{pipeline=\"orders\"}", scrape));
    }

    @Test
    void metricNamesAreTheSeriesAnExpressionSelectsNotItsFunctionsLabelsOrKeywords() {
        assertEquals(Set.of("a_total", "b_records", "c", "up"), metricNames(
                "increase(a_total{outcome=\"failed\", x=~\"y|z\"}[10m]) == 0 and on (pipeline) "
                        + "(max without (phi) (b_records) > 1e3 or c offset 5m > 0) unless up{job=\"sum\"} == bool 0"));
    }

    /** The rules by alert name, in file order. */
    private static Map<String, JsonNode> rules() throws IOException {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                assertFalse(alert.isEmpty(), "a rule without an alert name: " + rule);
                assertNotNull(rule.get("expr"), alert + ": expr");
                rules.put(alert, rule);
            }
        }
        return rules;
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-z]+");
    // possessive, so that "rate(" is skipped whole instead of matching "rat"
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan",
            "group_left", "group_right", "on", "ignoring", "by", "without");

    /**
     * The metric names a PromQL expression selects, by a regex over its text (the rules are PromQL
     * strings in YAML, and no PromQL parser is on the class path): drop strings, label matchers,
     * ranges, grouping clauses and offsets; what remains as an identifier not followed by "(" (a
     * function or aggregation) and not a keyword is a metric name. Enough for the rules' plain
     * expressions; a name spelled as {@code {__name__="x"}} is not seen.
     */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        s = OFFSET.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group().toLowerCase(Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static final Pattern SELECTOR = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern LABEL_MATCHER =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SCRAPED_LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * The equality matchers ({@code label="value"}) of {@code expr}'s selectors that no sample of
     * the selected metric in {@code scrape} carries, as {@code name{label="value"}}: a renamed label
     * or a value the binder never exports selects nothing, and the rule would never fire. Other
     * matchers ({@code !=}, {@code =~}, {@code !~}) and the series of {@link #NOT_FROM_THE_BINDER}
     * are not checked; a metric missing from the scrape fails every equality matcher on it.
     */
    static Set<String> labelMismatches(String expr, Map<String, Set<String>> scrape) {
        Set<String> wrong = new TreeSet<>();
        Matcher selector = SELECTOR.matcher(expr);
        while (selector.find()) {
            String name = selector.group(1);
            if (NOT_FROM_THE_BINDER.contains(name)) {
                continue;
            }
            Matcher m = LABEL_MATCHER.matcher(selector.group(2));
            while (m.find()) {
                String pair = m.group(1) + "=\"" + m.group(3) + "\"";
                if (m.group(2).equals("=") && !scrape.getOrDefault(name, Set.of()).contains(pair)) {
                    wrong.add(name + "{" + pair + "}");
                }
            }
        }
        return wrong;
    }

    /** {@link #scrapeOnce()}, taken once for the class. */
    @Nullable
    private static Map<String, Set<String>> scrape;

    private static synchronized Map<String, Set<String>> scrape() throws Exception {
        if (scrape == null) {
            scrape = scrapeOnce();
        }
        return scrape;
    }

    /**
     * A real Prometheus scrape of a pipeline bound by the binder, after it wrote one document: each
     * sample name with the {@code label="value"} pairs its samples carry.
     */
    private static Map<String, Set<String>> scrapeOnce() throws Exception {
        InMemorySource source = new InMemorySource();
        SyncPipeline pipeline = SyncPipeline.builder()
                .source(source)
                .ruleSet((event, out) -> out.collect(
                        DocumentAction.index("orders", String.valueOf(event.row().get("id")), event.row())))
                .sink(new RecordingBulkSink())
                .threadName("orders")
                .summaryInterval(Duration.ZERO)
                .build();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            new SyncPipelineMeterBinder(pipeline).bindTo(registry);
            // the service also binds a backfill's meters per table
            dev.binlogsync.core.micrometer.BackfillMeterBinder backfill =
                    new dev.binlogsync.core.micrometer.BackfillMeterBinder(pipeline.name());
            backfill.bindTo(registry);
            backfill.tableStarted("shop.orders", dev.binlogsync.core.backfill.Checkpoint.start());
            // and a re-sync's own meters
            new ResyncMeters(pipeline.name(), "orders").bindTo(registry);
            pipeline.start();
            source.append("orders-0", new ChangeEvent("shop", "orders", Operation.INSERT, Map.of("id", 1), Map.of(),
                    List.of("id"), System.currentTimeMillis(), new SourcePosition("orders-0", 0)));
            assertTrue(source.awaitCommitted("orders-0", 0, Duration.ofSeconds(30)), "the record was not committed");
            // the per-partition lag rows exist once the pipeline sampled the source's lag, and are
            // registered while a scrape reads the total: scrape again after the sample, as Prometheus
            // does (each scrape must succeed)
            Await.until(Duration.ofSeconds(30), "a lag sample", () -> !pipeline.metrics().lag().isEmpty());
            Map<String, Set<String>> samples = new TreeMap<>();
            for (int i = 0; i < 4; i++) {
                for (String line : registry.scrape().split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        String[] nameAndRest = line.split("[{ ]", 2);
                        Set<String> labels = samples.computeIfAbsent(nameAndRest[0], k -> new TreeSet<>());
                        int close = line.indexOf('}');
                        if (line.charAt(nameAndRest[0].length()) == '{' && close > 0) {
                            Matcher m = SCRAPED_LABEL.matcher(line.substring(nameAndRest[0].length() + 1, close));
                            while (m.find()) {
                                labels.add(m.group(1) + "=\"" + m.group(2) + "\"");
                            }
                        }
                    }
                }
            }
            return samples;
        } finally {
            pipeline.close(Duration.ofSeconds(10));
            registry.close();
        }
    }

    /** A promtool duration: {@code 19m}, {@code 1h30m}, {@code 45s}, {@code 2d}. */
    static Duration promDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            assertEquals(end, m.start(), "not a duration: " + text);
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        assertTrue(end == text.length() && end > 0, "not a duration: " + text);
        return d;
    }

    /** The PromQL in the query column of docs/operators-guide.md's "Dashboard queries" table. */
    private static List<String> dashboardQueries() throws IOException {
        List<String> queries = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(GUIDE, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                inSection = line.equals("### Dashboard queries");
            } else if (inSection && line.startsWith("| ") && !line.startsWith("| panel") && !line.startsWith("| ---")) {
                String[] cells = line.split(" \\| ");
                Matcher code = Pattern.compile("`([^`]+)`").matcher(cells[cells.length - 1]);
                while (code.find()) {
                    queries.add(code.group(1));
                }
            }
        }
        return queries;
    }

    /** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
    private static String githubAnchor(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    /** Runs promtool with {@code args} and fails with its output unless it exits 0. */
    private static void promtool(String... args) throws Exception {
        Path promtool = onPath("promtool");
        if (promtool == null) {
            fail("promtool is not on the PATH (" + System.getenv("PATH") + "): install Debian's prometheus package"
                    + " (apt-get install prometheus), as .ci/run does");
        }
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(MODULE.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        assertEquals(0, exit, String.join(" ", command) + " failed:\n" + output);
    }

    @Nullable
    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
