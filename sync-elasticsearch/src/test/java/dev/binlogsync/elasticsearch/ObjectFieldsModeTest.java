package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import dev.binlogsync.elasticsearch.FakeHttpServer.Recorded;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Which {@link ObjectFields} mode {@link ElasticsearchSink} takes at {@link ElasticsearchSink#start()}
 * from the configuration and the cluster's {@code GET /_script_language} answer (in the format of
 * Elasticsearch 7.10 and OpenSearch 2.19), and what it then sends: the script or a {@code doc}.
 */
class ObjectFieldsModeTest {

    private static final String ES7_ROOT = "{\"name\":\"n\",\"version\":{\"number\":\"7.10.2\",\"build_flavor\":\"oss\"},"
            + "\"tagline\":\"You Know, for Search\"}";
    private static final String OS_ROOT = "{\"name\":\"n\",\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.19.1\"},"
            + "\"tagline\":\"The OpenSearch Project: https://opensearch.org/\"}";
    private static final String PAINLESS_CONTEXTS = "[\"aggregation_selector\",\"aggs\",\"field\",\"filter\","
            + "\"ingest\",\"score\",\"update\",\"xpack_template\"]";

    private static String languages(String typesAllowed, String painlessContexts) {
        return "{" + (typesAllowed == null ? "" : "\"types_allowed\":" + typesAllowed + ",")
                + "\"language_contexts\":[{\"language\":\"expression\",\"contexts\":[\"aggs\",\"score\"]},"
                + "{\"language\":\"mustache\",\"contexts\":[\"template\"]},"
                + "{\"language\":\"painless\",\"contexts\":" + painlessContexts + "}]}";
    }

    private static Function<Recorded, Answer> server(String root, String scriptLanguages) {
        return r -> {
            if (r.path().endsWith("/_bulk")) {
                long n = r.body().lines().filter(l -> l.startsWith("{\"update\"")).count();
                StringBuilder sb = new StringBuilder("{\"errors\":false,\"items\":[");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append("{\"update\":{\"status\":200,\"result\":\"updated\"}}");
                }
                return new Answer(200, sb.append("]}").toString());
            }
            return new Answer(200, r.path().equals("/_script_language") ? scriptLanguages : root);
        };
    }

    /** Starts a sink on a fake cluster, writes one upsert with an object field; returns the mode and the bulk body. */
    private static String[] startAndWrite(String root, String scriptLanguages, ElasticsearchSink.Builder builder) {
        try (FakeHttpServer server = new FakeHttpServer(server(root, scriptLanguages));
                ElasticsearchSink sink = builder.hosts(server.url()).build()) {
            sink.start();
            List<ItemResult> r = sink.execute(List.of(DocumentAction.upsert("i", "1", Map.of("attrs", Map.of("a", 1)))))
                    .toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
            assertTrue(r.get(0).isDone(), r.toString());
            String bulk = server.requests.stream().filter(q -> q.path().endsWith("/_bulk")).findFirst().orElseThrow().body();
            assertEquals(sink.objectFields() == ObjectFields.REPLACE, sink.replacesObjectFields());
            assertTrue(sink.toString().contains("objectFields=" + sink.objectFields()), sink.toString());
            return new String[] {sink.objectFields().name(), bulk};
        }
    }

    @Test
    void autoWritesTheScriptWhereInlinePainlessMayUpdateOnEs7AndOpenSearch() {
        for (String root : new String[] {ES7_ROOT, OS_ROOT}) {
            String[] r = startAndWrite(root, languages("[\"inline\",\"stored\"]", PAINLESS_CONTEXTS), ElasticsearchSink.builder());
            assertEquals("REPLACE", r[0]);
            assertTrue(r[1].contains("\"script\":{"), r[1]);
        }
    }

    @Test
    void autoMergesWhenTheClusterAllowsOnlyStoredScripts() {
        for (String root : new String[] {ES7_ROOT, OS_ROOT}) {
            String[] r = startAndWrite(root, languages("[\"stored\"]", PAINLESS_CONTEXTS), ElasticsearchSink.builder());
            assertEquals("MERGE", r[0], "script.allowed_types: stored still lists painless");
            assertTrue(r[1].contains("{\"doc\":{\"attrs\":{\"a\":1}},\"doc_as_upsert\":true}"), r[1]);
            assertFalse(r[1].contains("\"script\""), r[1]);
        }
    }

    @Test
    void autoMergesWhenPainlessIsNotAllowedInTheUpdateContext() {
        String[] r = startAndWrite(OS_ROOT, languages("[\"inline\",\"stored\"]", "[\"score\",\"aggs\"]"),
                ElasticsearchSink.builder());
        assertEquals("MERGE", r[0]);
        assertFalse(r[1].contains("\"script\""), r[1]);
    }

    @Test
    void autoMergesWithoutPainlessAndTakesAnAnswerWithoutRestrictionsAsAllowed() {
        String noPainless = "{\"types_allowed\":[\"inline\",\"stored\"],\"language_contexts\":"
                + "[{\"language\":\"expression\",\"contexts\":[\"aggs\"]}]}";
        assertEquals("MERGE", startAndWrite(ES7_ROOT, noPainless, ElasticsearchSink.builder())[0]);
        assertEquals("REPLACE", startAndWrite(ES7_ROOT, "{\"language_contexts\":[{\"language\":\"painless\"}]}",
                ElasticsearchSink.builder())[0], "no types_allowed, no contexts: nothing restricted");
    }

    @Test
    void autoMergesWhenAnIngestPipelineIsSetBecauseItWouldNotRunOnTheScriptsFields() {
        String[] r = startAndWrite(ES7_ROOT, languages("[\"inline\",\"stored\"]", PAINLESS_CONTEXTS),
                ElasticsearchSink.builder().pipeline("enrich"));
        assertEquals("MERGE", r[0]);
        assertFalse(r[1].contains("\"script\""), r[1]);
    }

    @Test
    void replaceWithAnIngestPipelineIsRefusedAtBuild() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ElasticsearchSink.builder()
                .hosts("http://127.0.0.1:9200").objectFields(ObjectFields.REPLACE).pipeline("enrich").build());
        assertTrue(e.getMessage().contains("objectFields(REPLACE)") && e.getMessage().contains("pipeline(enrich)"),
                e.getMessage());
        ElasticsearchSink.builder().hosts("http://127.0.0.1:9200").objectFields(ObjectFields.MERGE).pipeline("enrich")
                .build().close();
    }

    @Test
    void beforeStartTheConfiguredModeIsReported() {
        try (ElasticsearchSink auto = ElasticsearchSink.builder().hosts("http://127.0.0.1:9200").build();
                ElasticsearchSink merge = ElasticsearchSink.builder().hosts("http://127.0.0.1:9200")
                        .objectFields(ObjectFields.MERGE).build()) {
            assertEquals(ObjectFields.AUTO, auto.objectFields());
            assertTrue(auto.replacesObjectFields());
            assertEquals(ObjectFields.MERGE, merge.objectFields());
            assertFalse(merge.replacesObjectFields());
        }
    }
}
