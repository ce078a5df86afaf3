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
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus alerting rules the service ships ({@code src/main/resources/prometheus/binlog-sync-alerts.yml}):
 * promtool accepts them, their promtool unit tests pass and cover every rule, and every metric they
 * read is one {@link SyncPipelineMeterBinder} really exports through Micrometer's Prometheus registry.
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
    void everyRuleHasAUnitTestWhereItFiresAndOneWhereItDoesNot() throws IOException {
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                String alert = t.path("alertname").asText();
                (t.path("exp_alerts").isEmpty() ? silent : firing).add(alert);
            }
        }
        Set<String> alerts = new TreeSet<>(rules().keySet());
        assertFalse(alerts.isEmpty(), "no alerting rule found in " + RULES);
        Set<String> neverFiring = new TreeSet<>(alerts);
        neverFiring.removeAll(firing);
        Set<String> neverSilent = new TreeSet<>(alerts);
        neverSilent.removeAll(silent);
        assertEquals(Set.of(), neverFiring, "rules without a promtool test where they fire");
        assertEquals(Set.of(), neverSilent, "rules without a promtool test where they do not fire");
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
        Set<String> exported = scrapedSampleNames();
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> rule : rules().entrySet()) {
            String expr = rule.getValue().path("expr").asText();
            Set<String> names = metricNames(expr);
            assertFalse(names.isEmpty(), rule.getKey() + ": no metric name found in " + expr);
            for (String name : names) {
                if (!exported.contains(name) && !name.equals(SERVICE_ALERT_GAUGE) && !name.equals(PROMETHEUS_UP)) {
                    missing.computeIfAbsent(rule.getKey(), k -> new TreeSet<>()).add(name);
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> "metrics the rules read that the binder does not export, by rule: "
                + missing + "; it exports " + new TreeSet<>(exported));
    }

    @Test
    void everyMetricTheGuidesDashboardQueriesReadIsExportedByTheBinder() throws Exception {
        Set<String> exported = scrapedSampleNames();
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

    /** The sample names of a real Prometheus scrape of a pipeline bound by the binder, after it wrote one document. */
    private static Set<String> scrapedSampleNames() throws Exception {
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
            pipeline.start();
            source.append("orders-0", new ChangeEvent("shop", "orders", Operation.INSERT, Map.of("id", 1), Map.of(),
                    List.of("id"), System.currentTimeMillis(), new SourcePosition("orders-0", 0)));
            assertTrue(source.awaitCommitted("orders-0", 0, Duration.ofSeconds(30)), "the record was not committed");
            // the per-partition lag rows exist once the pipeline sampled the source's lag, and are
            // registered while a scrape reads the total: scrape again after the sample, as Prometheus
            // does (each scrape must succeed)
            Await.until(Duration.ofSeconds(30), "a lag sample", () -> !pipeline.metrics().lag().isEmpty());
            Set<String> names = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                for (String line : registry.scrape().split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        names.add(line.split("[{ ]", 2)[0]);
                    }
                }
            }
            return names;
        } finally {
            pipeline.close(Duration.ofSeconds(10));
            registry.close();
        }
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
