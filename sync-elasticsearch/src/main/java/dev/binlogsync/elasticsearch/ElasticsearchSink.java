package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.elasticsearch.internal.BufferPool;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.BulkResponseParser;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import dev.binlogsync.elasticsearch.internal.HostPool;
import dev.binlogsync.elasticsearch.internal.IndexSetup;
import dev.binlogsync.elasticsearch.internal.MalformedBulkResponseException;
import dev.binlogsync.elasticsearch.internal.MgetCodec;
import dev.binlogsync.elasticsearch.internal.ServerProbe;
import dev.binlogsync.elasticsearch.internal.TlsSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.ProtocolException;
import org.apache.http.client.RedirectStrategy;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHeader;
import org.apache.http.protocol.HttpContext;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BulkSink} that writes to Elasticsearch 7.x, 8.x, 9.x or OpenSearch 2.x through the
 * low-level REST client ({@code org.elasticsearch.client:elasticsearch-rest-client}), asynchronously.
 *
 * <pre>{@code
 * ElasticsearchSink sink = ElasticsearchSink.builder()
 *         .hosts("https://es1:9200", "https://es2:9200")
 *         .apiKey(System.getenv("ES_API_KEY"))
 *         .caCertificate(Path.of("/etc/es/http_ca.crt"))
 *         .ensureIndex("orders", "{\"mappings\":{\"properties\":{\"total\":{\"type\":\"scaled_float\",\"scaling_factor\":100}}}}")
 *         .build();
 * }</pre>
 *
 * <p><b>Writes.</b> Each {@link #execute} is one {@code POST /_bulk}, its NDJSON body encoded
 * straight from the actions into a pooled buffer: {@code index} (with {@code version} and
 * {@code version_type} when the action carries an external version), {@code update} with
 * {@code doc} and {@code doc_as_upsert: true} for {@link dev.binlogsync.core.ActionType#UPSERT},
 * {@code update} with {@code doc} alone for {@link dev.binlogsync.core.ActionType#UPDATE},
 * {@code delete}; {@code routing} when set; never {@code _type}. An UPSERT or UPDATE whose document
 * has an object as a top-level value is written as an inline painless script that replaces each
 * field whole (a {@code doc} would merge objects key by key and keep a key the new object lacks;
 * a {@link dev.binlogsync.core.PartialObject} is merged key by key), with {@code scripted_upsert}
 * for an UPSERT and no upsert for an UPDATE, {@code noop} when nothing changed; see
 * {@link ObjectFields} and {@link Builder#objectFields} (default {@link ObjectFields#AUTO}: the
 * script unless the sink has an ingest {@link Builder#pipeline} or {@link #start()} finds the
 * cluster does not allow inline painless in the update context; {@link #objectFields()} reports
 * the mode taken). An ingest pipeline does not run on a script's fields: for an index with an
 * {@code index.default_pipeline} or {@code index.final_pipeline}, which the sink cannot see, set
 * {@link ObjectFields#MERGE} (a key an object no longer has then stays). The response is read by a
 * streaming parser, trimmed with {@code filter_path}.
 *
 * <p><b>Results.</b> One {@link ItemResult} per action, in order: success (404 on a delete is a
 * success: already gone); {@code MISSING} for a 404 {@code document_missing_exception} on an
 * {@code UPDATE}; {@code STALE} for a 409 on an externally versioned write; retryable for
 * 429, 5xx, rejected execution, unavailable shards and write blocks; permanent, with the server's
 * error type and reason, for the rest (mapping conflicts, invalid arguments). A whole-request
 * failure completes the stage exceptionally: a {@link RequestInDoubtException} when the node may
 * still apply the request late (a socket timeout, a reset or closed connection, 408 and 5xx, any
 * failure not proven to have happened before sending), carrying {@link Builder#lateWriteFence(Duration)};
 * a plain {@link RetriableSyncException} when nothing of it was or will be applied (429; the
 * connection could not be made to any host); a plain {@link SyncException} for other statuses
 * (401, 403, 404 of a wrong path prefix, ...) and for a redirect (3xx, never followed: see
 * <b>Secrets</b>). A 2xx answer that cannot be read item by item (not JSON, such as a proxy's HTML
 * page; cut short; items missing or extra; an item without a numeric status or without the action
 * key) counts neither as a success nor as a rejection: it is a {@link RequestInDoubtException}
 * (the node may have applied the bulk; resending it is idempotent). A 413 (request too large) splits the bulk into halves,
 * sent one after the other (so order holds), recursively; a single action the server still finds
 * too large is a permanent failure of that action.
 *
 * <p><b>Hosts.</b> Each host has a REST client of its own with that single node, so the client
 * never re-sends a request to another host by itself (a multi-node client re-sends after any I/O
 * failure and after 502/503/504, which can apply a bulk twice, the first copy late, after a newer
 * write). The sink picks the host for each request (round robin, avoiding a host that failed for
 * 1 s, doubling up to 60 s), and moves a request to the next host only when the connection could not
 * be made (refused, connect timeout, unknown host, no route, TLS handshake refused): then nothing
 * was sent. Every other failure goes back to the pipeline, which retries the same bulk and fences
 * its documents (see {@link RequestInDoubtException}).
 *
 * <p><b>Lifecycle.</b> {@link #start()} once (detects the server, see {@link #serverInfo()}, and
 * creates missing indices and templates), then {@link #execute} from any thread, any number of
 * bulks in flight, then {@link #close()}, which closes the REST clients if the sink built them (a
 * client given to {@link Builder#client(RestClient)} is left open) and cancels requests still in
 * flight. {@link #execute} before {@link #start()} or after {@link #close()} throws
 * {@link IllegalStateException}.
 *
 * <p><b>Threading.</b> Thread-safe. Result stages complete on the REST client's I/O threads.
 *
 * <p><b>Logging.</b> At TRACE each bulk request's parameters and NDJSON payload and each bulk
 * response's status and body, cut at 2048 bytes (the response is then buffered to be logged before
 * it is parsed); never request headers.
 *
 * <p><b>Secrets</b> (password, API key, bearer token, trust store password) never appear in
 * {@link #toString()}, in log messages or in exceptions. A host URL with user info is refused
 * ({@link Builder#hosts(String...)}). Credentials are sent as a header of every request, so the
 * sink's clients follow no redirect (the header would go to the {@code Location}, another host or
 * plain http, and a 303 would turn {@code POST /_bulk} into a {@code GET}); a 3xx is a
 * non-retriable {@link SyncException} naming the host and the status, never the {@code Location}.
 * {@link Builder#build()} logs a WARN when credentials are set for {@code http://} hosts. Host
 * names are always verified against the certificate (there is no switch to turn that off); a
 * certificate naming another host fails {@link #start()} with a non-retriable {@link SyncException}.
 *
 * <p><b>Untrusted text</b> (the server's error bodies and item reasons, which may quote row values;
 * index names and ids rendered from rows) reaches item results, exceptions and log lines escaped
 * and capped ({@link dev.binlogsync.core.UntrustedText}): an item's reason at 1024 characters, its
 * error type at 128, a whole-request error body at 1024, an index and id at 256. The text of a
 * failure (an error body, a client exception) is also cleaned of credentials
 * ({@link dev.binlogsync.core.Secrets#redact(CharSequence, int)}: URLs cut to their host,
 * secret-named values masked) before it reaches an exception or a log line.
 */
public final class ElasticsearchSink implements BulkSink, DocumentReader {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSink.class);
    /** Most bytes of a bulk payload or response one TRACE line shows. */
    private static final int TRACE_CAP = 2048;
    /** Most characters of a server's error (status line and body) quoted in an exception. */
    private static final int ERROR_BODY_CHARS = 1024;
    /** Most characters of an action's index and id quoted in an exception. */
    private static final int ID_CHARS = 256;
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson");

    /** When written documents become visible to search; for tests. */
    public enum Refresh {
        /** Default: the index's refresh interval decides. */
        NONE,
        /** {@code refresh=wait_for}: the request returns once a refresh made the writes visible. */
        WAIT_FOR,
        /** {@code refresh=true}: refresh the affected shards at once (expensive; tests only). */
        IMMEDIATE
    }

    private enum State { NEW, STARTED, CLOSED }

    private final HostPool hosts;
    private final boolean ownsClient;
    private final Duration lateWriteFence;
    private final Refresh refresh;
    @Nullable private final String pipeline;
    private final List<IndexSetup> setups;
    private final String description;
    private final BulkBodyEncoder encoder = new BulkBodyEncoder();
    private final ObjectFields objectFields;
    /** How object fields are written: the configured mode, then the one {@link #start()} decided. */
    private volatile ObjectFields effectiveObjectFields;
    private final BulkResponseParser parser = new BulkResponseParser();
    private final BufferPool buffers = new BufferPool(8, 64 * 1024, 8 * 1024 * 1024);
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile ServerInfo serverInfo = ServerInfo.UNKNOWN;

    private ElasticsearchSink(Builder b, List<RestClient> clients, boolean ownsClient) {
        this.hosts = new HostPool(clients);
        this.ownsClient = ownsClient;
        this.lateWriteFence = b.lateWriteFence();
        this.refresh = b.refresh;
        this.objectFields = b.objectFields;
        this.effectiveObjectFields = b.objectFields;
        this.pipeline = b.pipeline;
        this.setups = List.copyOf(b.setups);
        this.description = b.toString();
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Detects the server ({@code GET /}, falling back to node info; unknown servers are used with a
     * warning, Elasticsearch 6 and older are refused), then creates the configured indices and
     * templates that do not exist yet. Blocking. Idempotent once it succeeded; may be called again
     * after it failed.
     *
     * @throws RetriableSyncException if the server cannot be reached
     * @throws SyncException if the server is unsupported, refuses the credentials, fails the TLS
     *     handshake, or rejects an index or template definition
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public synchronized void start() {
        State s = state.get();
        if (s == State.CLOSED) {
            throw new IllegalStateException("sink is closed");
        }
        if (s == State.STARTED) {
            return;
        }
        ServerInfo info = onFirstReachable(ServerProbe::detect);
        if (info.distribution() == ServerInfo.Distribution.ELASTICSEARCH && info.major() < 7) {
            throw new SyncException(UntrustedText.shown(info.toString(), 128)
                    + " is not supported: Elasticsearch 7.x, 8.x, 9.x or OpenSearch 2.x needed");
        }
        if (!info.isSupported()) {
            LOG.warn("{} at {} is outside the tested range (Elasticsearch 7.x-9.x, OpenSearch 2.x); continuing",
                    UntrustedText.shown(info.toString(), 128), hosts.describe());
        }
        for (IndexSetup setup : setups) {
            onFirstReachable(c -> {
                setup.ensure(c);
                return null;
            });
        }
        ObjectFields effective = objectFields;
        if (objectFields == ObjectFields.AUTO && pipeline != null) {
            effective = ObjectFields.MERGE;
            LOG.warn("ingest pipeline {} is set: partial writes (upserts, merges) are sent as a doc, which the pipeline"
                    + " transforms (a script's fields would not pass through it), so object fields merge key by key and"
                    + " a key an object no longer has stays in the document (ObjectFields.MERGE)",
                    UntrustedText.shown(pipeline, 128));
        } else if (objectFields == ObjectFields.AUTO) {
            String why = onFirstReachable(ServerProbe::whyNoInlinePainlessUpdate);
            effective = why == null ? ObjectFields.REPLACE : ObjectFields.MERGE;
            if (why != null) {
                LOG.warn("{} at {}: {}; partial writes (upserts, merges) merge object fields key by key, so a key an"
                        + " object no longer has stays in the document and Elasticsearch differs from MySQL"
                        + " (ObjectFields.MERGE; allow inline painless in the update context to replace them whole)",
                        UntrustedText.shown(info.toString(), 128), hosts.describe(), why);
            }
        }
        effectiveObjectFields = effective;
        serverInfo = info;
        state.set(State.STARTED);
        LOG.info("writing to {} with {}", UntrustedText.shown(info.toString(), 128), this);
    }

    /**
     * How object fields of partial writes are written: after {@link #start()} the mode in effect,
     * {@link ObjectFields#REPLACE} or {@link ObjectFields#MERGE} ({@link ObjectFields#AUTO} decided);
     * before, the configured one.
     */
    public ObjectFields objectFields() {
        return effectiveObjectFields;
    }

    /**
     * Whether a partial write replaces object fields whole ({@link #objectFields()} is
     * {@link ObjectFields#REPLACE}); before {@link #start()}, true unless configured
     * {@link ObjectFields#MERGE} or with an ingest pipeline. The pipeline coalesces its buffered
     * writes the same way.
     */
    @Override
    public boolean replacesObjectFields() {
        ObjectFields f = effectiveObjectFields;
        return f == ObjectFields.REPLACE || f == ObjectFields.AUTO && pipeline == null;
    }

    /** Runs a setup call on the hosts in order until one is reachable (these calls are reads or create-if-absent). */
    private <T> T onFirstReachable(Function<RestClient, T> call) {
        RetriableSyncException last = null;
        for (RestClient c : hosts.clients()) {
            try {
                return call.apply(c);
            } catch (RetriableSyncException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The REST clients, one per host in the configured order; for {@link HeartbeatCheck}. */
    List<RestClient> restClients() {
        return hosts.clients();
    }

    /**
     * What {@link #start()} detected; {@link ServerInfo#UNKNOWN} before, or when the server did not
     * say.
     */
    public ServerInfo serverInfo() {
        return serverInfo;
    }

    /** The late-write fence ({@link Builder#lateWriteFence(Duration)}; default twice the socket timeout). */
    @Override
    public Duration lateWriteFence() {
        return lateWriteFence;
    }

    /**
     * Sends {@code actions} as one {@code _bulk} request (or several, after a 413).
     *
     * @param actions non-empty; not modified, and must not be modified until the stage completed
     * @return one result per action in order, or an exceptional completion for a whole-request failure
     * @throws IllegalArgumentException if {@code actions} is empty
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    @Override
    public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
        Objects.requireNonNull(actions, "actions");
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("actions must not be empty");
        }
        State s = state.get();
        if (s != State.STARTED) {
            throw new IllegalStateException(s == State.NEW ? "start() was not called" : "sink is closed");
        }
        return send(actions);
    }

    /**
     * Reads {@code refs} with one real-time {@code _mget}, with their {@code _seq_no},
     * {@code _primary_term}, {@code _source}, {@code _routing} and {@code _version} (see {@link DocumentReader}). A document of a missing
     * index is not found. Any failure completes the stage exceptionally: a
     * {@link RetriableSyncException} when the host could not be reached or answered 429 or 5xx, or a
     * document's entry carries an error of an overloaded or recovering cluster (a shard not yet
     * available after a restart) (reading changes nothing, so the caller may repeat it), a
     * {@link SyncException} otherwise (including another per-document error), naming the first
     * document.
     *
     * @throws IllegalArgumentException if {@code refs} is empty
     * @throws IllegalStateException before {@link #start()} or after {@link #close()}
     */
    @Override
    public CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs) {
        Objects.requireNonNull(refs, "refs");
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("refs must not be empty");
        }
        State s = state.get();
        if (s != State.STARTED) {
            throw new IllegalStateException(s == State.NEW ? "start() was not called" : "sink is closed");
        }
        CompletableFuture<List<StoredDocument>> result = new CompletableFuture<>();
        String what = "_mget of " + refs.size() + " documents (first "
                + UntrustedText.shown(refs.get(0).describe(), ID_CHARS) + ")";
        int host = hosts.pick(new BitSet());
        if (host < 0) {
            result.completeExceptionally(new RetriableSyncException(what + " failed: no host available"));
            return result;
        }
        Request request = new Request("POST", "/_mget");
        request.addParameter("realtime", "true");
        request.setEntity(new ByteArrayEntity(MgetCodec.body(refs), ContentType.APPLICATION_JSON));
        try {
            hosts.client(host).performRequestAsync(request, new ResponseListener() {
                @Override
                public void onSuccess(Response response) {
                    hosts.succeeded(host);
                    try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream()
                            : response.getEntity().getContent()) {
                        result.complete(MgetCodec.parse(in, refs));
                    } catch (RetriableSyncException e) {
                        // a shard not available yet (a node starting): reading again changes nothing
                        result.completeExceptionally(new RetriableSyncException(what + " to " + hostName(host)
                                + " failed: " + e.getMessage(), e));
                    } catch (IOException | RuntimeException e) {
                        result.completeExceptionally(new SyncException(what + " to " + hostName(host) + " failed: "
                                + Secrets.describe(e), e instanceof MalformedBulkResponseException ? e : null));
                    }
                }

                @Override
                public void onFailure(Exception e) {
                    int status = e instanceof ResponseException
                            ? ((ResponseException) e).getResponse().getStatusLine().getStatusCode() : 0;
                    if (status == 0 || status >= 500) {
                        hosts.failed(host);
                    } else {
                        hosts.succeeded(host);
                    }
                    String why = what + " to " + hostName(host) + " failed: "
                            + (status == 0 ? Secrets.describe(e) : "HTTP " + status);
                    result.completeExceptionally(status == 0 || status == 429 || status >= 500
                            ? new RetriableSyncException(why) : new SyncException(why));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new SyncException(what + " cannot be sent: " + Secrets.describe(e), e));
        }
        return result;
    }

    /** The first bytes of a payload for a TRACE line, escaped (row values may hold line breaks) and capped. */
    private static String capped(byte[] bytes, int length) {
        return UntrustedText.shown(Arrays.copyOf(bytes, Math.min(length, TRACE_CAP)), TRACE_CAP)
                + (length > TRACE_CAP ? "...(" + length + " bytes)" : "");
    }

    /** Reads the whole response to log it at TRACE (capped), then hands the bytes to the parser. */
    private static InputStream traced(Response response) throws IOException {
        byte[] bytes = EntityUtils.toByteArray(response.getEntity());
        LOG.trace("bulk response {} in {} bytes: {}", response.getStatusLine().getStatusCode(), bytes.length,
                capped(bytes, bytes.length));
        return new ByteArrayInputStream(bytes);
    }

    private CompletableFuture<List<ItemResult>> send(List<DocumentAction> actions) {
        CompletableFuture<List<ItemResult>> result = new CompletableFuture<>();
        ByteBuf body = buffers.acquire();
        try {
            encoder.encode(actions, body, effectiveObjectFields == ObjectFields.REPLACE);
        } catch (RuntimeException e) {
            buffers.release(body);
            result.completeExceptionally(new SyncException("cannot encode a bulk of " + actions.size()
                    + " actions starting at " + first(actions) + ": " + Secrets.describe(e), e));
            return result;
        }
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", BulkResponseParser.FILTER_PATH);
        if (refresh == Refresh.WAIT_FOR) {
            request.addParameter("refresh", "wait_for");
        } else if (refresh == Refresh.IMMEDIATE) {
            request.addParameter("refresh", "true");
        }
        if (pipeline != null) {
            request.addParameter("pipeline", pipeline);
        }
        request.setEntity(new ByteArrayEntity(body.array(), 0, body.size(), NDJSON));
        int bodySize = body.size();
        boolean trace = LOG.isTraceEnabled();
        if (trace) {
            // the payload only: headers (credentials) are never logged
            LOG.trace("bulk request {}: {} actions, {} bytes: {}", request.getParameters(), actions.size(), bodySize,
                    capped(body.array(), bodySize));
        }
        attempt(request, actions, body, bodySize, trace, new BitSet(), null, result);
        return result;
    }

    /**
     * Sends {@code request} to a host not yet {@code tried}; a failure that proves nothing was sent
     * moves it to the next host, any other failure completes {@code result}.
     */
    private void attempt(Request request, List<DocumentAction> actions, ByteBuf body, int bodySize, boolean trace,
            BitSet tried, @Nullable Exception notSent, CompletableFuture<List<ItemResult>> result) {
        int host = hosts.pick(tried);
        if (host < 0) {
            // no host could be connected to: nothing was sent, so the buffer is free again
            buffers.release(body);
            result.completeExceptionally(new RetriableSyncException("bulk of " + actions.size() + " actions (first "
                    + first(actions) + ") failed: no host could be connected to, nothing was sent: "
                    + (notSent == null ? "null" : Secrets.describe(notSent)), notSent));
            return;
        }
        tried.set(host);
        try {
            hosts.client(host).performRequestAsync(request, new ResponseListener() {
                @Override
                public void onSuccess(Response response) {
                    hosts.succeeded(host);
                    List<ItemResult> items;
                    try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream()
                            : trace ? traced(response) : response.getEntity().getContent()) {
                        items = parser.parse(in, actions);
                    } catch (MalformedBulkResponseException | IOException e) {
                        // a 2xx that cannot be read item by item proves nothing about any document: not a
                        // success, not a rejection; the node may have applied the bulk, and a resend is
                        // idempotent, so the whole request is in doubt
                        result.completeExceptionally(unreadable(actions, host, response, e));
                        return;
                    } catch (RuntimeException e) {
                        result.completeExceptionally(new SyncException(what(actions, host) + "cannot read the bulk"
                                + " response: " + Secrets.describe(e), e));
                        return;
                    } finally {
                        buffers.release(body);
                    }
                    result.complete(items);
                }

                @Override
                public void onFailure(Exception e) {
                    // the buffer goes back to the pool only once a response proves the body was sent;
                    // after an I/O failure the connection may still hold it
                    if (e instanceof ResponseException) {
                        buffers.release(body);
                        int status = ((ResponseException) e).getResponse().getStatusLine().getStatusCode();
                        if (status == 413) {
                            hosts.succeeded(host);
                            split(actions, bodySize).whenComplete((items, err) -> {
                                if (err != null) {
                                    result.completeExceptionally(err);
                                } else {
                                    result.complete(items);
                                }
                            });
                            return;
                        }
                        if (status >= 500) {
                            hosts.failed(host);
                        } else {
                            hosts.succeeded(host);
                        }
                        result.completeExceptionally(requestFailure(actions, host, status, e));
                        return;
                    }
                    hosts.failed(host);
                    if (HostPool.provesNotSent(e)) {
                        LOG.warn("cannot connect to {} ({}); sending the bulk to the next host", hostName(host),
                                Secrets.describe(e));
                        attempt(request, actions, body, bodySize, trace, tried, e, result);
                        return;
                    }
                    result.completeExceptionally(requestFailure(actions, host, 0, e));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new SyncException(what(actions, host) + "cannot send the bulk request: "
                    + Secrets.describe(e), e));
        }
    }

    private CompletableFuture<List<ItemResult>> split(List<DocumentAction> actions, int bodySize) {
        if (actions.size() == 1) {
            return CompletableFuture.completedFuture(List.of(ItemResult.permanent(413, "request_entity_too_large",
                    "the action alone (" + bodySize + " bytes of NDJSON) exceeds the server's http.max_content_length")));
        }
        LOG.warn("bulk of {} actions ({} bytes) is too large for the server (HTTP 413); sending it in two halves"
                + " (lower the pipeline's bulk size limit to avoid this)", actions.size(), bodySize);
        int mid = actions.size() / 2;
        List<DocumentAction> first = actions.subList(0, mid);
        List<DocumentAction> second = actions.subList(mid, actions.size());
        // halves in sequence: the same document may appear in both, and its order must hold
        return send(first).thenCompose(r1 -> send(second).thenApply(r2 -> {
            List<ItemResult> all = new ArrayList<>(r1.size() + r2.size());
            all.addAll(r1);
            all.addAll(r2);
            return all;
        }));
    }

    /** The first action, for messages: index and id come from row values, so escaped and capped. */
    private static String first(List<DocumentAction> actions) {
        return UntrustedText.shown(actions.get(0).describe(), ID_CHARS);
    }

    private String what(List<DocumentAction> actions, int host) {
        return "bulk of " + actions.size() + " actions (first " + first(actions) + ") to " + hostName(host) + " failed: ";
    }

    private String hostName(int host) {
        // a caller's client may have been built from a URL with user info
        return Secrets.maskUserInfo(hosts.client(host).getNodes().get(0).getHost().toURI());
    }

    private RequestInDoubtException unreadable(List<DocumentAction> actions, int host, Response response, Exception e) {
        String problem = e instanceof MalformedBulkResponseException ? e.getMessage()
                : "reading the bulk response failed: " + Secrets.describe(e);
        // the parser's exception is kept (its message is escaped); Jackson's, which may quote the body, is not
        Throwable cause = e instanceof JsonProcessingException ? null : e;
        return new RequestInDoubtException(what(actions, host) + "HTTP " + response.getStatusLine().getStatusCode()
                + " with a response that cannot be read item by item (" + problem + "); the node may have applied it",
                cause, lateWriteFence);
    }

    private Exception requestFailure(List<DocumentAction> actions, int host, int status, Exception cause) {
        String what = what(actions, host);
        if (status == 0) {
            // sent, or not proven unsent: a timeout, a reset or closed connection, the client shutting down
            return new RequestInDoubtException(what + Secrets.describe(cause)
                    + " (the node may still apply it)", cause, lateWriteFence);
        }
        // a ResponseException's message holds the whole error body: it is quoted escaped and capped,
        // and not kept as the cause
        if (status == 429) {
            return new RetriableSyncException(what + "HTTP 429");
        }
        if (status == 408 || status >= 500) {
            // a proxy's 502/503/504 may come while the node still works on the request
            return new RequestInDoubtException(what + "HTTP " + status + " (the node may still apply it)", null,
                    lateWriteFence);
        }
        if (status >= 300 && status < 400) {
            return ServerProbe.redirectRefused(hostName(host), status, "POST /_bulk of " + actions.size()
                    + " actions (first " + first(actions) + ")");
        }
        return new SyncException(what + "HTTP " + status + ": " + Secrets.redact(cause.getMessage(), ERROR_BODY_CHARS));
    }

    /**
     * Closes the REST clients if the sink built them; requests still in flight fail. Idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        if (ownsClient) {
            try {
                hosts.close();
            } catch (IOException e) {
                LOG.warn("closing the Elasticsearch client failed", Secrets.loggable(e));
            }
        }
    }

    /** The configuration, with secrets masked. */
    @Override
    public String toString() {
        ObjectFields f = effectiveObjectFields;
        return "ElasticsearchSink[" + description + (f != objectFields ? ", objectFields=" + f : "") + "]";
    }

    /** Follows no redirect: a 3xx reaches the sink as an error. */
    private enum NoRedirects implements RedirectStrategy {
        INSTANCE;

        @Override
        public boolean isRedirected(HttpRequest request, HttpResponse response, HttpContext context) {
            return false;
        }

        @Override
        public HttpUriRequest getRedirect(HttpRequest request, HttpResponse response, HttpContext context)
                throws ProtocolException {
            throw new ProtocolException("redirects are not followed");
        }
    }

    /**
     * Configures an {@link ElasticsearchSink}. Each setter validates its value at once
     * ({@link IllegalArgumentException} naming it); {@link #build()} checks the combination
     * ({@link IllegalStateException}). Not thread-safe.
     *
     * <p>Either {@link #hosts} (the sink builds and owns one REST client per host) or {@link #client} (the
     * caller's client, used as it is: path prefix, authentication, TLS, timeouts and compression are
     * then the caller's business and may not be set here).
     *
     * <p>Defaults: connect timeout 5 s, socket timeout 60 s, late-write fence twice the socket
     * timeout, no compression, no refresh, no ingest pipeline, no authentication.
     */
    public static final class Builder {
        private static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);
        private final List<HttpHost> hosts = new ArrayList<>();
        @Nullable private RestClient client;
        @Nullable private String pathPrefix;
        @Nullable private String username;
        @Nullable private String password;
        @Nullable private String apiKey;
        @Nullable private String bearerToken;
        @Nullable private Path caCertificate;
        @Nullable private Path trustStore;
        @Nullable private char[] trustStorePassword;
        @Nullable private Duration connectTimeout;
        @Nullable private Duration socketTimeout;
        @Nullable private Duration lateWriteFence;
        private boolean compression;
        private Refresh refresh = Refresh.NONE;
        private ObjectFields objectFields = ObjectFields.AUTO;
        @Nullable private String pipeline;
        private final List<IndexSetup> setups = new ArrayList<>();

        private Builder() {
        }

        /**
         * The cluster's HTTP addresses, e.g. {@code http://localhost:9200} or {@code https://es1:9200};
         * the sink spreads requests over them, avoids a host that failed for a while, and moves a
         * request to another host only when it could not connect (see the class description). Adds
         * to earlier calls.
         *
         * @throws IllegalArgumentException if a URL is not {@code http(s)://host[:port]}, or carries
         *     user info ({@code https://user:password@es:9200}: credentials in a URL end up in logs and
         *     errors; use {@link #basicAuth(String, String)}); the message never quotes such a URL
         */
        public Builder hosts(String... urls) {
            Objects.requireNonNull(urls, "urls");
            for (String url : urls) {
                Objects.requireNonNull(url, "url");
                if (url.indexOf('@') >= 0) {
                    // a host name never holds '@', and a path is refused below: this is user info
                    throw new IllegalArgumentException("host URL must not carry user info (credentials); use"
                            + " basicAuth(username, password), apiKey or bearerToken instead: "
                            + Secrets.MASK + url.substring(url.lastIndexOf('@')));
                }
                if (url.trim().replaceFirst("^[a-zA-Z]+://", "").contains("/")) {
                    throw new IllegalArgumentException("host must not carry a path (use pathPrefix): " + url);
                }
                HttpHost host;
                try {
                    host = HttpHost.create(url.trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("host must be http(s)://host[:port]: " + url, e);
                }
                if (!"http".equals(host.getSchemeName()) && !"https".equals(host.getSchemeName())) {
                    throw new IllegalArgumentException("host scheme must be http or https: " + url);
                }
                if (host.getHostName().isEmpty()) {
                    throw new IllegalArgumentException("host name missing: " + url);
                }
                hosts.add(host.getPort() < 0
                        ? new HttpHost(host.getHostName(), 9200, host.getSchemeName()) : host);
            }
            return this;
        }

        /** The same as {@link #hosts(String...)} with {@link HttpHost}s. */
        public Builder hosts(HttpHost... hosts) {
            Objects.requireNonNull(hosts, "hosts");
            for (HttpHost h : hosts) {
                hosts(Objects.requireNonNull(h, "host").toURI());
            }
            return this;
        }

        /**
         * A prefix for every request path, when Elasticsearch sits behind a proxy at a sub-path,
         * e.g. {@code /elasticsearch}.
         *
         * @throws IllegalArgumentException if it is empty or does not start with {@code /}
         */
        public Builder pathPrefix(String pathPrefix) {
            Objects.requireNonNull(pathPrefix, "pathPrefix");
            if (!pathPrefix.startsWith("/") || pathPrefix.equals("/")) {
                throw new IllegalArgumentException("pathPrefix must start with / and not be / alone: " + pathPrefix);
            }
            this.pathPrefix = RestClientBuilder.cleanPathPrefix(pathPrefix);
            return this;
        }

        /** HTTP basic authentication (sent preemptively). The password is never printed. */
        public Builder basicAuth(String username, String password) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isEmpty()) {
                throw new IllegalArgumentException("username must not be empty");
            }
            if (username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("username must not contain ':': " + username);
            }
            this.username = username;
            this.password = password;
            return this;
        }

        /**
         * An API key in its encoded form (the {@code encoded} value Elasticsearch returned, i.e.
         * base64 of {@code id:key}), sent as {@code Authorization: ApiKey ...}. Never printed.
         */
        public Builder apiKey(String encodedApiKey) {
            Objects.requireNonNull(encodedApiKey, "encodedApiKey");
            if (encodedApiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            this.apiKey = encodedApiKey.trim();
            return this;
        }

        /** An API key as its id and secret; encoded for you. Never printed. */
        public Builder apiKey(String id, String key) {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            if (id.isEmpty() || key.isEmpty()) {
                throw new IllegalArgumentException("apiKey id and key must not be empty");
            }
            return apiKey(Base64.getEncoder().encodeToString((id + ":" + key).getBytes(StandardCharsets.UTF_8)));
        }

        /** A bearer token (OAuth2 / service account token), sent as {@code Authorization: Bearer ...}. Never printed. */
        public Builder bearerToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isBlank()) {
                throw new IllegalArgumentException("bearerToken must not be blank");
            }
            this.bearerToken = token.trim();
            return this;
        }

        /**
         * Trusts the CA certificate(s) in this PEM file for {@code https} hosts (e.g. Elasticsearch
         * 8's {@code config/certs/http_ca.crt}) instead of the JVM's default trust store.
         *
         * @throws IllegalArgumentException if the file is not readable
         */
        public Builder caCertificate(Path pemFile) {
            Objects.requireNonNull(pemFile, "pemFile");
            if (!Files.isReadable(pemFile)) {
                throw new IllegalArgumentException("caCertificate is not a readable file: " + pemFile);
            }
            this.caCertificate = pemFile;
            return this;
        }

        /**
         * Trusts the certificates in this trust store (PKCS12 or JKS) for {@code https} hosts.
         *
         * @param password the store password; copied, never printed
         * @throws IllegalArgumentException if the file is not readable
         */
        public Builder trustStore(Path file, char[] password) {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("trustStore is not a readable file: " + file);
            }
            this.trustStore = file;
            this.trustStorePassword = password.clone();
            return this;
        }

        /** Time to establish a connection; default 5 s. @throws IllegalArgumentException unless {@code > 0} */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positiveMillis("connectTimeout", timeout);
            return this;
        }

        /**
         * Longest silence on a connection while waiting for a response; default 60 s. A bulk that
         * times out fails with a {@link RequestInDoubtException} (see {@link #lateWriteFence(Duration)}).
         * @throws IllegalArgumentException unless {@code > 0}
         */
        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = positiveMillis("socketTimeout", timeout);
            return this;
        }

        /**
         * How long, after a bulk failed in doubt (a socket timeout, a reset after sending, 408 or
         * 5xx: the node may still apply it, since Elasticsearch does not cancel a bulk the client
         * gave up on), newer writes of that bulk's documents wait, counted from the failure; the
         * retry of the bulk itself is not held back. Default: twice {@link #socketTimeout} (2 min
         * with the default socket timeout, and with {@link #client(RestClient)}, whose timeout the
         * sink does not know). A request held in the network longer than this can still be applied
         * after a newer write, unless the writes carry external versions of type
         * {@code EXTERNAL} that grow with every change: then Elasticsearch rejects the late
         * original as a version conflict whatever the fence. Under {@code EXTERNAL_GTE} (the
         * default for a rule's {@code versionColumn}, and always for binlog-time versions) a late
         * original with an equal version is accepted, so the fence still matters. Zero turns the
         * wait off (only for rules whose every write carries a strictly growing
         * {@code EXTERNAL} version).
         *
         * @throws IllegalArgumentException if negative or longer than a day
         */
        public Builder lateWriteFence(Duration fence) {
            Objects.requireNonNull(fence, "lateWriteFence");
            if (fence.isNegative() || fence.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("lateWriteFence must be between 0 and 1 day: " + fence);
            }
            this.lateWriteFence = fence;
            return this;
        }

        /** The fence in effect: set, or twice the socket timeout. */
        Duration lateWriteFence() {
            return lateWriteFence != null ? lateWriteFence
                    : (socketTimeout != null ? socketTimeout : DEFAULT_SOCKET_TIMEOUT).multipliedBy(2);
        }

        /** Gzip request bodies (and accept gzip responses); default off. Saves bandwidth, costs CPU. */
        public Builder compression(boolean enabled) {
            this.compression = enabled;
            return this;
        }

        /** When writes become searchable; default {@link Refresh#NONE}. Meant for tests. */
        public Builder refresh(Refresh refresh) {
            this.refresh = Objects.requireNonNull(refresh, "refresh");
            return this;
        }

        /**
         * How an upsert or update whose document has an object value is written; default
         * {@link ObjectFields#AUTO} (replaced whole by a painless script where the cluster allows
         * inline painless in the update context and no ingest {@link #pipeline} is set). An index
         * with a {@code default_pipeline} or {@code final_pipeline} setting needs
         * {@link ObjectFields#MERGE}: the sink cannot see it, and the script's fields skip it. See
         * {@link ObjectFields}.
         */
        public Builder objectFields(ObjectFields objectFields) {
            this.objectFields = Objects.requireNonNull(objectFields, "objectFields");
            return this;
        }

        /**
         * An ingest pipeline for every document ({@code ?pipeline=}); default none. The pipeline
         * runs on an {@code index} and on a partial write's {@code doc}, not on the fields of the
         * painless script that replaces object fields whole: with a pipeline, {@link ObjectFields#AUTO}
         * writes object fields as a {@code doc} ({@link ObjectFields#MERGE}, logged at WARN) and
         * {@link ObjectFields#REPLACE} is refused by {@link #build()}.
         */
        public Builder pipeline(String pipeline) {
            Objects.requireNonNull(pipeline, "pipeline");
            if (pipeline.isBlank()) {
                throw new IllegalArgumentException("pipeline must not be blank");
            }
            this.pipeline = pipeline;
            return this;
        }

        /**
         * Uses the caller's REST client instead of building one; {@link ElasticsearchSink#close()}
         * leaves it open. Its configuration is the caller's: make sure it follows no redirect
         * ({@code RequestConfig.setRedirectsEnabled(false)}), since a redirect the client follows
         * never reaches the sink. It must have exactly one node (checked in {@link #build()}, and do not add
         * nodes to it later, e.g. with a sniffer): a client with several nodes re-sends a failed
         * bulk to the next node by itself, and the first copy may still be applied after a newer
         * write. For several hosts use {@link #hosts(String...)}.
         */
        public Builder client(RestClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Creates index {@code name} at {@link ElasticsearchSink#start()} if it does not exist, with
         * {@code body} as the create-index request ({@code settings}, {@code mappings},
         * {@code aliases}). An existing index is not touched.
         *
         * @throws IllegalArgumentException if the name is empty or upper-case, or the body is not a JSON object
         */
        public Builder ensureIndex(String name, String body) {
            checkIndexName(name);
            setups.add(new IndexSetup(IndexSetup.Kind.INDEX, name, checkJsonObject("index " + name, body)));
            return this;
        }

        /**
         * Creates composable index template {@code name} at {@link ElasticsearchSink#start()} if it
         * does not exist ({@code PUT _index_template/<name>}; Elasticsearch 7.8+ and OpenSearch), with
         * {@code body} as the request ({@code index_patterns}, {@code template} with settings,
         * mappings and aliases, {@code priority}). An existing template is not touched.
         *
         * @throws IllegalArgumentException if the name is empty or the body is not a JSON object
         */
        public Builder ensureIndexTemplate(String name, String body) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("template name must not be empty");
            }
            setups.add(new IndexSetup(IndexSetup.Kind.INDEX_TEMPLATE, name, checkJsonObject("template " + name, body)));
            return this;
        }

        /**
         * @throws IllegalStateException if {@link ObjectFields#REPLACE} is combined with an ingest
         *     {@link #pipeline}, if neither or both of hosts and client are set, the given client
         *     has more than one node, more than one kind of authentication is set, both a CA certificate and a trust store are set, TLS is
         *     configured without an https host, or client settings are combined with
         *     {@link #client(RestClient)}
         * @throws IllegalArgumentException if the CA certificate or trust store cannot be read
         */
        public ElasticsearchSink build() {
            if (objectFields == ObjectFields.REPLACE && pipeline != null) {
                throw new IllegalStateException("objectFields(REPLACE) and pipeline(" + pipeline + ") exclude each other: an"
                        + " ingest pipeline does not run on a script's fields, so object fields replaced by the script would"
                        + " skip it; use objectFields(MERGE) or AUTO (which merges when a pipeline is set)");
            }
            int auth = (username != null ? 1 : 0) + (apiKey != null ? 1 : 0) + (bearerToken != null ? 1 : 0);
            if (auth > 1) {
                throw new IllegalStateException("choose one of basicAuth, apiKey and bearerToken");
            }
            if (caCertificate != null && trustStore != null) {
                throw new IllegalStateException("choose one of caCertificate and trustStore");
            }
            if (client != null) {
                if (!hosts.isEmpty() || pathPrefix != null || auth > 0 || caCertificate != null || trustStore != null
                        || connectTimeout != null || socketTimeout != null || compression) {
                    throw new IllegalStateException("with client(...) the client's own configuration applies:"
                            + " do not set hosts, pathPrefix, authentication, TLS, timeouts or compression");
                }
                if (client.getNodes().size() != 1) {
                    throw new IllegalStateException("client(...) must have exactly one node, not " + client.getNodes().size()
                            + ": a client with several nodes re-sends a failed bulk to the next node by itself, and the"
                            + " first copy may still be applied after a newer write; use hosts(...) for several hosts");
                }
                return new ElasticsearchSink(this, List.of(client), false);
            }
            if (hosts.isEmpty()) {
                throw new IllegalStateException("set hosts(...) or client(...)");
            }
            boolean https = hosts.stream().anyMatch(h -> "https".equals(h.getSchemeName()));
            if ((caCertificate != null || trustStore != null) && !https) {
                throw new IllegalStateException("caCertificate/trustStore set but no host uses https: " + hosts);
            }
            if (https && hosts.stream().anyMatch(h -> "http".equals(h.getSchemeName()))) {
                throw new IllegalStateException("mixing http and https hosts: " + hosts);
            }
            if (auth > 0 && !https) {
                LOG.warn("{} is sent over plain http to {}: anyone on the network path can read and reuse it;"
                        + " use https hosts", username != null ? "basicAuth" : apiKey != null ? "apiKey" : "bearerToken",
                        hosts);
            }
            SSLContext ssl = caCertificate != null ? TlsSupport.fromCaCertificate(caCertificate)
                    : trustStore != null ? TlsSupport.fromTrustStore(trustStore, trustStorePassword) : null;
            List<RestClient> clients = new ArrayList<>(hosts.size());
            for (HttpHost host : hosts) {
                clients.add(buildClient(host, ssl));
            }
            return new ElasticsearchSink(this, clients, true);
        }

        /** A client with this one node: a multi-node client would re-send failed requests by itself. */
        private RestClient buildClient(HttpHost host, @Nullable SSLContext ssl) {
            RestClientBuilder b = RestClient.builder(host);
            if (pathPrefix != null) {
                b.setPathPrefix(pathPrefix);
            }
            Header authorization = null;
            if (username != null) {
                authorization = new BasicHeader("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
            } else if (apiKey != null) {
                authorization = new BasicHeader("Authorization", "ApiKey " + apiKey);
            } else if (bearerToken != null) {
                authorization = new BasicHeader("Authorization", "Bearer " + bearerToken);
            }
            if (authorization != null) {
                b.setDefaultHeaders(new Header[] {authorization});
            }
            int connectMs = (int) (connectTimeout != null ? connectTimeout : Duration.ofSeconds(5)).toMillis();
            int socketMs = (int) (socketTimeout != null ? socketTimeout : DEFAULT_SOCKET_TIMEOUT).toMillis();
            // redirects are never followed: the client would copy the credentials (a default header)
            // to the Location, any host, plain http too, and turn a POST /_bulk answered 303 into a GET
            // whose answer would be read as the bulk's; a 3xx is an error instead (see requestFailure)
            b.setRequestConfigCallback(rc -> rc.setConnectTimeout(connectMs).setSocketTimeout(socketMs)
                    .setRedirectsEnabled(false));
            b.setHttpClientConfigCallback(hc -> {
                hc.setRedirectStrategy(NoRedirects.INSTANCE);
                if (ssl != null) {
                    hc.setSSLContext(ssl);
                }
                return hc;
            });
            b.setCompressionEnabled(compression);
            return b.build();
        }

        private static Duration positiveMillis(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
                throw new IllegalArgumentException(name + " must be >= 1ms: " + d);
            }
            if (d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " is too long: " + d);
            }
            return d;
        }

        private static void checkIndexName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || name.startsWith("_")
                    || name.startsWith("-") || name.startsWith("+") || name.contains("/") || name.contains(" ")) {
                throw new IllegalArgumentException("not a valid index name: '" + name + "'");
            }
        }

        private static String checkJsonObject(String what, String body) {
            Objects.requireNonNull(body, "body");
            try (JsonParser p = new JsonFactory().createParser(body)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException(what + ": body must be a JSON object: " + body);
                }
                p.skipChildren();
                if (p.nextToken() != null) {
                    throw new IllegalArgumentException(what + ": trailing content after the JSON object");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(what + ": body is not valid JSON: " + e.getMessage(), e);
            }
            return body;
        }

        /** The configuration with secrets masked. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(client != null ? "client=<given>" : "hosts=" + hosts);
            if (pathPrefix != null) {
                sb.append(", pathPrefix=").append(pathPrefix);
            }
            if (username != null) {
                sb.append(", basicAuth=").append(username).append(":****");
            } else if (apiKey != null) {
                sb.append(", apiKey=****");
            } else if (bearerToken != null) {
                sb.append(", bearerToken=****");
            }
            if (caCertificate != null) {
                sb.append(", caCertificate=").append(caCertificate);
            }
            if (trustStore != null) {
                sb.append(", trustStore=").append(trustStore).append(" (password ****)");
            }
            if (connectTimeout != null) {
                sb.append(", connectTimeout=").append(connectTimeout);
            }
            if (socketTimeout != null) {
                sb.append(", socketTimeout=").append(socketTimeout);
            }
            if (lateWriteFence != null) {
                sb.append(", lateWriteFence=").append(lateWriteFence);
            }
            if (compression) {
                sb.append(", compression=gzip");
            }
            if (refresh != Refresh.NONE) {
                sb.append(", refresh=").append(refresh);
            }
            if (pipeline != null) {
                sb.append(", pipeline=").append(pipeline);
            }
            if (objectFields != ObjectFields.AUTO) {
                sb.append(", objectFields=").append(objectFields);
            }
            if (!setups.isEmpty()) {
                List<String> names = new ArrayList<>();
                setups.forEach(s -> names.add(s.name()));
                sb.append(", ensure=").append(names);
            }
            return sb.toString();
        }
    }
}
