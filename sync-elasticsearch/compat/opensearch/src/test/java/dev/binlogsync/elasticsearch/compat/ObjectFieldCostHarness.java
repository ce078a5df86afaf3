package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.ObjectFields;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What writing object fields through the painless script costs against Elasticsearch's
 * {@code doc}: the same upserts of 10-field documents with one object field, into documents that
 * exist, once as a {@code doc} ({@link ObjectFields#MERGE}) and once as the script
 * ({@link ObjectFields#REPLACE}), on the in-process OpenSearch 2.19 node (the in-process
 * Elasticsearch 8.19 has no painless); then the same upserts again, which change nothing (noop).
 * Each path writes into a fresh 1-shard index loaded with {@code index} first; rounds alternate
 * which path goes first, after a discarded warm-up round. Bulks of {@code batch} actions, one in
 * flight. Also prints the NDJSON bytes per action of both forms.
 *
 * <p>Args (all optional): {@code docs=20000 batch=1000 rounds=3}. See BENCHMARKS.md for the command.
 */
public final class ObjectFieldCostHarness {

    private ObjectFieldCostHarness() {
    }

    static int intArg(String[] args, String name, int def) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return def;
    }

    static Map<String, Object> document(long id, boolean changed) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("customer", "customer-" + (id % 997));
        d.put("status", changed ? "PAID" : "NEW");
        d.put("total", 10.5 + id % 100);
        d.put("items", (int) (id % 7));
        d.put("currency", "EUR");
        d.put("created_at", "2026-12-05T07:00:00Z");
        d.put("note", "order note " + id);
        d.put("channel", "web");
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("color", changed ? "blue" : "red");
        if (!changed) {
            attrs.put("size", "L");
        }
        attrs.put("gift", id % 2 == 0);
        d.put("attrs", attrs);
        return d;
    }

    public static void main(String[] args) throws Exception {
        int docs = intArg(args, "docs", 20_000);
        int batch = intArg(args, "batch", 1000);
        int rounds = intArg(args, "rounds", 3);
        System.out.printf(Locale.ROOT, "docs=%d batch=%d rounds=%d java=%s cores=%d%n", docs, batch, rounds,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        List<DocumentAction> sample = List.of(DocumentAction.upsert("i", "1", document(1, true)));
        ByteBuf buf = new ByteBuf(4096);
        new BulkBodyEncoder().encode(sample, buf, false);
        int docBytes = buf.size();
        buf.reset();
        new BulkBodyEncoder().encode(sample, buf, true);
        System.out.printf(Locale.ROOT, "bytes per upsert: doc %d, script %d%n", docBytes, buf.size());

        try (EmbeddedOpenSearch node = new EmbeddedOpenSearch();
                ElasticsearchSink doc = ElasticsearchSink.builder().hosts(node.httpUrl()).objectFields(ObjectFields.MERGE).build();
                ElasticsearchSink script = ElasticsearchSink.builder().hosts(node.httpUrl())
                        .objectFields(ObjectFields.REPLACE).build()) {
            doc.start();
            script.start();
            for (int round = 0; round <= rounds; round++) {
                boolean scriptFirst = round % 2 == 1;
                double[] first = run(scriptFirst ? script : doc, "r" + round + (scriptFirst ? "-script" : "-doc"), docs, batch);
                double[] second = run(scriptFirst ? doc : script, "r" + round + (scriptFirst ? "-doc" : "-script"), docs, batch);
                double[] d = scriptFirst ? second : first;
                double[] s = scriptFirst ? first : second;
                System.out.printf(Locale.ROOT, "%s changing upserts docs/s: doc %.0f, script %.0f (%.0f%%); noop upserts docs/s:"
                        + " doc %.0f, script %.0f (%.0f%%)%n", round == 0 ? "warm-up" : "round " + round,
                        d[0], s[0], 100 * s[0] / d[0], d[1], s[1], 100 * s[1] / d[1]);
            }
        }
    }

    /** Loads the index with {@code index}, then times changing upserts and noop upserts: docs/s of each. */
    private static double[] run(ElasticsearchSink sink, String index, int docs, int batch) {
        send(sink, index, docs, batch, false, true);
        long t0 = System.nanoTime();
        send(sink, index, docs, batch, true, false);
        long t1 = System.nanoTime();
        send(sink, index, docs, batch, true, false);
        long t2 = System.nanoTime();
        return new double[] {docs * 1e9 / (t1 - t0), docs * 1e9 / (t2 - t1)};
    }

    private static void send(ElasticsearchSink sink, String index, int docs, int batch, boolean changed, boolean load) {
        for (int from = 0; from < docs; from += batch) {
            List<DocumentAction> actions = new ArrayList<>(batch);
            for (int i = from; i < Math.min(docs, from + batch); i++) {
                actions.add(load ? DocumentAction.index(index, Integer.toString(i), document(i, false))
                        : DocumentAction.upsert(index, Integer.toString(i), document(i, changed)));
            }
            List<ItemResult> r = sink.execute(actions).toCompletableFuture().orTimeout(120, TimeUnit.SECONDS).join();
            for (ItemResult item : r) {
                if (!item.isDone()) {
                    throw new IllegalStateException(index + ": " + item);
                }
            }
        }
    }
}
