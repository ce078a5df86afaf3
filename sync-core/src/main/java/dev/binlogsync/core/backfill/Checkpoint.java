package dev.binlogsync.core.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binlogsync.core.DocumentRef;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * How far the backfill of one table got: the upper key of the last chunk whose creates were
 * acknowledged and verified, and the documents of the chunks in progress (at most two: the chunk
 * whose creates are about to be sent and the one before while it is not verified yet; written
 * before the creates are sent, so that a restart verifies them even if their rows are gone by then).
 *
 * <p>Key values are numbers or strings (what {@link #toJson()} keeps); other key types are not
 * supported yet.
 *
 * @param lastKey the primary-key values of the last done chunk's last row, in key order; null when
 *     no chunk is done
 * @param pending the documents of the chunks in progress with their rows' keys; empty when none is
 * @param finished whether every chunk of the table is done
 */
public record Checkpoint(@Nullable List<Object> lastKey, List<Pending> pending, boolean finished) {

    /** Decimals read as BigDecimal: a key must come back exactly. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /**
     * One document a chunk in progress may have created.
     *
     * @param key its row's primary-key values, in key order
     * @param ref where the document lives
     */
    public record Pending(List<Object> key, DocumentRef ref) {
        public Pending {
            key = List.copyOf(key);
            Objects.requireNonNull(ref, "ref");
        }
    }

    public Checkpoint {
        lastKey = lastKey == null ? null : Collections.unmodifiableList(new ArrayList<>(lastKey));
        pending = List.copyOf(pending);
        if (finished && !pending.isEmpty()) {
            throw new IllegalArgumentException("a finished checkpoint has no pending documents");
        }
    }

    /** Nothing done yet. */
    public static Checkpoint start() {
        return new Checkpoint(null, List.of(), false);
    }

    /**
     * As JSON, in a compact form (a chunk's pending documents are most of a checkpoint's size):
     * {@code {"lastKey":[...]|null,"pending":{"indices":["orders",...],"docs":[[[key...],i],...]},"finished":b}},
     * each pending document as {@code [[key...], i]} (i the position of its index in
     * {@code indices}; its id is the text of its single-column key), {@code [[key...], i, id]}, or
     * {@code [[key...], i, id|null, routing]}. An empty pending chunk is written as
     * {@code "pending":[]}. A pending chunk as an array of objects
     * ({@code [{"key":[...],"index":..,"id":..,"routing":..}]}) is read too.
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        if (lastKey == null) {
            root.putNull("lastKey");
        } else {
            writeKey(root.putArray("lastKey"), lastKey);
        }
        if (pending.isEmpty()) {
            root.putArray("pending");
        } else {
            ObjectNode p = root.putObject("pending");
            ArrayNode indices = p.putArray("indices");
            java.util.Map<String, Integer> indexNumbers = new java.util.HashMap<>();
            ArrayNode docs = p.putArray("docs");
            for (Pending d : pending) {
                ArrayNode o = docs.addArray();
                writeKey(o.addArray(), d.key());
                Integer n = indexNumbers.get(d.ref().index());
                if (n == null) {
                    n = indexNumbers.size();
                    indexNumbers.put(d.ref().index(), n);
                    indices.add(d.ref().index());
                }
                o.add(n);
                boolean idFromKey = idIsKeyText(d.key(), d.ref().id());
                if (d.ref().routing() != null) {
                    if (idFromKey) {
                        o.addNull();
                    } else {
                        o.add(d.ref().id());
                    }
                    o.add(d.ref().routing());
                } else if (!idFromKey) {
                    o.add(d.ref().id());
                }
            }
        }
        root.put("finished", finished);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a checkpoint", e);
        }
    }

    /**
     * Reads {@link #toJson()}'s form. Integral numbers come back as {@code Long} (or
     * {@code BigInteger}), others as {@code BigDecimal}.
     *
     * @throws IllegalArgumentException if {@code json} is not a checkpoint
     */
    public static Checkpoint fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode lk = root.get("lastKey");
            List<Object> lastKey = lk == null || lk.isNull() ? null : readKey(lk);
            List<Pending> pending = new ArrayList<>();
            JsonNode p = root.path("pending");
            if (p.isObject()) {
                JsonNode indices = p.get("indices");
                for (JsonNode o : p.path("docs")) {
                    if (!o.isArray() || o.size() < 2 || o.size() > 4) {
                        throw new IllegalArgumentException("a pending document is not [[key...], index, id, routing]");
                    }
                    List<Object> key = readKey(o.get(0));
                    JsonNode index = indices.get(o.get(1).asInt(-1));
                    if (!o.get(1).isIntegralNumber() || index == null || !index.isTextual()) {
                        throw new IllegalArgumentException("a pending document names no index: " + o.get(1));
                    }
                    JsonNode id = o.get(2);
                    JsonNode routing = o.get(3);
                    String idText;
                    if (id == null || id.isNull()) {
                        if (key.size() != 1) {
                            throw new IllegalArgumentException("a pending document of a composite key has no id");
                        }
                        idText = String.valueOf(key.get(0));
                    } else {
                        idText = id.asText();
                    }
                    pending.add(new Pending(key, new DocumentRef(index.textValue(), idText,
                            routing == null || routing.isNull() ? null : routing.asText())));
                }
            } else {
                for (JsonNode o : p) {
                    JsonNode routing = o.get("routing");
                    pending.add(new Pending(readKey(o.get("key")), new DocumentRef(o.get("index").asText(),
                            o.get("id").asText(), routing == null || routing.isNull() ? null : routing.asText())));
                }
            }
            return new Checkpoint(lastKey, pending, root.path("finished").asBoolean(false));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a backfill checkpoint: " + e.getMessage(), e);
        }
    }

    /** Whether {@code id} is what a single-column key of an integer or a string reads back as. */
    private static boolean idIsKeyText(List<Object> key, String id) {
        if (key.size() != 1) {
            return false;
        }
        Object v = key.get(0);
        return (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger || v instanceof String) && id.equals(String.valueOf(v));
    }

    private static void writeKey(ArrayNode out, List<Object> key) {
        for (Object v : key) {
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.add(((Number) v).longValue());
            } else if (v instanceof BigInteger) {
                out.add((BigInteger) v);
            } else if (v instanceof BigDecimal) {
                out.add((BigDecimal) v);
            } else if (v instanceof String) {
                out.add((String) v);
            } else {
                throw new IllegalArgumentException("key value of type " + (v == null ? "null" : v.getClass().getName())
                        + " cannot be kept in a checkpoint (numbers and strings only)");
            }
        }
    }

    private static List<Object> readKey(JsonNode a) {
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("key is not an array");
        }
        List<Object> out = new ArrayList<>();
        for (JsonNode v : a) {
            if (v.isIntegralNumber()) {
                out.add(v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue());
            } else if (v.isNumber()) {
                out.add(v.decimalValue());
            } else if (v.isTextual()) {
                out.add(v.textValue());
            } else {
                throw new IllegalArgumentException("key value " + v + " is neither a number nor a string");
            }
        }
        return out;
    }
}
