package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every engine setting can be set from a file's {@code settings} section under its builder
 * method's name, has the same effect as the builder method, and is rejected by the file for the
 * same reason (and with the same message) as by the builder.
 */
class ConfigFileSettingsTest {
    private static final String RULES = "\"rules\": [{\"table\": \"t\", \"index\": \"i\"}]";

    /**
     * One setting: its file key, a value in the file and the same value set through the builder,
     * and a value the builder rejects, in the file and in code (null where a file cannot say what
     * code could, e.g. a null policy).
     */
    record Row(String key, String fileValue, Consumer<PipelineSettings.Builder> set, String badFileValue,
            Consumer<PipelineSettings.Builder> setBad) {
        @Override
        public String toString() {
            return key;
        }
    }

    static List<Row> rows() {
        return List.of(
                new Row("onDecodeFailure", "\"dead-letter\"", b -> b.onDecodeFailure(FailurePolicy.DEAD_LETTER),
                        "\"shrug\"", null),
                new Row("onRejected", "\"skip\"", b -> b.onRejected(FailurePolicy.SKIP), "\"shrug\"", null),
                new Row("maxBulkActions", "500", b -> b.maxBulkActions(500), "0", b -> b.maxBulkActions(0)),
                new Row("maxBulkBytes", "\"2mb\"", b -> b.maxBulkBytes(2L << 20), "0", b -> b.maxBulkBytes(0)),
                new Row("flushInterval", "\"250ms\"", b -> b.flushInterval(Duration.ofMillis(250)), "\"0s\"",
                        b -> b.flushInterval(Duration.ZERO)),
                new Row("maxInFlightRequests", "1", b -> b.maxInFlightRequests(1), "0",
                        b -> b.maxInFlightRequests(0)),
                new Row("lanes", "8", b -> b.lanes(8), "0", b -> b.lanes(0)),
                new Row("maxBufferedActions", "5000", b -> b.maxBufferedActions(5000), "0",
                        b -> b.maxBufferedActions(0)),
                new Row("maxBufferedBytes", "\"128mb\"", b -> b.maxBufferedBytes(128L << 20), "0",
                        b -> b.maxBufferedBytes(0)),
                new Row("retryInitialBackoff", "\"50ms\"", b -> b.retryInitialBackoff(Duration.ofMillis(50)),
                        "\"0s\"", b -> b.retryInitialBackoff(Duration.ZERO)),
                new Row("retryMaxBackoff", "\"1m\"", b -> b.retryMaxBackoff(Duration.ofMinutes(1)), "\"0s\"",
                        b -> b.retryMaxBackoff(Duration.ZERO)),
                new Row("maxRetries", "7", b -> b.maxRetries(7), "-1", b -> b.maxRetries(-1)),
                new Row("commitInterval", "\"0s\"", b -> b.commitInterval(Duration.ZERO), "\"PT-1S\"",
                        b -> b.commitInterval(Duration.ofSeconds(-1))),
                new Row("pollTimeout", "\"80ms\"", b -> b.pollTimeout(Duration.ofMillis(80)), "\"0s\"",
                        b -> b.pollTimeout(Duration.ZERO)),
                new Row("drainTimeout", "\"45s\"", b -> b.drainTimeout(Duration.ofSeconds(45)), "\"0s\"",
                        b -> b.drainTimeout(Duration.ZERO)),
                new Row("threadName", "\"orders-sync\"", b -> b.threadName("orders-sync"), "\" \"",
                        b -> b.threadName(" ")),
                new Row("summaryInterval", "\"0s\"", b -> b.summaryInterval(Duration.ZERO), "\"PT-1S\"",
                        b -> b.summaryInterval(Duration.ofSeconds(-1))),
                new Row("stalledAfter", "\"10m\"", b -> b.stalledAfter(Duration.ofMinutes(10)), "\"0s\"",
                        b -> b.stalledAfter(Duration.ZERO)),
                new Row("sinkUnreachableAfter", "\"90s\"", b -> b.sinkUnreachableAfter(Duration.ofSeconds(90)),
                        "\"0s\"", b -> b.sinkUnreachableAfter(Duration.ZERO)));
    }

    private static PipelineDefinition load(String settings) {
        return ConfigLoader.create().fromJson("{" + RULES + ", \"settings\": {" + settings + "}}");
    }

