package dev.binlogsync.benchmarks;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.BulkResponseParser;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

/**
 * Bulk-loads N documents into an in-process Elasticsearch 8.19 node twice per round: through
 * {@link ElasticsearchSink} (encoding, response parsing and classification included) and as
 * pre-encoded raw {@code _bulk} bodies sent with the bare REST client (same bytes, same URL
 * parameters, same batch size, same number of requests in flight). Prints both rates and the ratio;
 * the target is a sink rate of at least 90% of the raw rate. Rounds alternate which path goes
 * first, each into a fresh index, after a discarded warm-up round.
 *
 * <p>Args (all optional): {@code docs=200000 batch=1000 inFlight=2 rounds=4}.
 * See BENCHMARKS.md for the command.
 */
public final class SinkThroughputHarness {

    private SinkThroughputHarness() {
    }

    public static void main(String[] args) throws Exception {
        int docs = EndToEndBenchmark.intArg(args, "docs", 200_000);
        int batch = EndToEndBenchmark.intArg(args, "batch", 1000);
        int inFlight = EndToEndBenchmark.intArg(args, "inFlight", 2);
        int rounds = EndToEndBenchmark.intArg(args, "rounds", 4);
        System.out.printf(Locale.ROOT, "docs=%d batch=%d inFlight=%d rounds=%d java=%s cores=%d%n",
                docs, batch, inFlight, rounds, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());

        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("harness").build().start();
                RestClient client = es.newClient();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.httpUrl()).build()) {
            sink.start();
            // warm-up, discarded
            runRaw(client, "warm-raw", Math.min(docs, 50_000), batch, inFlight);
            runSink(client, sink, "warm-sink", Math.min(docs, 50_000), batch, inFlight);

            double rawNanos = 0;
            double sinkNanos = 0;
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long raw;
                long viaSink;
                if (r % 2 == 0) {
                    raw = runRaw(client, "raw-" + r, docs, batch, inFlight);
                    viaSink = runSink(client, sink, "sink-" + r, docs, batch, inFlight);
                } else {
                    viaSink = runSink(client, sink, "sink-" + r, docs, batch, inFlight);
                    raw = runRaw(client, "raw-" + r, docs, batch, inFlight);
                }
                rawNanos += raw;
                sinkNanos += viaSink;
                ratios.add(100.0 * raw / viaSink);
                System.out.printf(Locale.ROOT, "RESULT round %d: raw %,.0f docs/s, sink %,.0f docs/s, sink/raw %.1f%%%n",
                        r, rate(docs, raw), rate(docs, viaSink), 100.0 * raw / viaSink);
            }
            ratios.sort(null);
            double median = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2)
                    : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
            System.out.printf(Locale.ROOT, "RESULT overall: raw %,.0f docs/s, sink %,.0f docs/s, sink/raw %.1f%% (median of rounds %.1f%%)%n",
                    rate((long) docs * rounds, rawNanos), rate((long) docs * rounds, sinkNanos), 100.0 * rawNanos / sinkNanos, median);
        }
    }

    private static double rate(long docs, double nanos) {
        return docs / (nanos / 1e9);
    }

    /** Checks the index holds {@code expected} documents, then deletes it. */
    private static void checkCount(RestClient client, String index, int expected) throws IOException {
        long count = EndToEndBenchmark.count(client, index);
        if (count != expected) {
            throw new IllegalStateException(index + ": expected " + expected + " documents, got " + count);
        }
        EndToEndBenchmark.deleteIndex(client, index);
    }

    private static List<List<DocumentAction>> batches(String index, int docs, int batch) {
        List<DocumentAction> all = SampleDocuments.indexActions(index, docs);
        List<List<DocumentAction>> out = new ArrayList<>();
        for (int i = 0; i < docs; i += batch) {
            out.add(all.subList(i, Math.min(docs, i + batch)));
        }
        return out;
    }

    /** Sends pre-encoded bodies; returns elapsed nanoseconds. */
    private static long runRaw(RestClient client, String index, int docs, int batch, int inFlight) throws Exception {
        EndToEndBenchmark.createIndex(client, index);
        BulkBodyEncoder encoder = new BulkBodyEncoder();
        List<byte[]> bodies = new ArrayList<>();
        // kept reachable during the run so both paths run with the same live heap (the node shares the JVM)
        List<List<DocumentAction>> batches = batches(index, docs, batch);
        for (List<DocumentAction> b : batches) {
            ByteBuf buf = new ByteBuf(256 * 1024);
            encoder.encode(b, buf);
            bodies.add(Arrays.copyOf(buf.array(), buf.size()));
        }
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ContentType ndjson = ContentType.create("application/x-ndjson");
        settle();
        long start = System.nanoTime();
        for (byte[] body : bodies) {
            permits.acquire();
            Request request = new Request("POST", "/_bulk");
            request.addParameter("filter_path", BulkResponseParser.FILTER_PATH);
            request.setEntity(new ByteArrayEntity(body, ndjson));
            client.performRequestAsync(request, new ResponseListener() {
                @Override
                public void onSuccess(Response response) {
                    try {
                        byte[] reply = EntityUtils.toByteArray(response.getEntity());
                        if (!new String(reply, 0, Math.min(reply.length, 20), StandardCharsets.UTF_8).contains("\"errors\":false")) {
                            failure.compareAndSet(null, new IllegalStateException("bulk had errors"));
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        permits.release();
                    }
                }

                @Override
                public void onFailure(Exception e) {
                    failure.compareAndSet(null, e);
                    permits.release();
                }
            });
        }
        permits.acquire(inFlight);
        long elapsed = System.nanoTime() - start;
        permits.release(inFlight);
        if (failure.get() != null || batches.isEmpty()) {
            throw new IllegalStateException("raw run failed", failure.get());
        }
        checkCount(client, index, docs);
        return elapsed;
    }

    /** Sends the actions through the sink; returns elapsed nanoseconds. */
    private static long runSink(RestClient client, ElasticsearchSink sink, String index, int docs, int batch, int inFlight)
            throws Exception {
        EndToEndBenchmark.createIndex(client, index);
        List<List<DocumentAction>> batches = batches(index, docs, batch);
        Semaphore permits = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        settle();
        long start = System.nanoTime();
        for (List<DocumentAction> b : batches) {
            permits.acquire();
            CompletableFuture<List<ItemResult>> f = sink.execute(b).toCompletableFuture();
            f.whenComplete((results, err) -> {
                if (err != null) {
                    failure.compareAndSet(null, err);
                } else if (!results.stream().allMatch(ItemResult::isDone)) {
                    failure.compareAndSet(null, new IllegalStateException("items failed: " + results));
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(inFlight, 10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("sink run did not finish");
        }
        long elapsed = System.nanoTime() - start;
        permits.release(inFlight);
        if (failure.get() != null) {
            throw new IllegalStateException("sink run failed", failure.get());
        }
        checkCount(client, index, docs);
        return elapsed;
    }

    /** Starts each timed run from a collected heap, so one run's garbage is not billed to the next. */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(500);
    }
}
