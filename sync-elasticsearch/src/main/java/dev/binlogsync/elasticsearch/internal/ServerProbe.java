package dev.binlogsync.elasticsearch.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.elasticsearch.ServerInfo;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out which server the client talks to, once, with blocking requests: {@code GET /} first
 * (version, and {@code version.distribution: opensearch} on OpenSearch); when that is refused
 * (405/404/403: a proxy, missing privileges, or a node without the root action) the local node's
 * info; when that fails too, {@link ServerInfo#UNKNOWN}.
 */
public final class ServerProbe {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProbe.class);
    private static final JsonFactory JSON = new JsonFactory();

    private ServerProbe() {
    }

    /**
     * @throws RetriableSyncException if the server cannot be reached at all
     * @throws SyncException if it refuses the credentials (401), answers with a redirect (3xx, never
     *     followed), the TLS handshake fails, or its certificate does not name the host
     */
    public static ServerInfo detect(RestClient client) {
        String host = host(client);
        try {
            Response root = client.performRequest(new Request("GET", "/"));
            ServerInfo info = parseRoot(root);
            if (info != null) {
                return info;
            }
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 401) {
                throw new SyncException("Elasticsearch refused the credentials (HTTP 401) at " + host);
            }
            if (status >= 300 && status < 400) {
                throw redirectRefused(host, status, "GET /");
            }
            LOG.debug("GET / answered {}; trying the node info", status);
        } catch (IOException e) {
            SSLException tls = sslCause(e);
            if (tls instanceof SSLPeerUnverifiedException) {
                // a certificate for another name: retrying does not heal it, and must not be trusted
                throw new SyncException("the TLS certificate of " + host + " does not name the host it was reached by"
                        + " (host name verification failed; use a host name the certificate names, or a certificate"
                        + " naming this host): " + Secrets.redact(tls.getMessage()), tls);
            }
            if (tls != null) {
                // an untrusted certificate does not heal by retrying
                throw new SyncException("TLS handshake with " + host + " failed (check caCertificate / trustStore"
                        + " and the host name): " + Secrets.describe(tls), tls);
            }
            throw new RetriableSyncException("cannot reach Elasticsearch at " + host + ": "
                    + Secrets.describe(e), e);
        }
        try {
            Request nodes = new Request("GET", "/_nodes/_local");
            nodes.addParameter("filter_path", "nodes.*.version,nodes.*.distribution");
            Response response = client.performRequest(nodes);
            String version = readFirstNodeVersion(response);
            if (version != null) {
                return ServerInfo.of(distributionFromHeader(response), version);
            }
        } catch (ResponseException e) {
            LOG.debug("node info answered {}", e.getResponse().getStatusLine().getStatusCode());
        } catch (IOException | IllegalArgumentException e) {
            LOG.debug("node info not readable", Secrets.loggable(e));
        }
        return ServerInfo.UNKNOWN;
    }

    /**
     * The error for a redirect (3xx): the sink never follows one, since its credentials would go
     * with the request to the {@code Location} (any host, plain http), and a 303 would turn a
     * {@code POST} into a {@code GET} whose answer is not the request's. The {@code Location} is
     * not quoted (it may carry user info).
     */
    public static SyncException redirectRefused(String host, int status, String request) {
        return new SyncException(host + " answered " + request + " with HTTP " + status + " (a redirect), refused:"
                + " redirects are never followed (the credentials would go along, and a redirected bulk is not"
                + " written); set hosts to the address that serves Elasticsearch itself");
    }

    /**
     * Why the cluster cannot run {@link BulkBodyEncoder#SET_FIELDS} (an inline painless script in
     * the update context), from {@code GET /_script_language}; null when it can. The answer of
     * Elasticsearch 7.x-9.x and OpenSearch 2.x is
     * {@code {"types_allowed":["inline","stored"],"language_contexts":[{"language":"painless","contexts":["update",...]},...]}},
     * {@code types_allowed} reflecting {@code script.allowed_types} and each language's
     * {@code contexts} {@code script.allowed_contexts}. Not null only when the answer is read and
     * lists no painless, a {@code types_allowed} without {@code inline}, or painless
     * {@code contexts} without {@code update}; a missing field does not restrict, and an error,
     * another status or an unreadable answer is taken as "can" (a cluster that cannot then answers
     * each scripted item with the reason). Never throws.
     */
    @Nullable
    public static String whyNoInlinePainlessUpdate(RestClient client) {
        try {
            Response response = client.performRequest(new Request("GET", "/_script_language"));
            try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
                return whyNoInlinePainlessUpdate(p);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("script languages not readable; taking inline painless to be allowed", Secrets.loggable(e));
            return null;
        }
    }

    /** {@link #whyNoInlinePainlessUpdate(RestClient)} on a parser at the answer's start. */
    @Nullable
    static String whyNoInlinePainlessUpdate(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        List<String> types = null;
        boolean languagesRead = false;
        boolean painless = false;
        List<String> painlessContexts = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("types_allowed".equals(field) && value == JsonToken.START_ARRAY) {
                types = strings(p);
            } else if ("language_contexts".equals(field) && value == JsonToken.START_ARRAY) {
                languagesRead = true;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    String language = null;
                    List<String> contexts = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        if ("language".equals(name) && t == JsonToken.VALUE_STRING) {
                            language = p.getText();
                        } else if ("contexts".equals(name) && t == JsonToken.START_ARRAY) {
                            contexts = strings(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    if ("painless".equals(language)) {
                        painless = true;
                        painlessContexts = contexts;
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (languagesRead && !painless) {
            return "the cluster has no painless scripting language";
        }
        if (types != null && !types.contains("inline")) {
            return "the cluster allows no inline scripts (script.allowed_types lists " + types + ")";
        }
        if (painlessContexts != null && !painlessContexts.contains("update")) {
            return "the cluster allows painless in no update context (script.allowed_contexts)";
        }
        return null;
    }

    private static List<String> strings(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t == JsonToken.VALUE_STRING) {
                out.add(UntrustedText.shown(p.getText(), 32));
            } else {
                p.skipChildren();
            }
        }
        return out;
    }

    /** The node's address for messages, user info masked. */
    private static String host(RestClient client) {
        List<String> hosts = new ArrayList<>();
        client.getNodes().forEach(n -> hosts.add(Secrets.maskUserInfo(n.getHost().toURI())));
        return hosts.size() == 1 ? hosts.get(0) : hosts.toString();
    }

    /** The TLS failure in {@code e}'s causes (the client wraps a failed host name check in a plain IOException). */
    @Nullable
    private static SSLException sslCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }

    @Nullable
    private static ServerInfo parseRoot(Response response) throws IOException {
        String number = null;
        String distribution = null;
        if (response.getEntity() == null) {
            return null;
        }
        try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("version".equals(field) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken vt = p.nextToken();
                        if ("number".equals(f) && vt == JsonToken.VALUE_STRING) {
                            number = p.getText();
                        } else if ("distribution".equals(f) && vt == JsonToken.VALUE_STRING) {
                            distribution = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            return null; // not Elasticsearch's JSON (a proxy's page, say): try the node info
        }
        if (number == null) {
            return null;
        }
        ServerInfo.Distribution d = "opensearch".equalsIgnoreCase(distribution)
                ? ServerInfo.Distribution.OPENSEARCH : ServerInfo.Distribution.ELASTICSEARCH;
        try {
            return ServerInfo.of(d, number);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Nullable
    private static String readFirstNodeVersion(Response response) throws IOException {
        try (InputStream in = response.getEntity().getContent(); JsonParser p = JSON.createParser(in)) {
            // {"nodes":{"<id>":{"version":"8.19.21"}}}
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME && "version".equals(p.currentName())
                        && p.nextToken() == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
            }
        }
        return null;
    }

    // Elasticsearch 7.14+ marks every response with X-elastic-product; OpenSearch does not.
    private static ServerInfo.Distribution distributionFromHeader(Response response) {
        String h = response.getHeader("X-elastic-product");
        return "Elasticsearch".equalsIgnoreCase(h)
                ? ServerInfo.Distribution.ELASTICSEARCH : ServerInfo.Distribution.UNKNOWN;
    }
}
