package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How the backfill tests' stand-ins for the stream write: one request of actions in change order,
 * and, as the pipeline does, retryable items sent again (here: the actions from the first one not
 * done on, in order, so no later change of a document is overtaken), a permanent failure failing the
 * test. A 409 on an upsert racing the backfill's create of the same document is such a retryable item.
 */
final class StandInWrites {
    private static final int ATTEMPTS = 20;

    private StandInWrites() {
    }

    static void apply(BulkSink sink, List<DocumentAction> actions) {
        List<DocumentAction> left = actions;
        for (int attempt = 1; !left.isEmpty(); attempt++) {
            List<ItemResult> results = sink.execute(left).toCompletableFuture().orTimeout(120, TimeUnit.SECONDS).join();
            int first = -1;
            for (int i = 0; i < results.size(); i++) {
                ItemResult r = results.get(i);
                assertNotEquals(ItemResult.Outcome.PERMANENT, r.outcome(), () -> "the stream stand-in's write failed: " + r);
                if (first < 0 && !r.isDone()) {
                    first = i;
                }
            }
            if (first < 0) {
                return;
            }
            if (attempt == ATTEMPTS) {
                fail("the stream stand-in's write still failed after " + ATTEMPTS + " attempts: " + results.get(first));
            }
            left = List.copyOf(left.subList(first, left.size()));
            try {
                Thread.sleep(20L * attempt); // a retry backoff, as the pipeline's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
