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
 * acknowledged and verified, and the documents of the chunk in progress (written before its creates
 * are sent, so that a restart verifies them even if their rows are gone by then).
 *
 * <p>Key values are numbers or strings (what {@link #toJson()} keeps); other key types are not
 * supported yet.
 *
 * @param lastKey the primary-key values of the last done chunk's last row, in key order; null when
 *     no chunk is done
 * @param pending the documents of the chunk in progress with their rows' keys; empty between chunks
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

    /** As JSON: {@code {"lastKey":[...]|null,"pending":[{"key":[...],"index":..,"id":..,"routing":..}],"finished":b}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        if (lastKey == null) {
            root.putNull("lastKey");
        } else {
            writeKey(root.putArray("lastKey"), lastKey);
        }
        ArrayNode p = root.putArray("pending");
        for (Pending d : pending) {
            ObjectNode o = p.addObject();
            writeKey(o.putArray("key"), d.key());
            o.put("index", d.ref().index());
            o.put("id", d.ref().id());
            if (d.ref().routing() != null) {
                o.put("routing", d.ref().routing());
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
            for (JsonNode o : root.path("pending")) {
                JsonNode routing = o.get("routing");
                pending.add(new Pending(readKey(o.get("key")), new DocumentRef(o.get("index").asText(),
                        o.get("id").asText(), routing == null || routing.isNull() ? null : routing.asText())));
            }
            return new Checkpoint(lastKey, pending, root.path("finished").asBoolean(false));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a backfill checkpoint: " + e.getMessage(), e);
        }
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
