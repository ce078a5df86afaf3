package dev.binlogsync.elasticsearch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.UntrustedText;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of an {@code _mget} request for {@link DocumentRef}s, and the reading of its answer into
 * {@link StoredDocument}s (with {@code _seq_no}, {@code _primary_term} and the {@code _source} as JSON
 * text). Stateless, thread-safe.
 */
public final class MgetCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MgetCodec() {
    }

    /** {@code {"docs":[{"_index":..,"_id":..,"routing":..}, ...]}}. */
    public static byte[] body(List<DocumentRef> refs) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode docs = root.putArray("docs");
        for (DocumentRef r : refs) {
            ObjectNode d = docs.addObject();
            d.put("_index", r.index());
            d.put("_id", r.id());
            if (r.routing() != null) {
                d.put("routing", r.routing());
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an _mget body", e);
        }
    }

    /**
     * Reads the answer to {@link #body}: one result per ref, in order. A document whose index does
     * not exist is not found.
     *
     * @throws RetriableSyncException if an entry carries an error of an overloaded or recovering
     *     cluster ({@link ItemClassifier#retryableType}, e.g. {@code no_shard_available_action_exception}
     *     while a restarted node's shards start): reading again may succeed
     * @throws MalformedBulkResponseException if the answer is not one readable entry per ref, or an
     *     entry carries another error than a missing index
     */
    public static List<StoredDocument> parse(InputStream in, List<DocumentRef> refs) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new MalformedBulkResponseException("_mget response is not readable JSON");
        }
        JsonNode docs = root == null ? null : root.get("docs");
        if (docs == null || !docs.isArray() || docs.size() != refs.size()) {
            throw new MalformedBulkResponseException("_mget response does not hold " + refs.size() + " docs");
        }
        List<StoredDocument> out = new ArrayList<>(refs.size());
        for (int i = 0; i < refs.size(); i++) {
            DocumentRef ref = refs.get(i);
            JsonNode d = docs.get(i);
            JsonNode error = d.get("error");
            if (error != null) {
                String type = error.path("type").asText("");
                if ("index_not_found_exception".equals(type)) {
                    out.add(StoredDocument.missing(ref));
                    continue;
                }
                String why = "_mget of " + UntrustedText.shown(ref.describe(), 256) + " failed: "
                        + UntrustedText.shown(type + ": " + error.path("reason").asText(""), 512);
                if (ItemClassifier.retryableType(type)) {
                    throw new RetriableSyncException(why);
                }
                throw new MalformedBulkResponseException(why);
            }
            if (!ref.id().equals(d.path("_id").asText(null))) {
                throw new MalformedBulkResponseException("_mget response entry " + i + " is not "
                        + UntrustedText.shown(ref.describe(), 256));
            }
            if (!d.path("found").asBoolean(false)) {
                out.add(StoredDocument.missing(ref));
                continue;
            }
            JsonNode seq = d.get("_seq_no");
            JsonNode term = d.get("_primary_term");
            JsonNode source = d.get("_source");
            if (seq == null || !seq.canConvertToLong() || term == null || !term.canConvertToLong() || source == null) {
                throw new MalformedBulkResponseException("_mget response entry " + i + " lacks _seq_no, _primary_term"
                        + " or _source");
            }
            JsonNode routing = d.get("_routing");
            JsonNode version = d.get("_version");
            out.add(new StoredDocument(ref, true, seq.asLong(), term.asLong(), JSON.writeValueAsString(source),
                    routing == null || routing.isNull() ? null : routing.asText(),
                    version != null && version.canConvertToLong() && version.asLong() > 0 ? version.asLong() : 0));
        }
        return out;
    }
}