    private static PipelineSettings built(Consumer<PipelineSettings.Builder> set) {
        PipelineSettings.Builder b = PipelineSettings.builder();
        set.accept(b);
        return b.build();
    }

    /** The names of a builder's public methods that set one value. */
    private static Set<String> setters(Class<?> builder) {
        return Arrays.stream(builder.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 1)
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theTableCoversEverySettingOfTheBuilderAndTheFileKnowsEachKey() {
        Set<String> keys = rows().stream().map(Row::key).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(setters(PipelineSettings.Builder.class), keys);
        assertEquals(keys, new TreeSet<>(SettingsSection.keys()));
    }

    @Test
    void thePipelineBuilderSetsEverySettingUnderTheSameName() throws NoSuchMethodException {
        for (Method m : PipelineSettings.Builder.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 1) {
                assertEquals(SyncPipeline.Builder.class,
                        SyncPipeline.Builder.class.getMethod(m.getName(), m.getParameterTypes()).getReturnType(),
                        m.getName());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachSettingFromAFileEqualsTheSameSettingFromTheBuilderAndRendersBack(Row row) {
        PipelineDefinition fromFile = load("\"" + row.key() + "\": " + row.fileValue());
        PipelineSettings expected = built(row.set());
        assertEquals(expected, fromFile.settings());
        assertEquals(expected, ConfigLoader.create().fromJson(fromFile.toJson()).settings(), fromFile.toJson());
        assertEquals(expected, ConfigLoader.create().fromToml(fromFile.toToml()).settings(), fromFile.toToml());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachSettingIsRejectedByTheFileWithTheBuildersMessage(Row row) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("\"" + row.key() + "\": " + row.badFileValue()));
        assertEquals("settings." + row.key(), e.path());
        if (row.setBad() == null) {
            assertTrue(e.getMessage().contains("must be one of [stop, dead_letter, skip]"), e.getMessage());
        } else {
            IllegalArgumentException inCode = assertThrows(IllegalArgumentException.class,
                    () -> row.setBad().accept(PipelineSettings.builder()));
            assertEquals("settings." + row.key() + ": " + inCode.getMessage(), e.getMessage());
        }
    }

    static Stream<Object[]> contradictions() {
        return Stream.of(
                new Object[] {"\"maxInFlightRequests\": 4, \"lanes\": 2",
                        (Consumer<PipelineSettings.Builder>) b -> b.maxInFlightRequests(4).lanes(2)},
                new Object[] {"\"maxBulkActions\": 1000, \"maxBufferedActions\": 10",
                        (Consumer<PipelineSettings.Builder>) b -> b.maxBulkActions(1000).maxBufferedActions(10)},
                new Object[] {"\"maxBufferedBytes\": \"1kb\"",
                        (Consumer<PipelineSettings.Builder>) b -> b.maxBufferedBytes(1024)},
                new Object[] {"\"retryInitialBackoff\": \"1m\"",
                        (Consumer<PipelineSettings.Builder>) b -> b.retryInitialBackoff(Duration.ofMinutes(1))});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contradictions")
    void settingsThatContradictEachOtherAreRejectedByTheFileWithTheBuildersMessage(String settings,
            Consumer<PipelineSettings.Builder> set) {
        IllegalStateException inCode = assertThrows(IllegalStateException.class, () -> built(set));
        ConfigException e = assertThrows(ConfigException.class, () -> load(settings));
        assertEquals("settings", e.path());
        assertEquals("settings: " + inCode.getMessage(), e.getMessage());
    }

    @Test
    void thePipelineRunsWithEverySettingTheFileGave() {
        StringBuilder all = new StringBuilder();
        PipelineSettings.Builder expected = PipelineSettings.builder();
        for (Row row : rows()) {
            if (row.key().equals("maxInFlightRequests")) {
                continue; // 1 would be fine, but lanes 8 and the default 2 show more
            }
            all.append(all.length() == 0 ? "" : ", ").append('"').append(row.key()).append("\": ")
                    .append(row.fileValue());
            row.set().accept(expected);
        }
        PipelineDefinition definition = load(all.toString());
        assertEquals(expected.build(), definition.settings());
        try (SyncPipeline pipeline = definition.toPipelineBuilder().source(new InMemorySource())
                .sink(new RecordingBulkSink()).deadLetterSink(new RecordingDeadLetterSink()).build()) {
            assertEquals(expected.build(), pipeline.settings());
            assertEquals("orders-sync", pipeline.name());
        }
    }
}
