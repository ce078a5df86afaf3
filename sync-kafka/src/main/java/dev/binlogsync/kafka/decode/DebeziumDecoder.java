package dev.binlogsync.kafka.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.kafka.internal.DebeziumTemporal;
import dev.binlogsync.kafka.internal.DecoderBackfillValues;
import dev.binlogsync.kafka.internal.Identifiers;
import dev.binlogsync.kafka.internal.JsonValues;
import dev.binlogsync.kafka.internal.NumberBounds;
import dev.binlogsync.kafka.internal.TemporalText;
import dev.binlogsync.kafka.internal.Unfollowable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *   <li>{@code t} (truncate, sent when the connector's {@code skipped.operations} does not skip
 *       it) of a table in {@link Builder#syncedTables(BiPredicate) syncedTables} (every table by
 *       default) cannot be applied row by row and is a {@link DecodeException} saying so (the
 *       failure policy decides); of any other table it is logged and yields no events. Any other
 *       unknown {@code op} is a {@link DecodeException}; so is a missing {@code source.db} /
 *       {@code source.table}, a database, table or column name longer than MySQL's 64
 *       characters, or a row of more than 4096 columns.</li>
 *   <li>{@link ChangeEvent#database()} / {@link ChangeEvent#table()} come from {@code source.db} /
 *       {@code source.table}; {@link ChangeEvent#eventTimeMillis()} from {@code source.ts_ms}
 *       (the binlog time), else the envelope's {@code ts_ms}.</li>
 *   <li>{@link ChangeEvent#primaryKeys()} are the field names of the record key (Debezium keys by
 *       primary key), in key order; empty for a null key.</li>
 *   <li>Values keep their JSON types (numbers with a fraction as exact {@code BigDecimal}; a number
 *       with more than 65 significant digits, a decimal exponent beyond ±400, or an integer beyond
 *       BIGINT UNSIGNED is a {@link DecodeException}, as no MySQL column holds it). With the
 *       schema envelope, {@code org.apache.kafka.connect.data.Decimal} columns (base64 bytes under
 *       {@code decimal.handling.mode=precise}) are decoded to {@code BigDecimal} with the schema's
 *       {@code scale}, and {@code io.debezium.data.VariableScaleDecimal} structs likewise; a scale or
 *       a number of digits beyond MySQL's {@code DECIMAL(65, 30)} is a {@link DecodeException},
 *       checked before the value is built. Without
 *       schemas such a column cannot be recognised and stays a base64 string: use
 *       {@code decimal.handling.mode=string} (then it stays that decimal string) or enable
 *       schemas.</li>
 *   <li><b>Temporal columns.</b> With the schema envelope, Debezium's and Kafka Connect's temporal
 *       logical types become the values {@link CanalFlatMessageDecoder} gives for the same MySQL
 *       value, in the same {@link Builder#dateTimeStyle(DateTimeStyle) dateTimeStyle} and
 *       {@link Builder#zone(ZoneId) zone}: {@code io.debezium.time.Date} and Connect's
 *       {@code Date} (DATE) {@code "yyyy-MM-dd"}; {@code Time}, {@code MicroTime},
 *       {@code NanoTime} and Connect's {@code Time} (TIME) {@code "[-]HH:mm:ss[.f]"};
 *       {@code Timestamp}, {@code MicroTimestamp}, {@code NanoTimestamp} and Connect's
 *       {@code Timestamp} (DATETIME, Debezium's local date-time read as UTC) the style's text;
 *       {@code ZonedTimestamp} (TIMESTAMP, an instant in UTC) its local date-time in the zone
 *       under {@code RAW} / {@code ISO_LOCAL} (what Canal sends when its server runs in that
 *       zone), the instant with the zone's offset under {@code ISO_OFFSET} / {@code ISO_UTC},
 *       and null for the epoch (no TIMESTAMP holds it: Debezium's form of the zero timestamp);
 *       {@code Year} an {@code Integer}, 0 as null. Fraction digits: Canal renders a
 *       {@code DATETIME(n)}'s n digits; Debezium's encodings do not carry n, so the column's
 *       declared precision is used when the connector propagates source types
 *       ({@code column.propagate.source.type}: {@code __debezium.source.column.length}), and
 *       otherwise none for a whole second and else the precision the encoding carries (3 for
 *       milliseconds, 6 for microseconds, a {@code ZonedTimestamp}'s own digits): a
 *       {@code DATETIME(3)} value {@code 12:30:45.000} is then {@code "12:30:45"} where Canal
 *       gives {@code "12:30:45.000"}, and a {@code DATETIME(2)} {@code .50} is {@code ".500"}.
 *       Digits a value has are never dropped. A value that is not of its encoding's JSON type, or
 *       beyond MySQL's range (years 0 to 9999, TIME within ±838:59:59), is a
 *       {@link DecodeException}. Debezium gives a NOT NULL column's zero DATE or DATETIME
 *       ({@code 0000-00-00}) as the epoch, which cannot be told from a real
 *       {@code 1970-01-01}, where Canal gives null. <b>Without schemas</b> nothing says that a
 *       number is a date: temporal columns keep Debezium's encoding (epoch days, milliseconds or
 *       microseconds as numbers; ISO-8601 strings for TIMESTAMP), so the documents differ from
 *       Canal's; enable schemas ({@code value.converter.schemas.enable=true}) for the same
 *       documents as Canal.</li>
 *   <li>{@code tinyint}, {@code tinyint(1)} included, arrives as a number ({@code INT16}) and stays
 *       that number; {@link Builder#tinyint1AsBoolean(boolean)} turns the {@code tinyint(1)}
 *       columns it can recognise into booleans (0 and 1 only; any other value is a
 *       {@link DecodeException}). A column the connector itself declares {@code BOOLEAN} (a
 *       {@code BOOL} column in its DDL) arrives as a JSON boolean and stays one: Debezium made
 *       that conversion upstream, and a stored value other than 0 or 1 cannot be recovered from
 *       the message.</li>
 * </ul>
 * <p><b>Row images.</b> The connector refuses to stream from a server whose global
 * {@code binlog_row_image} is not {@code FULL}, and {@code after} holds every column of the
 * connector's table schema, so each event's row is {@link RowImage#FULL} (lets rules in the default
 * write mode index instead of upsert), unless {@link Builder#fullRowImage(boolean)
 * fullRowImage(false)} says otherwise.
 *
 * <p>Immutable and thread-safe.
 */
public final class DebeziumDecoder implements MessageDecoder {

    private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
    private static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    /** Marks a tinyint(1) column in the map of typed fields (compared by identity). */
    private static final JsonNode TINYINT1 = com.fasterxml.jackson.databind.node.TextNode.valueOf("tinyint(1)");
    private static final Logger LOG = LoggerFactory.getLogger(DebeziumDecoder.class);

    private final boolean tinyint1AsBoolean;
    private final RowImage rowImage;
    private final BiPredicate<String, String> syncedTables;
    private final TemporalText temporal;

    private DebeziumDecoder(Builder b) {
        this.tinyint1AsBoolean = b.tinyint1AsBoolean;
        this.rowImage = b.fullRowImage ? RowImage.FULL : RowImage.UNKNOWN;
        this.syncedTables = b.syncedTables;
        this.temporal = new TemporalText(b.dateTimeStyle, b.zone);
    }

    /**
     * A decoder with the defaults: numbers stay numbers, {@link DateTimeStyle#ISO_LOCAL}, UTC,
     * every table counts as synced.
     */
    public static DebeziumDecoder create() {
        return builder().build();
    }

    /** A builder with the defaults of {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The values a {@link dev.binlogsync.core.backfill.Backfill} must read for its documents to
     * equal this stream's, typed as this decoder with its options types the events of a connector
     * with schemas ({@code value.converter.schemas.enable=true}) and Debezium's defaults
     * ({@code decimal.handling.mode=precise}; {@code bigint.unsigned.handling.mode=long}, so a
     * {@code BIGINT UNSIGNED} beyond {@code Long.MAX_VALUE} is the negative {@code Long} the
     * connector writes; {@code binary.handling.mode=bytes}; adaptive {@code time.precision.mode}),
     * with {@code column.propagate.source.type} covering the temporal columns (their declared
     * fraction digits) and, for {@code tinyint1AsBoolean}, the {@code tinyint(1)} columns: integers
     * as JSON numbers, {@code DECIMAL} {@code BigDecimal}, {@code FLOAT}/{@code DOUBLE} the
     * {@code BigDecimal} of the {@code float64}, {@code BIT(1)} {@code Boolean}, {@code BIT(n)}
     * base64, temporal values as described above (zero dates null), {@code SET} and {@code JSON}
     * their text, binary base64. A connector with other settings, or without schemas, writes other
     * values, and the backfill's would differ from the stream's. Thread-safe.
     */
    public BackfillValues backfillValues() {
        return new DecoderBackfillValues(DecoderBackfillValues.Format.DEBEZIUM, tinyint1AsBoolean, temporal.style(),
                temporal.zone());
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
        Map<String, Object> typedFields = Map.of();
        if (root.has("payload") && root.has("schema")) {
            payload = root.get("payload");
            if (payload == null || payload.isNull()) {
                return List.of();
            }
            typedFields = typedFields(root.get("schema"));
        }
        String op = JsonValues.requireText(payload, "op", "the Debezium payload");
        JsonNode source = payload.get("source");
        if (source == null || !source.isObject()) {
            throw new DecodeException("missing 'source' in the Debezium payload (op " + UntrustedText.shown(op, 64) + ")");
        }
        String db = Identifiers.check(JsonValues.requireText(source, "db", "'source'"), "database");
        String table = Identifiers.check(JsonValues.requireText(source, "table", "'source'"), "table");
        long time = source.path("ts_ms").asLong(payload.path("ts_ms").asLong(0L));
        List<String> pks = primaryKeys(key);

        Operation operation;
        RowMap row;
        Map<String, Object> old = Map.of();
        switch (op) {
            case "c":
            case "r":
                operation = Operation.INSERT;
                row = image(payload, "after", typedFields, db, table, op);
                break;
            case "u":
                operation = Operation.UPDATE;
                row = image(payload, "after", typedFields, db, table, op);
                JsonNode beforeNode = payload.get("before");
                if (beforeNode != null && !beforeNode.isNull()) {
                    RowMap before = image(payload, "before", typedFields, db, table, op);
                    old = changed(before, row);
                }
                break;
            case "d":
                operation = Operation.DELETE;
                row = image(payload, "before", typedFields, db, table, op);
                break;
            case "t":
                if (syncedTables.test(db, table)) {
                    throw Unfollowable.tableReset(db, table, "TRUNCATE TABLE");
                }
                LOG.info("Skipping a truncate of {}.{} at {}: not a synced table", UntrustedText.shown(db, 64),
                        UntrustedText.shown(table, 64), position);
                return List.of();
            default:
                throw new DecodeException("unknown op '" + UntrustedText.shown(op, 64) + "' on " + db + "." + table
                        + " (expected c, u, d or r)");
        }
        return Collections.singletonList(new ChangeEvent(db, table, operation, row, old, pks, time, position, rowImage));
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

    private RowMap image(JsonNode payload, String field, Map<String, Object> typed, String db, String table, String op) {
        JsonNode node = payload.get(field);
        if (node == null || !node.isObject()) {
            throw new DecodeException("missing '" + field + "' in a Debezium op '" + op + "' on " + db + "." + table);
        }
        RowMap row = new RowMap(node.size());
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Identifiers.check(e.getKey(), "column");
            Identifiers.checkColumnCount(row.size(), "'" + field + "'");
            Object schema = typed.get(e.getKey());
            Object value;
            if (schema == null) {
                value = JsonValues.toJava(e.getValue(), db + "." + table + "." + e.getKey(), field);
            } else if (schema == TINYINT1) {
                value = tinyint1(e.getKey(), e.getValue(), field, db, table);
            } else if (schema instanceof DebeziumTemporal t) {
                value = t.convert(e.getValue(), temporal, db + "." + table + "." + e.getKey(), field);
            } else {
                value = decimal(e.getKey(), e.getValue(), (JsonNode) schema, db, table);
            }
            row.put(e.getKey(), value);
        }
        return row;
    }

    /** A tinyint(1) column's value as a boolean: 0 or 1 (or a boolean), else a {@link DecodeException}. */
    @Nullable
    private static Boolean tinyint1(String column, JsonNode value, String field, String db, String table) {
        if (value.isNull()) {
            return null;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber() && value.canConvertToInt() && (value.intValue() == 0 || value.intValue() == 1)) {
            return value.intValue() == 1;
        }
        throw Unfollowable.notABoolean(db + "." + table + "." + column, "'" + field + "'", UntrustedText.shown(value.toString(), 64));
    }

    @Nullable
    private static BigDecimal decimal(String column, JsonNode value, JsonNode schema, String db, String table) {
        if (value.isNull()) {
            return null;
        }
        String name = db + "." + table + "." + column;
        BigDecimal d;
        try {
            if (VARIABLE_SCALE_DECIMAL.equals(schema.path("name").asText())) {
                d = fromUnscaled(name, value.path("value").asText(), value.path("scale").asLong());
            } else if (value.isNumber()) {
                d = value.decimalValue();
            } else {
                d = fromUnscaled(name, value.asText(), Long.parseLong(schema.path("parameters").path("scale").asText("0")));
            }
        } catch (IllegalArgumentException e) {
            throw new DecodeException("column " + name + ": not a Connect decimal (base64 unscaled bytes): '"
                    + NumberBounds.shown(value.toString()) + "'", e);
        }
        String problem = NumberBounds.decimal(d);
        if (problem != null) {
            throw new DecodeException("column " + name + ": " + problem + ": " + NumberBounds.shown(d.toString()));
        }
        return d;
    }

    /**
     * A Connect decimal from its base64 unscaled bytes and its scale, both checked before the
     * value is built: 28 bytes hold every 65-digit number (2^224 has 68 digits), so more bytes
     * or a scale beyond a MySQL DECIMAL's is a {@link DecodeException}.
     */
    private static BigDecimal fromUnscaled(String name, String base64, long scale) {
        if (scale > NumberBounds.DECIMAL_SCALE || scale < -NumberBounds.DECIMAL_PRECISION) {
            throw new DecodeException("column " + name + ": scale " + scale + " is outside a MySQL DECIMAL's (at most "
                    + NumberBounds.DECIMAL_SCALE + " digits after the point)");
        }
        byte[] unscaled = Base64.getDecoder().decode(base64);
        if (unscaled.length > 28) {
            throw new DecodeException("column " + name + ": more than " + NumberBounds.DECIMAL_PRECISION
                    + " digits, beyond a MySQL DECIMAL (" + unscaled.length + " unscaled bytes)");
        }
        return new BigDecimal(new BigInteger(unscaled), (int) scale);
    }

    /**
     * Column name to field schema for the columns of the before/after structs that are not read as
     * plain JSON: decimals (their schema), temporal logical types (a {@link DebeziumTemporal}),
     * and with {@link Builder#tinyint1AsBoolean(boolean)} the columns whose propagated source type
     * is {@code tinyint(1)} (mapped to {@link #TINYINT1}).
     */
    private Map<String, Object> typedFields(@Nullable JsonNode schema) {
        if (schema == null || !schema.path("fields").isArray()) {
            return Map.of();
        }
        Map<String, Object> out = new HashMap<>();
        for (JsonNode envelopeField : schema.get("fields")) {
            String name = envelopeField.path("field").asText();
            if (!name.equals("before") && !name.equals("after")) {
                continue;
            }
            for (JsonNode column : envelopeField.path("fields")) {
                String logical = column.path("name").asText();
                if (DECIMAL.equals(logical) || VARIABLE_SCALE_DECIMAL.equals(logical)) {
                    out.put(column.path("field").asText(), column);
                } else if (tinyint1AsBoolean && isTinyint1(column)) {
                    out.put(column.path("field").asText(), TINYINT1);
                } else {
                    DebeziumTemporal temporalColumn = DebeziumTemporal.of(column);
                    if (temporalColumn != null) {
                        out.put(column.path("field").asText(), temporalColumn);
                    }
                }
            }
        }
        return out;
    }

    /** Whether a field schema carries {@code column.propagate.source.type}'s parameters of a {@code tinyint(1)}. */
    private static boolean isTinyint1(JsonNode column) {
        JsonNode parameters = column.path("parameters");
        String type = parameters.path("__debezium.source.column.type").asText("");
        return (type.equalsIgnoreCase("TINYINT") || type.equalsIgnoreCase("TINYINT UNSIGNED"))
                && "1".equals(parameters.path("__debezium.source.column.length").asText(""));
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
        node.fieldNames().forEachRemaining(name -> names.add(Identifiers.check(name, "primary key column")));
        return Collections.unmodifiableList(names);
    }

    @Override
    public String toString() {
        return "DebeziumDecoder{tinyint1AsBoolean=" + tinyint1AsBoolean + ", dateTimeStyle=" + temporal.style()
                + ", zone=" + temporal.zone() + "}";
    }

    /**
     * Configures a {@link DebeziumDecoder}. Not thread-safe; {@link #build()} may be called more
     * than once.
     */
    public static final class Builder {
        private boolean tinyint1AsBoolean;
        private boolean fullRowImage = true;
        private BiPredicate<String, String> syncedTables = (database, table) -> true;
        private DateTimeStyle dateTimeStyle = DateTimeStyle.ISO_LOCAL;
        private ZoneId zone = ZoneOffset.UTC;

        private Builder() {
        }

        /**
         * How DATETIME and TIMESTAMP values are rendered (with schemas only); default
         * {@link DateTimeStyle#ISO_LOCAL}, as {@link CanalFlatMessageDecoder.Builder#dateTimeStyle}.
         */
        public Builder dateTimeStyle(DateTimeStyle style) {
            this.dateTimeStyle = Objects.requireNonNull(style, "dateTimeStyle");
            return this;
        }

        /**
         * The MySQL server's time zone (the zone Canal's server runs in, for the same documents as
         * {@link CanalFlatMessageDecoder.Builder#zone}); default UTC. DATETIME values are read in
         * it for {@link DateTimeStyle#ISO_OFFSET} and {@link DateTimeStyle#ISO_UTC}; TIMESTAMP
         * values ({@code ZonedTimestamp}, instants) are shown as their local date-time in it for
         * {@link DateTimeStyle#RAW} and {@link DateTimeStyle#ISO_LOCAL}. With schemas only.
         */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * Whether {@code tinyint(1)} columns become {@code Boolean}; default false (they keep their
         * number). Debezium sends a {@code tinyint} as a number ({@code INT16}) and says nothing of
         * its display width unless the connector propagates source types
         * ({@code column.propagate.source.type} listing the columns, and {@code schemas.enable=true}):
         * only columns whose schema carries {@code __debezium.source.column.type=TINYINT} and
         * {@code __debezium.source.column.length=1} are turned into booleans; others keep their
         * number. A value other than 0 or 1 in such a column is a {@link DecodeException}.
         */
        public Builder tinyint1AsBoolean(boolean asBoolean) {
            this.tinyint1AsBoolean = asBoolean;
            return this;
        }

        /**
         * The tables whose truncate ({@code op: t}) is an error: {@code (database, table) -> true}
         * for a table the pipeline syncs. Default: every table. A truncate of any other table is
         * logged at INFO and yields no events; rows of every table are decoded whatever this says
         * (the rules decide about them). With {@code Rules}:
         * {@code syncedTables((db, t) -> !rules.rulesFor(db, t).isEmpty())}.
         */
        public Builder syncedTables(BiPredicate<String, String> tables) {
            this.syncedTables = Objects.requireNonNull(tables, "syncedTables");
            return this;
        }

        /**
         * Whether the server logs full row images ({@code binlog_row_image=FULL}); default true: every row is {@link RowImage#FULL}.
         * When false, every row is {@link RowImage#UNKNOWN}, so rules in the default write mode upsert
         * (keeping the columns a row does not carry) instead of replacing documents. Set it false for
         * a server with {@code MINIMAL} or {@code NOBLOB}.
         */
        public Builder fullRowImage(boolean full) {
            this.fullRowImage = full;
            return this;
        }

        /** The decoder. */
        public DebeziumDecoder build() {
            return new DebeziumDecoder(this);
        }
    }
}
