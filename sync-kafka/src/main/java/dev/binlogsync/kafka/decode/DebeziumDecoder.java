package dev.binlogsync.kafka.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.internal.RowMap;
import dev.binlogsync.kafka.internal.JsonValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Decodes Debezium MySQL change events written with the Kafka Connect JSON converter, with
 * ({@code schemas.enable=true}: {@code {"schema":..,"payload":..}}) or without the schema envelope.
 *
 * <ul>
 *   <li>{@code op} {@code c} (create) and {@code r} (snapshot read) become {@link Operation#INSERT}
 *       with {@code after} as the row; {@code u} becomes {@link Operation#UPDATE} with {@code after}
 *       as the row and, as {@link ChangeEvent#oldValues()}, the {@code before} values of the columns
 *       whose value changed (empty when {@code before} is null); {@code d} becomes
 *       {@link Operation#DELETE} with {@code before} as the row.</li>
 *   <li>A tombstone (null value, or a null payload) yields no events.</li>
 *   <li>{@code t} (truncate) cannot be applied row by row and is a {@link DecodeException}, as is
 *       any other {@code op}; so is a missing {@code source.db} / {@code source.table}.</li>
 *   <li>{@link ChangeEvent#database()} / {@link ChangeEvent#table()} come from {@code source.db} /
 *       {@code source.table}; {@link ChangeEvent#eventTimeMillis()} from {@code source.ts_ms}
 *       (the binlog time), else the envelope's {@code ts_ms}.</li>
 *   <li>{@link ChangeEvent#primaryKeys()} are the field names of the record key (Debezium keys by
 *       primary key), in key order; empty for a null key.</li>
 *   <li>Values keep their JSON types (numbers with a fraction as exact {@code BigDecimal}). With the
 *       schema envelope, {@code org.apache.kafka.connect.data.Decimal} columns (base64 bytes under
 *       {@code decimal.handling.mode=precise}) are decoded to {@code BigDecimal} with the schema's
 *       {@code scale}, and {@code io.debezium.data.VariableScaleDecimal} structs likewise. Without
 *       schemas such a column cannot be recognised and stays a base64 string: use
 *       {@code decimal.handling.mode=string} or enable schemas. Temporal columns stay as Debezium
 *       encodes them (e.g. epoch days / millis / micros numbers, or ISO strings).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class DebeziumDecoder implements MessageDecoder {

    private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
    private static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";

    /** A decoder; it has no settings. */
    public static DebeziumDecoder create() {
        return new DebeziumDecoder();
    }

    private DebeziumDecoder() {
    }

    @Override
    public List<ChangeEvent> decode(@Nullable byte[] key, @Nullable byte[] value, SourcePosition position) {
        Objects.requireNonNull(position, "position");
        if (value == null) {
            return List.of(); // tombstone after a delete: only for log compaction
        }
        JsonNode root = JsonValues.parse(value, "the record value");
        if (root.isNull()) {
            return List.of();
        }
        if (!root.isObject()) {
            throw new DecodeException("a Debezium record value must be a JSON object, got " + root.getNodeType());
        }
        JsonNode payload = root;
        Map<String, JsonNode> decimalFields = Map.of();
        if (root.has("payload") && root.has("schema")) {
            payload = root.get("payload");
            if (payload == null || payload.isNull()) {
                return List.of();
            }
            decimalFields = decimalFields(root.get("schema"));
        }
        String op = JsonValues.requireText(payload, "op", "the Debezium payload");
        JsonNode source = payload.get("source");
        if (source == null || !source.isObject()) {
            throw new DecodeException("missing 'source' in the Debezium payload (op " + op + ")");
        }
        String db = JsonValues.requireText(source, "db", "'source'");
        String table = JsonValues.requireText(source, "table", "'source'");
        long time = source.path("ts_ms").asLong(payload.path("ts_ms").asLong(0L));
        List<String> pks = primaryKeys(key);

        Operation operation;
        RowMap row;
        Map<String, Object> old = Map.of();
        switch (op) {
            case "c":
            case "r":
                operation = Operation.INSERT;
                row = image(payload, "after", decimalFields, db, table, op);
                break;
            case "u":
                operation = Operation.UPDATE;
                row = image(payload, "after", decimalFields, db, table, op);
                JsonNode beforeNode = payload.get("before");
                if (beforeNode != null && !beforeNode.isNull()) {
                    RowMap before = image(payload, "before", decimalFields, db, table, op);
                    old = changed(before, row);
                }
                break;
            case "d":
                operation = Operation.DELETE;
                row = image(payload, "before", decimalFields, db, table, op);
                break;
            case "t":
                throw new DecodeException("op 't' (truncate of " + db + "." + table + ") cannot be applied row by row");
            default:
                throw new DecodeException("unknown op '" + op + "' on " + db + "." + table + " (expected c, u, d or r)");
        }
        return Collections.singletonList(new ChangeEvent(db, table, operation, row, old, pks, time, position));
    }

    /**
     * The columns of {@code before} whose value differs in {@code after}. Both images list their
     * columns in the same order, so each is compared by position, and looked up by name only
     * when the positions do not match (a linear lookup in a row).
     */
    private static Map<String, Object> changed(RowMap before, RowMap after) {
        RowMap old = new RowMap(4);
        for (int i = 0, n = before.size(); i < n; i++) {
            String column = before.keyAt(i);
            Object now = i < after.size() && column.equals(after.keyAt(i)) ? after.valueAt(i) : after.get(column);
            if (!Objects.equals(before.valueAt(i), now)) {
                old.put(column, before.valueAt(i));
            }
        }
        return old;
    }

    private static RowMap image(JsonNode payload, String field, Map<String, JsonNode> decimals,
            String db, String table, String op) {
        JsonNode node = payload.get(field);
        if (node == null || !node.isObject()) {
            throw new DecodeException("missing '" + field + "' in a Debezium op '" + op + "' on " + db + "." + table);
        }
        RowMap row = new RowMap(node.size());
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode schema = decimals.get(e.getKey());
            row.put(e.getKey(), schema == null ? JsonValues.toJava(e.getValue())
                    : decimal(e.getKey(), e.getValue(), schema, db, table));
        }
        return row;
    }

    @Nullable
    private static BigDecimal decimal(String column, JsonNode value, JsonNode schema, String db, String table) {
        if (value.isNull()) {
            return null;
        }
        try {
            if (VARIABLE_SCALE_DECIMAL.equals(schema.path("name").asText())) {
                int scale = value.path("scale").asInt();
                return new BigDecimal(new BigInteger(Base64.getDecoder().decode(value.path("value").asText())), scale);
            }
            if (value.isNumber()) {
                return value.decimalValue();
            }
            int scale = Integer.parseInt(schema.path("parameters").path("scale").asText("0"));
            return new BigDecimal(new BigInteger(Base64.getDecoder().decode(value.asText())), scale);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("column " + db + "." + table + "." + column
                    + ": not a Connect decimal (base64 unscaled bytes): '" + value + "'", e);
        }
    }

    /** Column name to field schema, for the decimal columns of the before/after structs. */
    private static Map<String, JsonNode> decimalFields(@Nullable JsonNode schema) {
        if (schema == null || !schema.path("fields").isArray()) {
            return Map.of();
        }
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode envelopeField : schema.get("fields")) {
            String name = envelopeField.path("field").asText();
            if (!name.equals("before") && !name.equals("after")) {
                continue;
            }
            for (JsonNode column : envelopeField.path("fields")) {
                String logical = column.path("name").asText();
                if (DECIMAL.equals(logical) || VARIABLE_SCALE_DECIMAL.equals(logical)) {
                    out.put(column.path("field").asText(), column);
                }
            }
        }
        return out;
    }

    private static List<String> primaryKeys(@Nullable byte[] key) {
        if (key == null) {
            return List.of();
        }
        JsonNode node = JsonValues.parse(key, "the record key");
        if (node.isObject() && node.has("payload") && node.has("schema")) {
            node = node.get("payload");
        }
        if (node == null || !node.isObject()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(node.size());
        node.fieldNames().forEachRemaining(names::add);
        return Collections.unmodifiableList(names);
    }

    @Override
    public String toString() {
        return "DebeziumDecoder";
    }
}
