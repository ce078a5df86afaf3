package dev.binlogsync.kafka.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.kafka.internal.DecoderBackfillValues;
import dev.binlogsync.kafka.internal.Identifiers;
import dev.binlogsync.kafka.internal.JsonValues;
import dev.binlogsync.kafka.internal.Unfollowable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Maxwell's JSON: one row per Kafka record,
 * {@code {database, table, type, ts, xid, commit, data, old}}.
 *
 * <ul>
 *   <li>{@code insert} and {@code bootstrap-insert} become {@link Operation#INSERT}, {@code update}
 *       {@link Operation#UPDATE} ({@code old}, the previous values of the changed columns, becomes
 *       {@link ChangeEvent#oldValues()}), {@code delete} {@link Operation#DELETE} ({@code data} is
 *       the deleted row).</li>
 *   <li>{@code bootstrap-start} and {@code bootstrap-complete} markers yield no events; so do DDL
 *       messages ({@code table-create}, {@code table-alter}, {@code database-drop}, ...; Maxwell's
 *       {@code output_ddl}), which are logged at INFO and passed to the optional {@link DdlListener}.
 *       Any other {@code type} is a {@link DecodeException}; so is a database, table or column
 *       name longer than MySQL's 64 characters, or a row of more than 4096 columns. The log line
 *       of a DDL message has its names and statement capped and escaped, and a statement that
 *       may carry credentials shown only as its first keywords.</li>
 *   <li>{@code table-drop} of a table in {@link Builder#syncedTables(BiPredicate) syncedTables}
 *       (every table by default; a message naming no table counts as synced) removes rows without
 *       a row event and is a {@link DecodeException} saying so (the failure policy decides); of
 *       any other table it is skipped DDL. Maxwell writes nothing for {@code TRUNCATE}, so a
 *       truncate cannot be seen in its stream at all: its documents stay until re-synced.</li>
 *   <li>{@code ts} is in epoch <b>seconds</b>; {@link ChangeEvent#eventTimeMillis()} is {@code ts * 1000}.</li>
 *   <li>{@link ChangeEvent#primaryKeys()}: the value's {@code primary_key_columns} when present
 *       ({@code output_primary_key_columns}), else the {@code pk.*} fields of the default key
 *       {@code {"database":..,"table":..,"pk.id":..}}, else the column names of the array key format
 *       ({@code ["db","table",[{"id":1}]]}); empty when none of these is there.</li>
 *   <li>Values keep their JSON types (numbers with a fraction as exact {@code BigDecimal}; a number
 *       with more than 65 significant digits, a decimal exponent beyond ±400, or an integer beyond
 *       BIGINT UNSIGNED is a {@link DecodeException}, as no MySQL column holds it). A
 *       {@code tinyint(1)} arrives as its number and stays that number; Maxwell's messages carry
 *       no column types, so there is no boolean option.</li>
 *   <li><b>Temporal columns</b> stay the strings Maxwell sends, MySQL's own text:
 *       {@code "2026-12-04 18:45:08.583"} for a DATETIME or TIMESTAMP (a space between date and
 *       time; a TIMESTAMP in the zone Maxwell renders it in), {@code "2026-12-04"},
 *       {@code "18:45:08"}; a zero date stays {@code "0000-00-00 00:00:00"}. Without column types
 *       a DATETIME cannot be told from a VARCHAR holding the same text, and a string is never
 *       re-typed by its shape, so no {@link DateTimeStyle} applies: the text has the shape
 *       {@link CanalFlatMessageDecoder} gives with {@link DateTimeStyle#RAW} (which gives null for
 *       zero dates), not its default {@link DateTimeStyle#ISO_LOCAL}. For Elasticsearch
 *       to index them as dates, map those fields as {@code date} with a format for each fraction
 *       width used, e.g.
 *       {@code "yyyy-MM-dd HH:mm:ss||yyyy-MM-dd HH:mm:ss.SSS||yyyy-MM-dd HH:mm:ss.SSSSSS||strict_date"}
 *       (the document keeps the text as sent).</li>
 * </ul>
 * <p><b>Row images.</b> A Maxwell message does not say which {@code binlog_row_image} the server
 * logs, and with {@code MINIMAL} or {@code NOBLOB} its {@code data} holds only the logged columns;
 * replacing a document with such a row would delete the missing columns' values from it. So each
 * event's row is {@link RowImage#UNKNOWN} (rules upsert) unless the application states that the
 * server logs full rows with {@link Builder#fullRowImage(boolean) fullRowImage(true)}; then it is
 * {@link RowImage#FULL}, which lets rules in the default write mode index instead of upsert.
 *
 * <p>Immutable and thread-safe.
 */
public final class MaxwellDecoder implements MessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(MaxwellDecoder.class);

    @Nullable
    private final DdlListener ddlListener;
    private final BiPredicate<String, String> syncedTables;
    private final RowImage rowImage;

    private MaxwellDecoder(Builder b) {
        this.ddlListener = b.ddlListener;
        this.rowImage = b.fullRowImage ? RowImage.FULL : RowImage.UNKNOWN;
        this.syncedTables = b.syncedTables;
    }

    /** A decoder with the defaults: no DDL listener, every table counts as synced. */
    public static MaxwellDecoder create() {
        return builder().build();
    }

    /** A decoder that tells {@code ddlListener} about the DDL messages it skips; otherwise the defaults. */
    public static MaxwellDecoder withDdlListener(DdlListener ddlListener) {
        return builder().ddlListener(Objects.requireNonNull(ddlListener, "ddlListener")).build();
    }

    /** A builder with the defaults of {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The values a {@link dev.binlogsync.core.backfill.Backfill} must read for its documents to
     * equal this stream's, typed as this decoder types Maxwell's JSON for the same row: integers
     * and {@code DECIMAL}s as JSON numbers ({@code Integer}, {@code Long}, {@code BigInteger}; a
     * decimal with a scale as {@code BigDecimal}), {@code FLOAT} / {@code DOUBLE} the
     * {@code BigDecimal} of the float's / double's text, {@code BIT} and {@code YEAR} their
     * numbers, {@code DATE} / {@code DATETIME} / {@code TIME} MySQL's text (a zero or partly zero
     * date as {@code 0000-00-00} / {@code 0000-00-00 00:00:00}), {@code TIMESTAMP} its text in
     * UTC (the zero timestamp null), {@code SET} a list of its members, {@code JSON} parsed,
     * binary base64, the rest their text. Thread-safe.
     */
    public BackfillValues backfillValues() {
        return new DecoderBackfillValues(DecoderBackfillValues.Format.MAXWELL, false, DateTimeStyle.RAW,
                java.time.ZoneOffset.UTC);
    }

    @Override
    public List<ChangeEvent> decode(@Nullable byte[] key, @Nullable byte[] value, SourcePosition position) {
        Objects.requireNonNull(position, "position");
        if (value == null) {
            throw new DecodeException("a Maxwell message must not be empty, got a null value (tombstone)");
        }
        JsonNode root = JsonValues.parse(value, "the record value");
        if (!root.isObject()) {
            throw new DecodeException("a Maxwell message must be a JSON object, got " + root.getNodeType());
        }
        String type = JsonValues.requireText(root, "type", "the Maxwell message");
        Operation op;
        switch (type) {
            case "insert":
            case "bootstrap-insert":
                op = Operation.INSERT;
                break;
            case "update":
                op = Operation.UPDATE;
                break;
            case "delete":
                op = Operation.DELETE;
                break;
            case "bootstrap-start":
            case "bootstrap-complete":
                return List.of();
            default:
                if (type.startsWith("table-") || type.startsWith("database-")) {
                    String db = root.path("database").asText("");
                    String table = root.path("table").asText("");
                    // a table whose name the message leaves out may be a synced one
                    if (type.equals("table-drop") && (table.isEmpty() || syncedTables.test(db, table))) {
                        throw Unfollowable.tableReset(db, table, "DROP TABLE");
                    }
                    String sql = root.path("sql").asText("");
                    if (LOG.isInfoEnabled()) {
                        LOG.info("Skipping DDL at {}: {} on {}.{}: {}", position, UntrustedText.shown(type, 64),
                                UntrustedText.shown(db, 64), UntrustedText.shown(table, 64), UntrustedText.sql(sql));
                    }
                    if (ddlListener != null) {
                        ddlListener.onDdl(db, table, type, sql, position);
                    }
                    return List.of();
                }
                throw new DecodeException("unknown type '" + UntrustedText.shown(type, 64)
                        + "' (expected insert, update, delete, bootstrap-* or a DDL type)");
        }
        String db = Identifiers.check(JsonValues.requireText(root, "database", "a Maxwell " + type + " message"), "database");
        String table = Identifiers.check(JsonValues.requireText(root, "table", "a Maxwell " + type + " message"), "table");
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new DecodeException("missing 'data' object in a Maxwell " + type + " on " + db + "." + table);
        }
        Map<String, Object> row = JsonValues.toRow(data, db + "." + table, "data");
        Map<String, Object> old = Map.of();
        if (op == Operation.UPDATE) {
            JsonNode oldNode = root.get("old");
            if (oldNode != null && oldNode.isObject()) {
                old = JsonValues.toRow(oldNode, db + "." + table, "old");
            } else if (oldNode != null && !oldNode.isNull()) {
                throw new DecodeException("'old' must be an object in a Maxwell update on " + db + "." + table);
            }
        }
        JsonNode ts = root.get("ts");
        long millis = ts != null && ts.isNumber() ? ts.longValue() * 1000L : 0L;
        return Collections.singletonList(
                new ChangeEvent(db, table, op, row, old, primaryKeys(root, key), millis, position, rowImage));
    }

    private static List<String> primaryKeys(JsonNode value, @Nullable byte[] key) {
        JsonNode columns = value.get("primary_key_columns");
        if (columns != null && columns.isArray()) {
            List<String> names = new ArrayList<>(columns.size());
            columns.forEach(c -> names.add(Identifiers.check(c.asText(), "primary key column")));
            return Collections.unmodifiableList(names);
        }
        if (key == null) {
            return List.of();
        }
        JsonNode k = JsonValues.parse(key, "the record key");
        List<String> names = new ArrayList<>(2);
        if (k.isObject()) {
            Iterator<String> it = k.fieldNames();
            while (it.hasNext()) {
                String f = it.next();
                if (f.startsWith("pk.")) {
                    names.add(Identifiers.check(f.substring(3), "primary key column"));
                }
            }
        } else if (k.isArray() && k.size() >= 3 && k.get(2).isArray()) {
            for (JsonNode pk : k.get(2)) {
                pk.fieldNames().forEachRemaining(name -> names.add(Identifiers.check(name, "primary key column")));
            }
        }
        return Collections.unmodifiableList(names);
    }

    @Override
    public String toString() {
        return "MaxwellDecoder{ddlListener=" + (ddlListener != null) + "}";
    }

    /**
     * Configures a {@link MaxwellDecoder}. Not thread-safe; {@link #build()} may be called more
     * than once.
     */
    public static final class Builder {
        @Nullable
        private DdlListener ddlListener;
        private BiPredicate<String, String> syncedTables = (database, table) -> true;
        private boolean fullRowImage;

        private Builder() {
        }

        /** Told about each skipped DDL message; default none (DDL is only logged). */
        public Builder ddlListener(@Nullable DdlListener listener) {
            this.ddlListener = listener;
            return this;
        }

        /**
         * The tables whose {@code table-drop} is an error: {@code (database, table) -> true} for a
         * table the pipeline syncs. Default: every table. A drop of any other table is skipped as
         * DDL (logged, and passed to the {@link #ddlListener}); rows of every table are decoded
         * whatever this says (the rules decide about them). With {@code Rules}:
         * {@code syncedTables((db, t) -> !rules.rulesFor(db, t).isEmpty())}.
         */
        public Builder syncedTables(BiPredicate<String, String> tables) {
            this.syncedTables = Objects.requireNonNull(tables, "syncedTables");
            return this;
        }

        /**
         * Whether the server logs full row images ({@code binlog_row_image=FULL}, MySQL's and
         * MariaDB's default); default false, because a message cannot show it and a wrong
         * {@code true} deletes column values from documents. When true every row is
         * {@link RowImage#FULL}, so rules in the default write mode that own their documents index
         * instead of upserting; when false every row is {@link RowImage#UNKNOWN} and they upsert.
         * Set it true only for a server that logs {@code FULL} for every session that changes the
         * synced tables.
         */
        public Builder fullRowImage(boolean full) {
            this.fullRowImage = full;
            return this;
        }

        /** The decoder. */
        public MaxwellDecoder build() {
            return new MaxwellDecoder(this);
        }
    }
}
