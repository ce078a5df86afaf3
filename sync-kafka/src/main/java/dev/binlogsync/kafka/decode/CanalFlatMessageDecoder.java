package dev.binlogsync.kafka.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.kafka.internal.CanalMessage;
import dev.binlogsync.kafka.internal.CanalMessageReader;
import dev.binlogsync.kafka.internal.CanalValueConverter;
import dev.binlogsync.kafka.internal.DecoderBackfillValues;
import dev.binlogsync.kafka.internal.Unfollowable;
import java.io.IOException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Canal flat messages ({@code canal.mq.flatMessage=true}): one JSON object per Kafka
 * record, carrying one or more rows of one table.
 *
 * <p><b>Rows.</b> Each element of {@code data} becomes one {@link ChangeEvent}, in order, with the
 * message's {@code database}, {@code table}, {@code pkNames} (as {@link ChangeEvent#primaryKeys()},
 * empty when null) and {@code es} (as {@link ChangeEvent#eventTimeMillis()}). For {@code UPDATE}
 * the matching element of {@code old} (the previous values of the changed columns) becomes
 * {@link ChangeEvent#oldValues()}, typed like the row. For {@code DELETE}, {@code data} is the
 * before image.
 *
 * <p><b>Types.</b> Canal sends every value as a JSON string; the column's {@code mysqlType} (or,
 * when absent or unknown, its {@code sqlType}) decides the Java value:
 * <table>
 * <caption>Column type to value</caption>
 * <tr><th>MySQL type</th><th>value</th></tr>
 * <tr><td>tinyint, smallint, mediumint, int</td><td>{@code Integer}</td></tr>
 * <tr><td>int unsigned, bigint</td><td>{@code Long}</td></tr>
 * <tr><td>bigint unsigned</td><td>{@code Long}, or {@code BigInteger} beyond {@code Long.MAX_VALUE}
 *     (up to 18446744073709551615; a larger value is a {@link DecodeException})</td></tr>
 * <tr><td>tinyint(1), bool</td><td>{@code Integer} (the column holds -128..127, or 0..255 unsigned:
 *     the 1 is a display width); with {@link Builder#tinyint1AsBoolean(boolean) tinyint1AsBoolean(true)}
 *     {@code Boolean} for 0 and 1, and a {@link DecodeException} for any other value</td></tr>
 * <tr><td>decimal, numeric</td><td>{@code BigDecimal}, exactly as sent (scale kept); a value beyond
 *     MySQL's {@code DECIMAL(65, 30)} (more than 65 digits, more than 30 after the point, or an
 *     exponent such as {@code 1E+999999999}) is a {@link DecodeException}</td></tr>
 * <tr><td>float / double</td><td>{@code Float} / {@code Double}</td></tr>
 * <tr><td>bit(1) / bit(n)</td><td>{@code Boolean} / {@code Long} (Canal sends the number)</td></tr>
 * <tr><td>year</td><td>{@code Integer} ({@code 0000} becomes null)</td></tr>
 * <tr><td>date</td><td>{@code "yyyy-MM-dd"}</td></tr>
 * <tr><td>datetime, timestamp</td><td>a string in the configured {@link DateTimeStyle}</td></tr>
 * <tr><td>time</td><td>the string as sent ({@code "-838:59:59"} is valid MySQL)</td></tr>
 * <tr><td>json</td><td>parsed: {@code Map}, {@code List}, {@code String}, numbers, {@code Boolean};
 *     a number with more than 65 significant digits, a decimal exponent beyond ±400 or an integer
 *     beyond BIGINT UNSIGNED is a {@link DecodeException}</td></tr>
 * <tr><td>enum</td><td>{@code String}: the member that the index Canal sends (the binlog's
 *     number, 1 for the first member) names in the {@code mysqlType} text; 0 is MySQL's error
 *     value {@code ""}; an index beyond the members, or a type text without members, is a
 *     {@link DecodeException}; a value that is not a number is taken as the member itself</td></tr>
 * <tr><td>set</td><td>{@code List<String>} of the members the bitmap Canal sends holds, in their
 *     declaration order ({@code 0} is an empty list); a bit beyond the members is a
 *     {@link DecodeException}; a value that is not a number is split at commas ({@code ""} is an
 *     empty list). Without a {@code mysqlType}, from {@code sqlType} alone, the numbers stay
 *     numbers</td></tr>
 * <tr><td>binary, varbinary, blob, geometry</td><td>base64 {@code String} of the original bytes
 *     (Canal carries them as ISO-8859-1 text)</td></tr>
 * <tr><td>char, varchar, text and anything else</td><td>{@code String}</td></tr>
 * </table>
 * A JSON null stays null. Zero dates ({@code 0000-00-00}, any zero month or day) become null and
 * never fail. A value that does not fit its declared type (e.g. {@code "abc"} in an int column)
 * makes the whole message fail with a {@link DecodeException} naming the table, column, type, row
 * and value.
 *
 * <p><b>Changes the index cannot follow</b> are {@link DecodeException}s (the pipeline's failure
 * policy decides: stop by default, dead letter, or counted skip), never a silent drop:
 * {@code TRUNCATE} and {@code ERASE} ({@code DROP TABLE}) of a table in
 * {@link Builder#syncedTables(BiPredicate) syncedTables} (every table by default), as they remove
 * rows without a row event; a {@code QUERY} message with {@code isDdl: false} (a statement-format
 * change, {@code binlog_format=STATEMENT} or {@code MIXED}, which carries no rows) of such a table;
 * and an {@code INSERT}, {@code UPDATE} or {@code DELETE} without rows (Canal's form of a
 * statement-format change: the statement in {@code sql}, no {@code data}), or with an empty
 * {@code data} array, of such a table. A table counts as synced when the message names none, and a
 * {@code TRUNCATE} / {@code DROP TABLE} whose statement lists several tables always counts as one
 * (Canal names only one of them).
 *
 * <p><b>DDL</b> ({@code isDdl: true}, or a type such as {@code ALTER}, {@code CREATE},
 * {@code RENAME}, {@code CINDEX}, {@code DINDEX}, {@code QUERY}; and {@code TRUNCATE} /
 * {@code ERASE} of a table outside {@code syncedTables}, or {@code ERASE} naming no table) yields no
 * events; it is logged at INFO (names and statement capped and escaped, a statement that may
 * carry credentials shown only as its first keywords, see {@link UntrustedText#sql(String)}) and
 * passed, as it is, to the optional {@link DdlListener}. Any other unknown
 * {@code type} is a {@link DecodeException}.
 *
 * <p><b>Input.</b> UTF-8 JSON (as Canal writes it), optionally after a byte order mark. The
 * message, rows included, is read by a byte scanner: a plain value (printable ASCII without
 * escapes, as nearly all are) is typed straight from its bytes once the column types are known;
 * strings with escapes or other characters are decoded and checked by Jackson, as are numbers and
 * booleans where Canal would send strings. Rows are compact insertion-ordered maps (keys and
 * values in two arrays); their column names are shared strings, found by comparing bytes with the
 * columns of recent rows (16 column layouts are remembered) or in a bounded cache. The
 * {@code mysqlType}, {@code sqlType} and {@code pkNames} values, which repeat byte for byte in
 * every message of a table, are parsed once and then found by their bytes (bounded caches of 1024
 * distinct values and 4 MiB of keys each, a value over 256 KiB is parsed every time instead; the
 * 4 most recent of each compared in place), as are the database and table names. A database,
 * table or column name longer than MySQL's 64 characters, or a row of more than 4096 columns, is a
 * {@link DecodeException}. Malformed JSON is a {@link DecodeException} saying where; the values of fields this
 * decoder does not read are skipped by their structure, without checking their syntax inside. A
 * column repeated within a row keeps its first position and its last value. Thread-safe; its
 * configuration is immutable.
 *
 * <p><b>Row images.</b> Each event says whether its row is the whole row
 * ({@link ChangeEvent#rowImage()}), which lets rules in the default write mode index instead of
 * upsert. Canal's message does not say which {@code binlog_row_image} the server logs: with
 * {@code MINIMAL} or {@code NOBLOB} Canal leaves out the columns the image does not hold, and its
 * {@code mysqlType} and {@code sqlType} list only the columns of the rows it sends, so a message
 * cannot show that columns are missing. Replacing a document with such a row would delete the
 * missing columns' values from it. So every row is {@link RowImage#UNKNOWN} (rules upsert, keeping
 * the columns a row does not carry) unless the application states that the server logs full rows
 * with {@link Builder#fullRowImage(boolean) fullRowImage(true)}; then a row is
 * {@link RowImage#FULL}, or {@link RowImage#PARTIAL} if it has fewer columns than its message lists.
 *
 * <pre>{@code
 * MessageDecoder canal = CanalFlatMessageDecoder.builder()
 *         .dateTimeStyle(DateTimeStyle.ISO_OFFSET)
 *         .zone(ZoneId.of("Asia/Shanghai"))
 *         .build();
 * }</pre>
 */
public final class CanalFlatMessageDecoder implements MessageDecoder {


    private static final Logger LOG = LoggerFactory.getLogger(CanalFlatMessageDecoder.class);
    private static final List<String> DDL_TYPES =
            List.of("CREATE", "ALTER", "ERASE", "TRUNCATE", "RENAME", "CINDEX", "DINDEX", "QUERY", "GTID");

    private final boolean tinyint1AsBoolean;
    /** The image of a row the message does not show to be partial. */
    private final RowImage wholeRows;
    private final BiPredicate<String, String> syncedTables;
    private final DateTimeStyle dateTimeStyle;
    private final ZoneId zone;
    @Nullable
    private final DdlListener ddlListener;
    /** Reads the message and holds the caches of type objects, names and column layouts. */
    private final CanalMessageReader reader = new CanalMessageReader();
    /** Types the rows' values by their columns' types. */
    private final CanalValueConverter values;

    private CanalFlatMessageDecoder(Builder b) {
        this.tinyint1AsBoolean = b.tinyint1AsBoolean;
        this.wholeRows = b.fullRowImage ? RowImage.FULL : RowImage.UNKNOWN;
        this.syncedTables = b.syncedTables;
        this.dateTimeStyle = b.dateTimeStyle;
        this.zone = b.zone;
        this.values = new CanalValueConverter(b.tinyint1AsBoolean, b.dateTimeStyle, b.zone);
        this.ddlListener = b.ddlListener;
    }

    /**
     * A decoder with the defaults: tinyint(1) as its number, {@link DateTimeStyle#ISO_LOCAL}, UTC,
     * every table counts as synced.
     */
    public static CanalFlatMessageDecoder create() {
        return builder().build();
    }

    /** A builder with the defaults of {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The values a {@link dev.binlogsync.core.backfill.Backfill} must read for its documents to
     * equal this stream's: each column of a row typed exactly as this decoder, with its options
     * ({@code tinyint1AsBoolean}, {@code dateTimeStyle}, {@code zone}), types the text Canal sends
     * for the same MySQL value (the table above), because the row is rendered as that text and
     * converted by this decoder's own conversion. Give it to
     * {@code Backfill.builder().values(...)}; the {@code zone} must be the zone Canal's server
     * renders TIMESTAMP values in, as for the stream. Thread-safe.
     */
    public BackfillValues backfillValues() {
        return new DecoderBackfillValues(DecoderBackfillValues.Format.CANAL, tinyint1AsBoolean, dateTimeStyle, zone);
    }

    @Override
    public List<ChangeEvent> decode(@Nullable byte[] key, @Nullable byte[] value, SourcePosition position) {
        Objects.requireNonNull(position, "position");
        if (value == null) {
            throw new DecodeException("a Canal flat message must not be empty, got a null value (tombstone)");
        }
        CanalMessage m;
        try {
            m = reader.read(value);
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed JSON: " + UntrustedText.shown(e.getOriginalMessage(), 256) + " at "
                    + e.getLocation().offsetDescription(), e);
        } catch (IOException e) {
            throw new DecodeException("cannot read the message: " + e, e);
        }
        return events(m, position);
    }

    private List<ChangeEvent> events(CanalMessage m, SourcePosition position) {
        String type = m.type();
        boolean dml = !m.isDdl() && ("INSERT".equals(type) || "UPDATE".equals(type) || "DELETE".equals(type));
        if (!dml && (m.isDdl() || (type != null && DDL_TYPES.contains(type)))) {
            String db = m.database() == null ? "" : m.database();
            String table = m.table() == null ? "" : m.table();
            String sql = m.sql() == null ? "" : m.sql();
            boolean reset = "TRUNCATE".equals(type) || ("ERASE".equals(type) && !table.isEmpty());
            boolean statement = "QUERY".equals(type) && !m.isDdl();
            // Canal's DDL parser names one table, mangled, for a statement of several
            boolean several = reset && sql.indexOf(',') >= 0;
            // a table whose name the message leaves out may be a synced one
            if ((reset || statement) && (several || table.isEmpty() || syncedTables.test(db, table))) {
                String statementType = "TRUNCATE".equals(type) ? "TRUNCATE TABLE" : "DROP TABLE";
                if (several) {
                    throw Unfollowable.tableReset(db, statementType + " of several tables ('" + abbreviateSql(sql) + "')");
                }
                if (reset) {
                    throw Unfollowable.tableReset(db + "." + table, statementType);
                }
                throw new DecodeException(db + "." + table + ": a statement-format change (QUERY, not DDL) carries no rows and"
                        + " cannot be applied to the index; the binlog must be in ROW format (binlog_format=ROW): "
                        + abbreviateSql(sql));
            }
            if (LOG.isInfoEnabled()) {
                LOG.info("Skipping DDL at {}: {} on {}.{}: {}", position, abbreviate(type == null ? "" : type), abbreviate(db),
                        abbreviate(table), UntrustedText.sql(sql));
            }
            if (ddlListener != null) {
                ddlListener.onDdl(db, table, type == null ? "" : type, sql, position);
            }
            return List.of();
        }
        if (type == null) {
            throw new DecodeException("missing 'type'");
        }
        Operation op;
        switch (type) {
            case "INSERT": op = Operation.INSERT; break;
            case "UPDATE": op = Operation.UPDATE; break;
            case "DELETE": op = Operation.DELETE; break;
            default: throw new DecodeException("unknown type '" + abbreviate(type) + "' (expected INSERT, UPDATE, DELETE or a DDL type)");
        }
        if (m.database() == null || m.database().isEmpty()) {
            throw new DecodeException("missing 'database' in a " + type + " message");
        }
        if (m.table() == null || m.table().isEmpty()) {
            throw new DecodeException("missing 'table' in a " + type + " message on " + m.database());
        }
        boolean noRows = m.data() == null || m.data().isEmpty();
        if (noRows && !syncedTables.test(m.database(), m.table())) {
            LOG.info("Skipping a {} without rows of {}.{} at {}: not a synced table", type, abbreviate(m.database()),
                    abbreviate(m.table()), position);
            return List.of();
        }
        if (noRows && m.sql() != null && !m.sql().isBlank()) {
            throw new DecodeException(m.database() + "." + m.table() + ": " + (op == Operation.DELETE ? "a " : "an ") + type
                    + " message without rows, its statement in 'sql' (a statement-format change), cannot be applied to the"
                    + " index; the binlog must be in ROW format (binlog_format=ROW): " + abbreviateSql(m.sql()));
        }
        if (m.data() == null) {
            throw new DecodeException("missing 'data' in a " + type + " message on " + m.database() + "." + m.table());
        }
        List<CanalMessage.RawRow> old = m.old();
        if (op == Operation.UPDATE && old != null && old.size() != m.data().size()) {
            throw new DecodeException("'old' has " + old.size() + " rows but 'data' has " + m.data().size()
                    + " in an UPDATE on " + m.database() + "." + m.table());
        }
        List<String> pks = m.pkNames() == null ? List.of() : m.pkNames();
        int n = m.data().size();
        if (n == 0) {
            throw new DecodeException(m.database() + "." + m.table() + ": " + (op == Operation.DELETE ? "a " : "an ") + type
                    + " message with no rows cannot be applied to the index (a statement-format change?"
                    + " the binlog must be in ROW format)");
        }
        List<ChangeEvent> events = n == 1 ? null : new ArrayList<>(n);
        int columns = m.typedColumns();
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = values.typed(m, m.data().get(i), i, "data");
            Map<String, Object> before = Map.of();
            if (op == Operation.UPDATE && old != null) {
                CanalMessage.RawRow o = old.get(i);
                if (o != null) {
                    before = values.typed(m, o, i, "old");
                }
            }
            ChangeEvent e = new ChangeEvent(m.database(), m.table(), op, row, before, pks, m.es(), position,
                    row.size() < columns ? RowImage.PARTIAL : wholeRows);
            if (n == 1) {
                return Collections.singletonList(e);
            }
            events.add(e);
        }
        return events;
    }

    /** Message content quoted in a log line or an error: capped at 64 characters and escaped. */
    private static String abbreviate(String s) {
        return UntrustedText.shown(s, 64);
    }

    /** A statement quoted in an error: {@link #abbreviate}, and shown only as its first keywords when it may carry credentials. */
    private static String abbreviateSql(String sql) {
        return UntrustedText.sql(sql, 64);
    }

    @Override
    public String toString() {
        return "CanalFlatMessageDecoder{tinyint1AsBoolean=" + tinyint1AsBoolean + ", fullRowImage="
                + (wholeRows == RowImage.FULL) + ", dateTimeStyle=" + dateTimeStyle
                + ", zone=" + zone + ", ddlListener=" + (ddlListener != null) + "}";
    }

    /**
     * Configures a {@link CanalFlatMessageDecoder}. Not thread-safe; {@link #build()} may be called
     * more than once.
     */
    public static final class Builder {
        private boolean tinyint1AsBoolean;
        private boolean fullRowImage;
        private BiPredicate<String, String> syncedTables = (database, table) -> true;
        private DateTimeStyle dateTimeStyle = DateTimeStyle.ISO_LOCAL;
        private ZoneId zone = ZoneOffset.UTC;
        @Nullable
        private DdlListener ddlListener;

        private Builder() {
        }

        /**
         * Whether {@code tinyint(1)} (and {@code bool}) columns become {@code Boolean}; default
         * false: they keep their number as an {@code Integer}, since the column stores -128..127
         * (0..255 unsigned) whatever its display width. When true, 0 becomes false, 1 true, and
         * any other value makes the message a {@link DecodeException} naming the column and value
         * (for the failure policy), so no value is ever changed silently.
         */
        public Builder tinyint1AsBoolean(boolean asBoolean) {
            this.tinyint1AsBoolean = asBoolean;
            return this;
        }

        /**
         * The tables whose {@code TRUNCATE}, {@code DROP TABLE} and statement-format changes are
         * errors: {@code (database, table) -> true} for a table the pipeline syncs. Default: every
         * table. Such a change of any other table is skipped as DDL (logged, and passed to the
         * {@link #ddlListener}); rows of every table are decoded whatever this says (the rules
         * decide about them). With {@code Rules}:
         * {@code syncedTables((db, t) -> !rules.rulesFor(db, t).isEmpty())}.
         */
        public Builder syncedTables(BiPredicate<String, String> tables) {
            this.syncedTables = Objects.requireNonNull(tables, "syncedTables");
            return this;
        }

        /** How datetime and timestamp values are rendered; default {@link DateTimeStyle#ISO_LOCAL}. */
        public Builder dateTimeStyle(DateTimeStyle style) {
            this.dateTimeStyle = Objects.requireNonNull(style, "dateTimeStyle");
            return this;
        }

        /**
         * The zone the datetime / timestamp strings Canal sends are local to (the MySQL session /
         * Canal server zone); used only by {@link DateTimeStyle#ISO_OFFSET} and
         * {@link DateTimeStyle#ISO_UTC}. Default UTC.
         */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /**
         * Whether the server logs full row images ({@code binlog_row_image=FULL}, MySQL's and
         * MariaDB's default); default false, because a message cannot show it and a wrong
         * {@code true} deletes column values from documents. When true, a row is
         * {@link RowImage#FULL} unless it has fewer columns than its message lists
         * ({@link RowImage#PARTIAL}), so rules in the default write mode that own their documents
         * index instead of upserting (about half the node's CPU per change, BENCHMARKS.md, "End to
         * end"); when false, a row is {@link RowImage#UNKNOWN} and they upsert. Set it true only for
         * a server that logs {@code FULL} for every session that changes the synced tables.
         */
        public Builder fullRowImage(boolean full) {
            this.fullRowImage = full;
            return this;
        }

        /** Told about each skipped DDL message; default none (DDL is only logged). */
        public Builder ddlListener(@Nullable DdlListener listener) {
            this.ddlListener = listener;
            return this;
        }

        /** The decoder. */
        public CanalFlatMessageDecoder build() {
            return new CanalFlatMessageDecoder(this);
        }
    }
}
