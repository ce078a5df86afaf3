package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index or composable index template to create at start when it does not exist yet. Existing
 * ones are left exactly as they are (no update, no merge). Immutable.
 *
 * @param kind index or index template
 * @param name the index or template name
 * @param body the JSON body of the create request ({@code settings}, {@code mappings},
 *     {@code aliases}; for a template also {@code index_patterns} and {@code template})
 */
public record IndexSetup(Kind kind, String name, String body) {
    private static final Logger LOG = LoggerFactory.getLogger(IndexSetup.class);
    /** Most characters of a server's error (status line and body) quoted in an exception. */
    private static final int ERROR_BODY_CHARS = 1024;

    /** What to create. */
    public enum Kind {
        /** {@code PUT /<name>}. */
        INDEX,
        /** {@code PUT /_index_template/<name>} (Elasticsearch 7.8+, OpenSearch 1+). */
        INDEX_TEMPLATE
    }

    public IndexSetup {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
    }

    /**
     * Creates the index or template unless it exists.
     *
     * @return whether it was created
     * @throws RetriableSyncException if the server cannot be reached
     * @throws SyncException if the server rejects the create request (bad settings or mappings), or
     *     answers with a redirect (refused: the sink never follows one); the server's error body is
     *     quoted escaped and capped
     */
    public boolean ensure(RestClient client) {
        String path = kind == Kind.INDEX ? "/" + name : "/_index_template/" + name;
        try {
            Request head = new Request("HEAD", path);
            head.addParameter(RestClient.IGNORE_RESPONSE_CODES_PARAM, "404");
            int status = client.performRequest(head).getStatusLine().getStatusCode();
            if (status == 200) {
                LOG.debug("{} {} exists; left as it is", kind, name);
                return false;
            }
            Request put = new Request("PUT", path);
            put.setEntity(new StringEntity(body, ContentType.create("application/json", StandardCharsets.UTF_8)));
            client.performRequest(put);
            LOG.info("created {} {}", kind == Kind.INDEX ? "index" : "index template", name);
            return true;
        } catch (ResponseException e) {
            String message = e.getMessage();
            if (kind == Kind.INDEX && message != null && message.contains("resource_already_exists_exception")) {
                return false; // created by someone else in between
            }
            // the message carries the server's error body: shown escaped and capped, and the
            // exception holding it whole is not kept as the cause
            throw new SyncException("cannot create " + kind + " " + name + ": "
                    + UntrustedText.shown(message, ERROR_BODY_CHARS));
        } catch (IOException e) {
            throw new RetriableSyncException("cannot reach Elasticsearch to set up " + kind + " " + name + ": "
                    + UntrustedText.shown(e.toString()), e);
        }
    }
}
