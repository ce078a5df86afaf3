package dev.binlogsync.elasticsearch.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.SyncException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Reads a {@code _bulk} response with Jackson's streaming parser, keeping only each item's status,
 * error type and reason (no tree of a thousand items), and classifies each item with
 * {@link ItemClassifier}. Thread-safe.
 *
 * <p>Works with and without {@code filter_path}; unknown fields are skipped.
 */
public final class BulkResponseParser {

    /** The {@code filter_path} that trims a bulk response to what this parser reads. */
    public static final String FILTER_PATH = "errors,items.*.status,items.*.error";

    private final JsonFactory factory = new JsonFactory();

    /**
     * @param body the response body
     * @param actions the actions of the request, in request order
     * @return one result per action, in order
     * @throws SyncException if the response is malformed or answers a different number of items
     * @throws IOException if reading {@code body} fails
     */
    public List<ItemResult> parse(InputStream body, List<DocumentAction> actions) throws IOException {
        List<ItemResult> results = new ArrayList<>(actions.size());
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SyncException("bulk response is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("items".equals(field) && t == JsonToken.START_ARRAY) {
                    readItems(p, actions, results);
                } else {
                    p.skipChildren();
                }
            }
        }
        if (results.size() != actions.size()) {
            throw new SyncException("bulk response has " + results.size() + " items for " + actions.size() + " actions");
        }
        return results;
    }

    private static void readItems(JsonParser p, List<DocumentAction> actions, List<ItemResult> results) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            // {"index": {...}}: one field naming the operation
            if (p.nextToken() != JsonToken.FIELD_NAME || p.nextToken() != JsonToken.START_OBJECT) {
                throw new SyncException("malformed bulk response item " + results.size());
            }
            int status = 0;
            String type = null;
            String reason = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("status".equals(field)) {
                    status = p.getIntValue();
                } else if ("error".equals(field)) {
                    if (t == JsonToken.START_OBJECT) {
                        String[] typeAndReason = readError(p);
                        type = typeAndReason[0];
                        reason = typeAndReason[1];
                    } else if (t == JsonToken.VALUE_STRING) {
                        reason = p.getText();
                    } else {
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
            p.nextToken(); // END_OBJECT of the item wrapper
            int i = results.size();
            if (i >= actions.size()) {
                throw new SyncException("bulk response has more items than the " + actions.size() + " actions sent");
            }
            results.add(ItemClassifier.classify(actions.get(i), status, type, reason));
        }
    }

    /** Reads {type, reason, caused_by{type, reason}}; returns {type, "reason (caused by type: reason)"}. */
    private static String[] readError(JsonParser p) throws IOException {
        String type = null;
        String reason = null;
        String causeType = null;
        String causeReason = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("type".equals(field) && t == JsonToken.VALUE_STRING) {
                type = p.getText();
            } else if ("reason".equals(field) && t == JsonToken.VALUE_STRING) {
                reason = p.getText();
            } else if ("caused_by".equals(field) && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken ct = p.nextToken();
                    if ("type".equals(f) && ct == JsonToken.VALUE_STRING) {
                        causeType = p.getText();
                    } else if ("reason".equals(f) && ct == JsonToken.VALUE_STRING) {
                        causeReason = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return new String[] {type, withCause(reason, causeType, causeReason)};
    }

    @Nullable
    private static String withCause(@Nullable String reason, @Nullable String causeType, @Nullable String causeReason) {
        if (causeType == null && causeReason == null) {
            return reason;
        }
        return (reason != null ? reason : "") + " (caused by " + causeType + ": " + causeReason + ")";
    }
}
