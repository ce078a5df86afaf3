package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * A {@link CheckpointStore} keeping one document per table in an Elasticsearch index (created on
 * first use with one shard, {@code dynamic: false}, the checkpoint as JSON text in the source):
 * {@code {"table": "shop.orders", "checkpoint": "{...}"}}, with the table name as the id.
 *
 * <p>{@link #save} returns once Elasticsearch acknowledged the write (in its translog: durable);
 * {@link #load} is a real-time get. Saves are conditional: a save writes only over the version this
 * store last loaded or saved for the table ({@code if_seq_no}/{@code if_primary_term}; a
 * {@code create} when the load found none), so two backfills of one table cannot overwrite each
 * other's checkpoints unnoticed: the one that lost fails with a {@link SyncException} saying another
 * backfill owns the table. A save without an earlier load of the table in this store loads first. Failures: {@link RetriableSyncException} when the node cannot
 * be reached or answers 429 / 5xx, {@link SyncException} otherwise. Thread-safe. The client is the
 * caller's and is not closed.
 *
 * <p>Made from an {@link ElasticsearchSink} ({@link #of(ElasticsearchSink, String)}), it uses the
 * sink's hosts in order, as the sink does: a load or the index creation that cannot reach a host
 * tries the next at once; a save that cannot reach one fails (retriable; in doubt, so the retry
 * reloads first) and the next request starts at the next host.
 */
public final class ElasticsearchCheckpointStore implements CheckpointStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The hosts' clients, in order; {@link #current} is where requests start. */
    private final List<RestClient> clients;
    private final java.util.concurrent.atomic.AtomicInteger current = new java.util.concurrent.atomic.AtomicInteger();
    private final String index;
    private volatile boolean ensured;
    /** Per table, {seqNo, primaryTerm} of the version last loaded or saved; {-1, -1} when there was none. */
    private final java.util.concurrent.ConcurrentHashMap<String, long[]> versions =
            new java.util.concurrent.ConcurrentHashMap<>();

    private ElasticsearchCheckpointStore(List<RestClient> clients, String index) {
        this.clients = List.copyOf(clients);
        if (this.clients.isEmpty()) {
            throw new IllegalArgumentException("no Elasticsearch client");
        }
        this.index = Objects.requireNonNull(index, "index");
        if (index.isEmpty() || !index.equals(index.toLowerCase(java.util.Locale.ROOT)) || index.contains("/")
                || index.contains(",") || index.contains("*") || index.startsWith("_") || index.startsWith("-")) {
            throw new IllegalArgumentException("not a valid index name: " + UntrustedText.shown(index, 256));
        }
    }

    /**
     * A store in {@code index} (e.g. {@code binlog-sync-backfill}) through {@code client}.
     *
     * @throws IllegalArgumentException if {@code index} is not a valid, lower-case index name
     */
    public static ElasticsearchCheckpointStore of(RestClient client, String index) {
        return new ElasticsearchCheckpointStore(List.of(Objects.requireNonNull(client, "client")), index);
    }

    /**
     * A store in {@code index} through the connections of {@code sink} (each of its hosts, in the
     * sink's order; the sink keeps owning them: the store must not be used after the sink is
     * closed).
     *
     * @throws IllegalArgumentException if {@code index} is not a valid, lower-case index name
     */
    public static ElasticsearchCheckpointStore of(ElasticsearchSink sink, String index) {
        Objects.requireNonNull(sink, "sink");
        return new ElasticsearchCheckpointStore(sink.restClients(), index);
    }

    @Override
    @Nullable
    public Checkpoint load(String table) {
        ensureIndex();
        Request r = new Request("GET", "/" + index + "/_doc/" + id(table));
        r.addParameter("realtime", "true");
        try {
            Response response = performOnAnyHost(r);
            try (InputStream in = response.getEntity().getContent()) {
                JsonNode doc = JSON.readTree(in);
                JsonNode cp = doc.path("_source").get("checkpoint");
                if (!doc.path("found").asBoolean(false)) {
                    versions.put(table, new long[] {-1, -1});
                    return null;
                }
                versions.put(table, new long[] {doc.path("_seq_no").asLong(), doc.path("_primary_term").asLong()});
                if (cp == null || !cp.isTextual()) {
                    return null;
                }
                return Checkpoint.fromJson(cp.textValue());
            }
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                versions.put(table, new long[] {-1, -1});
                return null;
            }
            throw failure("loading the checkpoint of " + table, e);
        } catch (IOException e) {
            throw failure("loading the checkpoint of " + table, e);
        }
    }

    @Override
    public void save(String table, Checkpoint checkpoint) {
        ensureIndex();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("table", table);
        doc.put("checkpoint", checkpoint.toJson());
        long[] version = versions.get(table);
        if (version == null) {
            load(table);
            version = versions.get(table);
        }
        Request r = new Request("PUT", "/" + index + "/_doc/" + id(table));
        if (version[0] < 0) {
            r.addParameter("op_type", "create");
        } else {
            r.addParameter("if_seq_no", Long.toString(version[0]));
            r.addParameter("if_primary_term", Long.toString(version[1]));
        }
        r.setEntity(new StringEntity(doc.toString(), ContentType.APPLICATION_JSON));
        try {
            Response response = performOnCurrentHost(r);
            try (InputStream in = response.getEntity().getContent()) {
                JsonNode answer = JSON.readTree(in);
                versions.put(table, new long[] {answer.path("_seq_no").asLong(), answer.path("_primary_term").asLong()});
            }
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 409) {
                // the version this store knows is gone: forget it, so a new run reloads
                versions.remove(table);
                throw new SyncException("saving the checkpoint of " + UntrustedText.shown(table, 512) + " failed:"
                        + " another backfill saved it meanwhile (it owns the table; run one backfill per table)");
            }
            versions.remove(table);
            throw failure("saving the checkpoint of " + table, e);
        } catch (IOException e) {
            // in doubt: the write may have landed, so the known version is stale; a retry reloads first
            versions.remove(table);
            throw failure("saving the checkpoint of " + table, e);
        }
    }

    private void ensureIndex() {
        if (ensured) {
            return;
        }
        Request r = new Request("PUT", "/" + index);
        r.setEntity(new StringEntity("{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"dynamic\":false}}",
                ContentType.APPLICATION_JSON));
        try {
            performOnAnyHost(r);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 400
                    || !String.valueOf(e.getMessage()).contains("resource_already_exists_exception")) {
                throw failure("creating the checkpoint index " + index, e);
            }
        } catch (IOException e) {
            throw failure("creating the checkpoint index " + index, e);
        }
        ensured = true;
    }

    /**
     * {@code r} on the current host; when it cannot be reached (no answer), the next host becomes
     * current and the failure is thrown: the request may have been applied.
     */
    private Response performOnCurrentHost(Request r) throws IOException {
        int at = current.get();
        try {
            return clients.get(Math.floorMod(at, clients.size())).performRequest(r);
        } catch (ResponseException e) {
            throw e;
        } catch (IOException e) {
            current.compareAndSet(at, at + 1);
            throw e;
        }
    }

    /** {@code r} on each host from the current one until one answers (for requests safe to repeat). */
    private Response performOnAnyHost(Request r) throws IOException {
        IOException last = null;
        for (int i = 0; i < clients.size(); i++) {
            try {
                return performOnCurrentHost(r);
            } catch (ResponseException e) {
                throw e;
            } catch (IOException e) {
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw Objects.requireNonNull(last);
    }

    private static String id(String table) {
        return URLEncoder.encode(table, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static SyncException failure(String what, IOException e) {
        int status = e instanceof ResponseException ? ((ResponseException) e).getResponse().getStatusLine().getStatusCode() : 0;
        String why = UntrustedText.shown(what, 512) + " failed: " + (status == 0 ? Secrets.describe(e) : "HTTP " + status);
        return status == 0 || status == 429 || status >= 500 ? new RetriableSyncException(why, e) : new SyncException(why);
    }
}
