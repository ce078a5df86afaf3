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
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Writes Maxwell's JSON ({@code output_binlog_position=true}, other output options at their
 * defaults) from binlog row values as mysql-binlog-connector-java hands them over (see
 * {@link CanalFormat}).
 *
 * <p>A message is {@code {database, table, type, ts, xid, xoffset | commit, position, data, old}}:
 * {@code type} {@code insert} / {@code update} / {@code delete}; {@code ts} the binlog event time
 * in epoch <b>seconds</b>; {@code xid} the transaction's XID; {@code xoffset} the row's index in
 * the transaction on every row but the last, which carries {@code "commit": true} instead;
 * {@code position} {@code file:offset}; {@code data} the row (for a delete, the deleted row);
 * {@code old}, on updates only, the previous values of the columns that changed. The key is
 * {@code {"database":..,"table":..,"pk.<col>":..}}.
 *
 * <p>Values are typed as Maxwell types them: integers (unsigned ones exact) and {@code DECIMAL}s
 * as JSON numbers (a decimal with its column's scale, {@code 12.50}); {@code TINYINT(1)} as the
 * number; {@code DATETIME} as {@code yyyy-MM-dd HH:mm:ss} with the column's fraction digits
 * ({@code 2024-03-01 12:30:45.120}), {@code TIMESTAMP} likewise in UTC, {@code DATE} as
 * {@code yyyy-MM-dd}, {@code TIME} as {@code HH:mm:ss[.f]}, a zero {@code DATE} / {@code DATETIME}
 * as {@code 0000-00-00} / {@code 0000-00-00 00:00:00} and a zero {@code TIMESTAMP} as null;
 * {@code FLOAT} as the float's number ({@code 1.1}), {@code DOUBLE} as the double's; {@code YEAR} a
 * number; {@code ENUM} its label, {@code SET} an array of labels; text as strings; binary and blob
 * as base64; {@code BIT} as a number. Package-private; stateless and thread-safe.
 */
final class MaxwellFormat {

    private static final JsonFactory JSON = new JsonFactory();

    private MaxwellFormat() {
    }

    /**
     * One row change, waiting for its transaction's XID.
     *
     * @param database the database
     * @param table the table
     * @param type {@code insert}, {@code update} or {@code delete}
     * @param tsSeconds the binlog event time, epoch seconds
     * @param position {@code file:offset} of the rows event
     * @param columns the row's columns, in the order of the values
     * @param pkNames the primary-key columns
     * @param data the row after (insert, update) or the deleted row
     * @param before the row before, for updates; else null
     */
    record Row(String database, String table, String type, long tsSeconds, String position,
            List<CanalFormat.Column> columns, List<String> pkNames, Serializable[] data, @Nullable Serializable[] before) {
    }

    /** The record key {@code {"database":..,"table":..,"pk.<col>":..}}, with the key's current values. */
    static byte[] key(Row row) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("database", row.database);
            g.writeStringField("table", row.table);
            for (String pk : row.pkNames) {
                for (int i = 0; i < row.columns.size(); i++) {
                    if (row.columns.get(i).name().equals(pk)) {
                        g.writeFieldName("pk." + pk);
                        value(g, row.data[i], row.columns.get(i));
                    }
                }
            }
            g.writeEndObject();
        });
    }

    /**
     * The message of one row.
     *
     * @param xid the transaction's XID, or null when it had none (a non-transactional table)
     * @param xoffset the row's index in its transaction
     * @param last whether it is the transaction's last row (then {@code commit: true}, no {@code xoffset})
     */
    static byte[] message(Row row, @Nullable Long xid, int xoffset, boolean last) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("database", row.database);
            g.writeStringField("table", row.table);
            g.writeStringField("type", row.type);
            g.writeNumberField("ts", row.tsSeconds);
            if (xid != null) {
                g.writeNumberField("xid", xid);
            }
            if (last) {
                g.writeBooleanField("commit", true);
            } else {
                g.writeNumberField("xoffset", xoffset);
            }
            g.writeStringField("position", row.position);
            g.writeObjectFieldStart("data");
            for (int i = 0; i < row.columns.size(); i++) {
                g.writeFieldName(row.columns.get(i).name());
                value(g, row.data[i], row.columns.get(i));
            }
            g.writeEndObject();
            if (row.before != null) {
                g.writeObjectFieldStart("old");
                for (int i = 0; i < row.columns.size(); i++) {
                    if (!Objects.deepEquals(row.before[i], row.data[i])) {
                        g.writeFieldName(row.columns.get(i).name());
                        value(g, row.before[i], row.columns.get(i));
                    }
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void value(JsonGenerator g, @Nullable Serializable raw, CanalFormat.Column c) throws IOException {
        if (raw == null) {
            g.writeNull();
            return;
        }
        switch (c.kind()) {
            case TINYINT: case SMALLINT: case MEDIUMINT: case INT: case BIGINT: {
                Number n = DebeziumFormat.exactInteger((Number) raw, c);
                if (n instanceof BigInteger) {
                    g.writeNumber((BigInteger) n);
                } else {
                    g.writeNumber(n.longValue());
                }
                return;
            }
            case DECIMAL: {
                int scale = DebeziumFormat.precisionAndScale(c.mysqlType())[1];
                g.writeNumber(((BigDecimal) raw).setScale(scale, java.math.RoundingMode.UNNECESSARY));
                return;
            }
            case FLOAT: case DOUBLE:
                // Maxwell writes the binlog's Float or Double as it is (Float.toString for a FLOAT)
                if (raw instanceof Float) {
                    g.writeNumber((Float) raw);
                } else {
                    g.writeNumber(((Number) raw).doubleValue());
                }
                return;
            case BIT:
                g.writeNumber(raw instanceof BitSet ? bits((BitSet) raw) : ((Number) raw).longValue());
                return;
            case DATE: case DATETIME: case TIME: {
                if (((Long) raw) == Long.MIN_VALUE) {
                    // Maxwell writes a zero (or partly zero) date as MySQL's zero text
                    g.writeString(c.kind() == CanalFormat.Kind.DATE ? "0000-00-00" : "0000-00-00 00:00:00");
                    return;
                }
                // the same text Canal sends: yyyy-MM-dd[ HH:mm:ss[.fff]] of the value read as UTC
                g.writeString(CanalFormat.format(raw, c, new int[1]));
                return;
            }
            case TIMESTAMP: {
                long micros = (Long) raw;
                if (micros == Long.MIN_VALUE || micros == 0L) {
                    g.writeNull();
                    return;
                }
                // rendered in UTC, as Maxwell does; a DATETIME column of the same fsp renders a UTC value
                CanalFormat.Column asDatetime = CanalFormat.Column.of(c.name(),
                        c.mysqlType().toLowerCase(java.util.Locale.ROOT).replace("timestamp", "datetime"), null);
                g.writeString(CanalFormat.format(raw, asDatetime, new int[1]));
                return;
            }
            case YEAR:
                g.writeNumber(((Number) raw).intValue());
                return;
            case ENUM: {
                int index = ((Number) raw).intValue();
                List<String> labels = DebeziumFormat.labels(c.mysqlType());
                g.writeString(index >= 1 && index <= labels.size() ? labels.get(index - 1) : "");
                return;
            }
            case SET: {
                long set = ((Number) raw).longValue();
                List<String> labels = DebeziumFormat.labels(c.mysqlType());
                g.writeStartArray();
                for (int i = 0; i < labels.size(); i++) {
                    if ((set & (1L << i)) != 0) {
                        g.writeString(labels.get(i));
                    }
                }
                g.writeEndArray();
                return;
            }
            case CHAR: case VARCHAR: case TEXT: case JSON:
                g.writeString(raw instanceof byte[] ? new String((byte[]) raw, c.charset()) : raw.toString());
                return;
            default:
                g.writeString(Base64.getEncoder().encodeToString(
                        raw instanceof byte[] ? (byte[]) raw : raw.toString().getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    private static long bits(BitSet set) {
        long v = 0;
        for (int i = set.nextSetBit(0); i >= 0 && i < 64; i = set.nextSetBit(i + 1)) {
            v |= 1L << i;
        }
        return v;
    }

    @FunctionalInterface
    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
