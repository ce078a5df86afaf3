package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.UntrustedText;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/** Tree helpers shared by the Debezium and Maxwell decoders. */
public final class JsonValues {

    private JsonValues() {
    }

    /** Parses {@code bytes} as one JSON value; malformed input is a {@link DecodeException}. */
    public static JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new DecodeException(what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed JSON in " + what + ": " + UntrustedText.shown(e.getOriginalMessage(), 256)
                    + (e.getLocation() == null ? "" : " at " + e.getLocation().offsetDescription()), e);
        } catch (IOException e) {
            throw new DecodeException("cannot read " + what + ": " + e, e);
        }
    }

    /**
     * The plain Java value of a node: Map, List, String, Boolean, Integer/Long/BigInteger,
     * BigDecimal/Double, or null. A number beyond what a MySQL column can hold
     * ({@link NumberBounds#jsonNumber}) is a {@link DecodeException} saying which number.
     */
    @Nullable
    public static Object toJava(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        switch (node.getNodeType()) {
            case STRING:
                return node.textValue();
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                Number n = node.numberValue();
                if (n instanceof BigDecimal || n instanceof BigInteger) {
                    String problem = NumberBounds.jsonNumber(n);
                    if (problem != null) {
                        throw new DecodeException("number " + NumberBounds.shown(n.toString()) + ": " + problem);
                    }
                }
                return n;
            case OBJECT:
                return toMap(node);
            case ARRAY:
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(toJava(element));
                }
                return list;
            case BINARY:
                return java.util.Base64.getEncoder().encodeToString(((com.fasterxml.jackson.databind.node.BinaryNode) node).binaryValue());
            default:
                return node.asText();
        }
    }

    /** An object node as an ordered map of plain Java values. */
    public static Map<String, Object> toMap(JsonNode object) {
        return putFields(object, new LinkedHashMap<>(Math.max(16, object.size() * 2)));
    }

    /**
     * A row image (a JSON object of columns) as a compact {@link RowMap}: insertion-ordered, equal
     * to the {@code LinkedHashMap} {@link #toMap} builds, without an entry object per column.
     * Nested objects stay {@link #toMap} maps.
     */
    public static RowMap toRow(JsonNode object) {
        return putFields(object, new RowMap(object.size()));
    }

    /**
     * {@link #toRow(JsonNode)}, a value that cannot be converted named as
     * {@code column <qualifier>.<column> in '<part>'}; a column name longer than MySQL allows, or
     * more than 4096 columns, is a {@link DecodeException} ({@link Identifiers}).
     */
    public static RowMap toRow(JsonNode object, String qualifier, String part) {
        RowMap row = new RowMap(object.size());
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            Identifiers.check(e.getKey(), "column");
            Identifiers.checkColumnCount(row.size(), "'" + part + "'");
            row.put(e.getKey(), toJava(e.getValue(), qualifier + "." + e.getKey(), part));
        }
        return row;
    }

    /** {@link #toJava(JsonNode)}, a failure named as {@code column <column> in '<part>'}. */
    @Nullable
    public static Object toJava(JsonNode node, String column, String part) {
        try {
            return toJava(node);
        } catch (DecodeException e) {
            throw new DecodeException("column " + column + " in '" + part + "': " + e.getMessage(), e);
        }
    }

    /** Puts every field of {@code object}, as plain Java values in their order, into {@code target}. */
    private static <M extends Map<String, Object>> M putFields(JsonNode object, M target) {
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            target.put(e.getKey(), toJava(e.getValue()));
        }
        return target;
    }

    /** A required text field. */
    public static String requireText(JsonNode object, String field, String what) {
        JsonNode n = object.get(field);
        if (n == null || n.isNull()) {
            throw new DecodeException("missing '" + field + "' in " + what);
        }
        if (!n.isTextual()) {
            throw new DecodeException("'" + field + "' in " + what + " must be a string, got " + n.getNodeType());
        }
        return n.textValue();
    }
}
