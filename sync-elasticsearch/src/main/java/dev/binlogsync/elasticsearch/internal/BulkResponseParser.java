package dev.binlogsync.elasticsearch.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
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
 * <p>Works with and without {@code filter_path}; unknown fields are skipped. Strict about what
 * decides an item's fate: a body that is not a JSON object, is cut short, has fewer or more items
 * than actions, an item that is not {@code {"<action>": {...}}} with exactly the action the request
 * sent ({@code index}, {@code update} or {@code delete}), or an item without a numeric status
 * between 100 and 599, is a {@link MalformedBulkResponseException}: never a success, never a
 * rejection.
 */
public final class BulkResponseParser {

    /** The {@code filter_path} that trims a bulk response to what this parser reads. */
    public static final String FILTER_PATH = "errors,items.*.status,items.*.error";

    private final JsonFactory factory = new JsonFactory();

    /**
     * @param body the response body
     * @param actions the actions of the request, in request order
     * @return one result per action, in order
     * @throws MalformedBulkResponseException if the response cannot be read item by item (see the
     *     class description)
     * @throws IOException if reading {@code body} fails
     */
    public List<ItemResult> parse(InputStream body, List<DocumentAction> actions) throws IOException {
        List<ItemResult> results = new ArrayList<>(actions.size());
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedBulkResponseException("bulk response is not a JSON object");
            }
            boolean items = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("items".equals(field) && t == JsonToken.START_ARRAY && !items) {
                    items = true;
                    readItems(p, actions, results);
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new MalformedBulkResponseException("bulk response is cut short");
            }
        } catch (JsonProcessingException e) {
            // not JSON, or cut short: Jackson's message (which may quote a token of the body) is escaped and capped
            throw new MalformedBulkResponseException("bulk response is not readable JSON: " + e.getOriginalMessage());
        }
        if (results.size() != actions.size()) {
            throw new MalformedBulkResponseException("bulk response has " + results.size() + " items for "
                    + actions.size() + " actions");
        }
        return results;
    }

    /** The key of an item answering {@code action}: what the encoder sent. */
    private static String expectedKey(DocumentAction action) {
        return switch (action.type()) {
            case INDEX -> "index";
            case DELETE -> "delete";
            case CREATE -> "create";
            case UPSERT, UPDATE -> "update";
        };
    }

    private static void readItems(JsonParser p, List<DocumentAction> actions, List<ItemResult> results) throws IOException {
        JsonToken next;
        while ((next = p.nextToken()) == JsonToken.START_OBJECT) {
            int i = results.size();
            if (i >= actions.size()) {
                throw new MalformedBulkResponseException("bulk response has more items than the " + actions.size()
                        + " actions sent");
            }
            // {"index": {...}}: exactly one field, naming the operation the request sent
            String expected = expectedKey(actions.get(i));
            if (p.nextToken() != JsonToken.FIELD_NAME || !expected.equals(p.currentName())
                    || p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedBulkResponseException("bulk response item " + i + " is not {\"" + expected
                        + "\": {...}}");
            }
            int status = -1;
            String type = null;
            String reason = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("status".equals(field)) {
                    if (t != JsonToken.VALUE_NUMBER_INT) {
                        throw new MalformedBulkResponseException("bulk response item " + i + " has a status that is"
                                + " not a number");
                    }
                    status = p.getValueAsInt(-1);
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
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw new MalformedBulkResponseException("bulk response item " + i + " has more than one action key");
            }
            if (status < 100 || status > 599) {
                throw new MalformedBulkResponseException("bulk response item " + i + " has no HTTP status"
                        + (status == -1 ? "" : " (" + status + ")"));
            }
            results.add(ItemClassifier.classify(actions.get(i), status, type, reason));
        }
        if (next != JsonToken.END_ARRAY) {
            throw new MalformedBulkResponseException("bulk response item " + results.size() + " is not an object");
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
