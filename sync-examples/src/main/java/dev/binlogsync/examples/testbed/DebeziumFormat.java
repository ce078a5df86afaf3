package dev.binlogsync.examples.testbed;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Writes Debezium MySQL connector change events (Debezium 2.7, default settings:
 * {@code time.precision.mode=adaptive_time_microseconds}, {@code bigint.unsigned.handling.mode=long},
 * {@code binary.handling.mode=bytes}) as Kafka Connect's {@code JsonConverter} serialises them,
 * from binlog row values as mysql-binlog-connector-java hands them over (see {@link CanalFormat}).
 *
 * <p>Column types, in the schema and the value:
 * <ul>
 *   <li>{@code TINYINT}, {@code SMALLINT}: {@code int16}; {@code MEDIUMINT}, {@code INT}: {@code int32}
 *       ({@code int64} when unsigned); {@code BIGINT}: {@code int64}. {@code TINYINT(1)} too is an
 *       {@code int16} (the binlog cannot tell it from a boolean; Debezium's
 *       {@code TinyIntOneToBooleanConverter} is opt-in).</li>
 *   <li>{@code DECIMAL}: under {@link DecimalMode#PRECISE} (Debezium's default) the
 *       {@code org.apache.kafka.connect.data.Decimal} logical type, {@code bytes} holding the
 *       unscaled value big-endian two's complement, base64 in JSON, with the {@code scale} parameter;
 *       under {@link DecimalMode#STRING} a {@code string} ({@code "12.50"}); under
 *       {@link DecimalMode#DOUBLE} a {@code float64}.</li>
 *   <li>{@code DATETIME(0..3)}: {@code io.debezium.time.Timestamp}, {@code int64} epoch
 *       milliseconds of the value read as UTC; {@code DATETIME(4..6)}:
 *       {@code io.debezium.time.MicroTimestamp} (epoch microseconds); {@code DATE}:
 *       {@code io.debezium.time.Date} ({@code int32} epoch days); {@code TIMESTAMP}:
 *       {@code io.debezium.time.ZonedTimestamp} (an ISO-8601 string in UTC); {@code TIME}:
 *       {@code io.debezium.time.MicroTime} ({@code int64} microseconds); {@code YEAR}:
 *       {@code io.debezium.time.Year}. Zero dates become null. With schemas, the temporal
 *       columns' schemas carry {@code __debezium.source.column.type} and
 *       {@code __debezium.source.column.length} (the declared fraction digits), as a connector
 *       with {@code column.propagate.source.type} covering them sends; without them a decoder
 *       cannot know that a {@code DATETIME(3)} value at a whole second has three zero digits.</li>
 *   <li>{@code CHAR}, {@code VARCHAR}, {@code TEXT}: {@code string}; {@code JSON}: {@code string}
 *       named {@code io.debezium.data.Json}; {@code ENUM} / {@code SET}: {@code string} named
 *       {@code io.debezium.data.Enum} / {@code EnumSet}; {@code BINARY}, {@code BLOB}: {@code bytes}
 *       (base64); {@code BIT(1)}: {@code boolean}, {@code BIT(n)}: {@code bytes} named
 *       {@code io.debezium.data.Bits}; {@code FLOAT}, {@code DOUBLE}: {@code float64}.</li>
 * </ul>
 * Package-private; stateless and thread-safe.
 */
final class DebeziumFormat {

    /** The Debezium version written into {@code source.version}. */
    static final String VERSION = "2.7.3.Final";

    private static final JsonFactory JSON = new JsonFactory();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** Debezium's {@code decimal.handling.mode}. */
    enum DecimalMode { PRECISE, STRING, DOUBLE }

    private DebeziumFormat() {
    }

    /**
     * The table a row belongs to.
     *
     * @param serverName the connector's {@code topic.prefix}, the first part of the schema names
     * @param database the database
     * @param table the table
     * @param columns the row's columns, in the order of the values
     * @param pkNames the primary-key columns (the record key's fields, in order)
     * @param nullable the columns that allow NULL (optional in the schema)
     */
    record Table(String serverName, String database, String table, List<CanalFormat.Column> columns,
            List<String> pkNames, Set<String> nullable) {
    }

    /**
     * Where a row came from: {@code source} of the envelope.
     *
     * @param serverId the MySQL server id of the event
     * @param file the binlog file
     * @param pos the position of the rows event in it
     * @param row the row's index in the rows event
     * @param tsMs the binlog event time, epoch ms (second resolution)
     * @param gtid the transaction's GTID, or null
     */
    record Source(long serverId, String file, long pos, int row, long tsMs, @Nullable String gtid) {
    }

    /** The record key: the primary key's columns, with or without the schema envelope. */
    static byte[] key(Table table, Serializable[] image, boolean schemas) {
        return write(g -> {
            g.writeStartObject();
            if (schemas) {
                g.writeObjectFieldStart("schema");
                g.writeStringField("type", "struct");
                g.writeArrayFieldStart("fields");
                for (String pk : table.pkNames) {
                    fieldSchema(g, table.columns.get(index(table, pk)), false, DecimalMode.PRECISE);
                }
                g.writeEndArray();
                g.writeBooleanField("optional", false);
                g.writeStringField("name", table.serverName + "." + table.database + "." + table.table + ".Key");
                g.writeEndObject();
                g.writeObjectFieldStart("payload");
            }
            for (String pk : table.pkNames) {
                int i = index(table, pk);
                g.writeFieldName(pk);
                value(g, image[i], table.columns.get(i), DecimalMode.PRECISE);
            }
            if (schemas) {
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /**
     * The record value: the envelope {@code {before, after, source, op, ts_ms, ...}}.
     *
     * @param op {@code c}, {@code u} or {@code d}
     * @param before the row before (updates and deletes), else null
     * @param after the row after (creates and updates), else null
     * @param tsMs when the connector processed the event, epoch ms
     */
    static byte[] value(Table table, String op, @Nullable Serializable[] before, @Nullable Serializable[] after,
            Source source, long tsMs, boolean schemas, DecimalMode decimals) {
        return write(g -> {
            g.writeStartObject();
            if (schemas) {
                g.writeFieldName("schema");
                envelopeSchema(g, table, decimals);
                g.writeObjectFieldStart("payload");
            }
            g.writeFieldName("before");
            image(g, table, before, decimals);
            g.writeFieldName("after");
            image(g, table, after, decimals);
            g.writeObjectFieldStart("source");
            g.writeStringField("version", VERSION);
            g.writeStringField("connector", "mysql");
            g.writeStringField("name", table.serverName);
            g.writeNumberField("ts_ms", source.tsMs);
            g.writeStringField("snapshot", "false");
            g.writeStringField("db", table.database);
            g.writeNullField("sequence");
            g.writeNumberField("ts_us", source.tsMs * 1000L);
            g.writeNumberField("ts_ns", source.tsMs * 1_000_000L);
            g.writeStringField("table", table.table);
            g.writeNumberField("server_id", source.serverId);
            if (source.gtid == null) {
                g.writeNullField("gtid");
            } else {
                g.writeStringField("gtid", source.gtid);
            }
            g.writeStringField("file", source.file);
            g.writeNumberField("pos", source.pos);
            g.writeNumberField("row", source.row);
            g.writeNullField("thread");
            g.writeNullField("query");
            g.writeEndObject();
            g.writeNullField("transaction");
            g.writeStringField("op", op);
            g.writeNumberField("ts_ms", tsMs);
            g.writeNumberField("ts_us", tsMs * 1000L);
            g.writeNumberField("ts_ns", tsMs * 1_000_000L);
            if (schemas) {
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    /** Whether the primary-key values of two images differ (an update that changes the key). */
    static boolean keyChanged(Table table, Serializable[] before, Serializable[] after) {
        for (String pk : table.pkNames) {
            int i = index(table, pk);
            if (!java.util.Objects.deepEquals(before[i], after[i])) {
                return true;
            }
        }
        return false;
    }

    private static int index(Table table, String column) {
        for (int i = 0; i < table.columns.size(); i++) {
            if (table.columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalStateException("primary-key column " + column + " is not in the row of "
                + table.database + "." + table.table);
    }

    private static void image(JsonGenerator g, Table table, @Nullable Serializable[] values, DecimalMode decimals)
            throws IOException {
        if (values == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < table.columns.size(); i++) {
            CanalFormat.Column c = table.columns.get(i);
            g.writeFieldName(c.name());
            value(g, values[i], c, decimals);
        }
        g.writeEndObject();
    }

    private static void envelopeSchema(JsonGenerator g, Table table, DecimalMode decimals) throws IOException {
        String prefix = table.serverName + "." + table.database + "." + table.table;
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        for (String image : new String[] {"before", "after"}) {
            g.writeStartObject();
            g.writeStringField("type", "struct");
            g.writeArrayFieldStart("fields");
            for (CanalFormat.Column c : table.columns) {
                fieldSchema(g, c, table.nullable.contains(c.name()), decimals);
            }
            g.writeEndArray();
            g.writeBooleanField("optional", true);
            g.writeStringField("name", prefix + ".Value");
            g.writeStringField("field", image);
            g.writeEndObject();
        }
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        simpleField(g, "string", false, "version");
        simpleField(g, "string", false, "connector");
        simpleField(g, "string", false, "name");
        simpleField(g, "int64", false, "ts_ms");
        g.writeStartObject();
        g.writeStringField("type", "string");
        g.writeBooleanField("optional", true);
        g.writeStringField("name", "io.debezium.data.Enum");
        g.writeNumberField("version", 1);
        g.writeObjectFieldStart("parameters");
        g.writeStringField("allowed", "true,last,false,incremental");
        g.writeEndObject();
        g.writeStringField("default", "false");
        g.writeStringField("field", "snapshot");
        g.writeEndObject();
        simpleField(g, "string", false, "db");
        simpleField(g, "string", true, "sequence");
        simpleField(g, "int64", true, "ts_us");
        simpleField(g, "int64", true, "ts_ns");
        simpleField(g, "string", true, "table");
        simpleField(g, "int64", false, "server_id");
        simpleField(g, "string", true, "gtid");
        simpleField(g, "string", false, "file");
        simpleField(g, "int64", false, "pos");
        simpleField(g, "int32", false, "row");
        simpleField(g, "int64", true, "thread");
        simpleField(g, "string", true, "query");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", "io.debezium.connector.mysql.Source");
        g.writeStringField("field", "source");
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeArrayFieldStart("fields");
        simpleField(g, "string", false, "id");
        simpleField(g, "int64", false, "total_order");
        simpleField(g, "int64", false, "data_collection_order");
        g.writeEndArray();
        g.writeBooleanField("optional", true);
        g.writeStringField("name", "event.block");
        g.writeNumberField("version", 1);
        g.writeStringField("field", "transaction");
        g.writeEndObject();
        simpleField(g, "string", false, "op");
        simpleField(g, "int64", true, "ts_ms");
        simpleField(g, "int64", true, "ts_us");
        simpleField(g, "int64", true, "ts_ns");
        g.writeEndArray();
        g.writeBooleanField("optional", false);
        g.writeStringField("name", prefix + ".Envelope");
        g.writeNumberField("version", 2);
        g.writeEndObject();
    }

    private static void simpleField(JsonGenerator g, String type, boolean optional, String field) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeBooleanField("optional", optional);
        g.writeStringField("field", field);
        g.writeEndObject();
    }

    /** One column's field schema: type, optional, logical name, version and parameters. */
    private static void fieldSchema(JsonGenerator g, CanalFormat.Column c, boolean optional, DecimalMode decimals)
            throws IOException {
        String type;
        String name = null;
        Integer version = null;
        List<String[]> parameters = new ArrayList<>();
        switch (c.kind()) {
            case TINYINT: type = "int16"; break;
            case SMALLINT: type = c.unsigned() ? "int32" : "int16"; break;
            case MEDIUMINT: type = "int32"; break;
            case INT: type = c.unsigned() ? "int64" : "int32"; break;
            case BIGINT: type = "int64"; break;
            case DECIMAL:
                if (decimals == DecimalMode.PRECISE) {
                    type = "bytes";
                    name = "org.apache.kafka.connect.data.Decimal";
                    version = 1;
                    int[] ps = precisionAndScale(c.mysqlType());
                    parameters.add(new String[] {"scale", Integer.toString(ps[1])});
                    parameters.add(new String[] {"connect.decimal.precision", Integer.toString(ps[0])});
                } else {
                    type = decimals == DecimalMode.STRING ? "string" : "float64";
                }
                break;
            case FLOAT: case DOUBLE: type = "float64"; break;
            case BIT:
                if (bitLength(c.mysqlType()) == 1) {
                    type = "boolean";
                } else {
                    type = "bytes";
                    name = "io.debezium.data.Bits";
                    version = 1;
                    parameters.add(new String[] {"length", Integer.toString(bitLength(c.mysqlType()))});
                }
                break;
            case DATE: type = "int32"; name = "io.debezium.time.Date"; version = 1; break;
            case DATETIME:
                type = "int64";
                name = c.fsp() <= 3 ? "io.debezium.time.Timestamp" : "io.debezium.time.MicroTimestamp";
                version = 1;
                break;
            case TIMESTAMP: type = "string"; name = "io.debezium.time.ZonedTimestamp"; version = 1; break;
            case TIME: type = "int64"; name = "io.debezium.time.MicroTime"; version = 1; break;
            case YEAR: type = "int32"; name = "io.debezium.time.Year"; version = 1; break;
            case ENUM: case SET:
                type = "string";
                name = c.kind() == CanalFormat.Kind.ENUM ? "io.debezium.data.Enum" : "io.debezium.data.EnumSet";
                version = 1;
                parameters.add(new String[] {"allowed", String.join(",", labels(c.mysqlType()))});
                break;
            case JSON: type = "string"; name = "io.debezium.data.Json"; version = 1; break;
            case BINARY: case BLOB: type = "bytes"; break;
            default: type = "string";
        }
        if (c.kind() == CanalFormat.Kind.DATETIME || c.kind() == CanalFormat.Kind.TIMESTAMP
                || c.kind() == CanalFormat.Kind.TIME) {
            // as a connector with column.propagate.source.type covering the temporal columns sends
            // them: the declared fraction digits, which the logical types alone do not carry
            parameters.add(new String[] {"__debezium.source.column.type", c.kind().name()});
            parameters.add(new String[] {"__debezium.source.column.length", Integer.toString(c.fsp())});
        }
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeBooleanField("optional", optional);
        if (name != null) {
            g.writeStringField("name", name);
            g.writeNumberField("version", version);
        }
        if (!parameters.isEmpty()) {
            g.writeObjectFieldStart("parameters");
            for (String[] p : parameters) {
                g.writeStringField(p[0], p[1]);
            }
            g.writeEndObject();
        }
        g.writeStringField("field", c.name());
        g.writeEndObject();
    }

    /** One column's value as the JSON converter writes it. */
    private static void value(JsonGenerator g, @Nullable Serializable raw, CanalFormat.Column c, DecimalMode decimals)
            throws IOException {
        if (raw == null) {
            g.writeNull();
            return;
        }
        switch (c.kind()) {
            case TINYINT: case SMALLINT: case MEDIUMINT: case INT: case BIGINT: {
                Number n = exactInteger((Number) raw, c);
                if (n instanceof BigInteger) {
                    g.writeNumber(((BigInteger) n).longValue()); // bigint.unsigned.handling.mode=long wraps
                } else {
                    g.writeNumber(n.longValue());
                }
                return;
            }
            case DECIMAL: {
                BigDecimal d = (BigDecimal) raw;
                int scale = precisionAndScale(c.mysqlType())[1];
                BigDecimal scaled = d.setScale(scale, java.math.RoundingMode.UNNECESSARY);
                switch (decimals) {
                    case PRECISE:
                        g.writeString(java.util.Base64.getEncoder().encodeToString(scaled.unscaledValue().toByteArray()));
                        return;
                    case STRING:
                        g.writeString(scaled.toPlainString());
                        return;
                    default:
                        g.writeNumber(scaled.doubleValue());
                        return;
                }
            }
            case FLOAT: case DOUBLE:
                g.writeNumber(((Number) raw).doubleValue());
                return;
            case BIT: {
                byte[] bytes = bitBytes(raw, bitLength(c.mysqlType()));
                if (bitLength(c.mysqlType()) == 1) {
                    g.writeBoolean(bytes.length > 0 && bytes[0] != 0);
                } else {
                    g.writeString(java.util.Base64.getEncoder().encodeToString(bytes));
                }
                return;
            }
            case DATE: {
                long micros = (Long) raw;
                if (micros == Long.MIN_VALUE) {
                    g.writeNull();
                } else {
                    g.writeNumber(Math.floorDiv(micros, 86_400_000_000L));
                }
                return;
            }
            case DATETIME: {
                long micros = (Long) raw;
                if (micros == Long.MIN_VALUE) {
                    g.writeNull();
                } else {
                    g.writeNumber(c.fsp() <= 3 ? Math.floorDiv(micros, 1000L) : micros);
                }
                return;
            }
            case TIMESTAMP: {
                long micros = (Long) raw;
                if (micros == Long.MIN_VALUE || micros == 0L) {
                    g.writeNull();
                } else {
                    Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
                    g.writeString(t.atOffset(ZoneOffset.UTC).toLocalDateTime().toString() + "Z");
                }
                return;
            }
            case TIME:
                g.writeNumber(((Long) raw) == Long.MIN_VALUE ? 0L : (Long) raw);
                return;
            case YEAR:
                g.writeNumber(((Number) raw).intValue());
                return;
            case ENUM: {
                int index = ((Number) raw).intValue();
                List<String> labels = labels(c.mysqlType());
                g.writeString(index >= 1 && index <= labels.size() ? labels.get(index - 1) : "");
                return;
            }
            case SET: {
                long bits = ((Number) raw).longValue();
                List<String> labels = labels(c.mysqlType());
                List<String> chosen = new ArrayList<>();
                for (int i = 0; i < labels.size(); i++) {
                    if ((bits & (1L << i)) != 0) {
                        chosen.add(labels.get(i));
                    }
                }
                g.writeString(String.join(",", chosen));
                return;
            }
            case CHAR: case VARCHAR: case TEXT: case JSON:
                g.writeString(raw instanceof byte[] ? new String((byte[]) raw, c.charset()) : raw.toString());
                return;
            case BINARY: case BLOB:
                g.writeString(java.util.Base64.getEncoder().encodeToString(
                        raw instanceof byte[] ? (byte[]) raw : raw.toString().getBytes(StandardCharsets.ISO_8859_1)));
                return;
            default:
                g.writeString(raw instanceof byte[] ? new String((byte[]) raw, StandardCharsets.ISO_8859_1) : raw.toString());
        }
    }

    /**
     * The column's value as an exact integer: the binlog hands unsigned values over as their signed
     * bit pattern, so a negative raw value of an unsigned column is moved up by 2^bits.
     */
    static Number exactInteger(Number raw, CanalFormat.Column c) {
        long v = raw.longValue();
        if (!c.unsigned() || v >= 0) {
            return v;
        }
        switch (c.kind()) {
            case TINYINT: return v + 256;
            case SMALLINT: return v + 65536;
            case MEDIUMINT: return v + 16777216;
            case INT: return v + 4294967296L;
            default: return TWO_64.add(BigInteger.valueOf(v));
        }
    }

    /** {@code decimal(12,2)} as {@code {12, 2}}; MySQL's defaults (10, 0) when absent. */
    static int[] precisionAndScale(String mysqlType) {
        int open = mysqlType.indexOf('(');
        if (open < 0) {
            return new int[] {10, 0};
        }
        String[] parts = mysqlType.substring(open + 1, mysqlType.indexOf(')', open)).split(",");
        return new int[] {Integer.parseInt(parts[0].trim()), parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 0};
    }

    /** The labels of {@code enum('a','b')} or {@code set('a','b')}, in order. */
    static List<String> labels(String mysqlType) {
        List<String> labels = new ArrayList<>();
        int i = mysqlType.indexOf('(');
        while (i >= 0 && i < mysqlType.length()) {
            int start = mysqlType.indexOf('\'', i);
            if (start < 0) {
                break;
            }
            StringBuilder label = new StringBuilder();
            int j = start + 1;
            while (j < mysqlType.length()) {
                char ch = mysqlType.charAt(j);
                if (ch == '\'' && j + 1 < mysqlType.length() && mysqlType.charAt(j + 1) == '\'') {
                    label.append('\'');
                    j += 2;
                } else if (ch == '\'') {
                    break;
                } else {
                    label.append(ch);
                    j++;
                }
            }
            labels.add(label.toString());
            i = j + 1;
        }
        return labels;
    }

    private static int bitLength(String mysqlType) {
        return mysqlType.contains("(") ? precisionAndScale(mysqlType)[0] : 1;
    }

    /**
     * The bits of a {@code BIT(n)} value, little-endian bytes padded with zero bytes to
     * {@code (n + 7) / 8}, as Debezium writes them.
     */
    private static byte[] bitBytes(Serializable raw, int bits) {
        byte[] set = raw instanceof BitSet ? ((BitSet) raw).toByteArray()
                : BitSet.valueOf(new long[] {((Number) raw).longValue()}).toByteArray();
        return java.util.Arrays.copyOf(set, Math.max(set.length, (bits + 7) / 8));
    }

    @FunctionalInterface
    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
