package dev.binlogsync.core.rules;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.filter.SqlFilter;
import dev.binlogsync.core.rules.internal.CompiledRule;
import dev.binlogsync.core.rules.internal.IndexTemplate;
import dev.binlogsync.core.rules.internal.NamePattern;
import dev.binlogsync.core.rules.internal.RuleSpec;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * One mapping from tables to an index: which tables, which rows, which index, which id, which
 * fields. Build with {@link #builder()}; combine into a {@link Rules}.
 *
 * <pre>{@code
 * TableRule orders = TableRule.builder()
 *     .database("shop").table("order_[0-9]+")          // sharded tables, one index
 *     .index("orders-{created_at:yyyy.MM}")             // monthly indexes
 *     .where("type IN (1,2) AND status <> 'deleted'")
 *     .exclude("internal_note")
 *     .rename("uid", "user_id")
 *     .convert("tags", Converters.split(","))
 *     .build();
 * }</pre>
 *
 * <p><b>Matching.</b> {@link Builder#database} and {@link Builder#table} take an exact name, a
 * wildcard ({@code *}, {@code ?}: {@code order_*}) or, when the text has any other character, a
 * regular expression matching the whole name ({@code order_[0-9]+}). The database defaults to
 * {@code *}. Several rules may match one table (one table feeding several indexes).
 *
 * <p><b>Writing.</b> An insert writes the mapped row; an update writes the whole mapped new row
 * (never only the changed columns, so a missing document is recreated whole); a delete deletes the
 * document. Deletes and updates find the document where it lives: the index template, id and
 * routing are computed from the before image. When an update changes any of them (a primary-key
 * change, a templated date moved to another month, a new routing value), the old document is
 * deleted and the new one written in full. A write is an {@code index} or an upsert as the
 * {@linkplain Builder#writeMode write mode} decides: by default ({@link WriteMode#AUTO}) an
 * {@code index} where the rule owns its documents and the change carries the whole row.
 *
 * <p><b>Filter transitions.</b> With a filter, an update whose old row matched and whose new row
 * does not deletes the document; one that did not match and now does writes the full row; an insert
 * or delete of a row that does not match does nothing.
 *
 * <p><b>Merging several tables into one document.</b> {@link Builder#mergeInto} makes the rule write
 * its fields (optionally {@linkplain Builder#nestUnder nested under one field}) into the document
 * whose id is the given foreign-key column(s), as a partial {@link dev.binlogsync.core.ActionType#UPDATE}
 * that never creates the document: when the parent's document does not exist (deleted, filtered
 * out, or not written yet) the child's change is done without effect and counted as
 * {@linkplain dev.binlogsync.core.ItemResult.Outcome#MISSING missing}. Deleting the row clears those
 * fields or is ignored ({@link Builder#onMergedRowDelete}). A child's fields therefore appear in a
 * parent document written after the child's change only with the child's next change; partition
 * the child table by the parent's key so both travel in order. The parent table's rule must not
 * replace whole documents: in the default {@link WriteMode#AUTO} it upserts, because the merge rule
 * shares its index; {@link Rules.Builder#build()} rejects a merge rule whose index equals an
 * INDEX-mode rule's.
 *
 * <p><b>Values from rows.</b> An index template renders row values into an index name: the
 * rendered name must be one Elasticsearch accepts (see the index template rules in
 * {@link Builder#index}), and {@link Builder#allowIndexValues} / {@link Builder#allowIndexValuePattern}
 * restrict a placeholder further. A composite id escapes the delimiter inside its parts
 * ({@link Builder#idDelimiter}); an id over Elasticsearch's 512 bytes (UTF-8) is an error.
 *
 * <p><b>Failures.</b> A row without primary key and without configured id columns, a null id or
 * routing value, a templated column that is null or not a date, an invalid rendered index name or
 * one outside its allow-list, an id over 512 bytes, a converter or customizer throwing: each fails
 * the event with a {@link dev.binlogsync.core.SyncException} naming the table, the rule, the
 * problem and the source position (values capped and escaped), handled by the pipeline's
 * decode-failure policy.
 *
 * <p>Immutable and thread-safe.
 */
public final class TableRule {
    /** The default delimiter joining composite ids, as go-mysql-elasticsearch does. */
    public static final String DEFAULT_ID_DELIMITER = ":";

    private final String database;
    private final String table;
    private final String index;
    @Nullable private final SqlFilter where;
    @Nullable private final Filter filter;
    private final Map<String, Set<String>> allowedIndexValues;
    private final Map<String, String> allowedIndexValuePatterns;
    /** Everything else this rule does to a matched event: the settings' one home, and what compiles. */
    private final RuleSpec spec;

    final NamePattern databasePattern;
    final NamePattern tablePattern;
    private final CompiledRule compiled;

    private TableRule(Builder b, IndexTemplate template) {
        database = b.database;
        table = b.table;
        index = b.index;
        where = b.where;
        filter = b.filter;
        allowedIndexValues = Collections.unmodifiableMap(new LinkedHashMap<>(b.allowedIndexValues));
        allowedIndexValuePatterns = Collections.unmodifiableMap(new LinkedHashMap<>(b.allowedIndexValuePatterns));
        databasePattern = NamePattern.of(database, "database");
        tablePattern = NamePattern.of(table, "table");
        Filter effective = where;
        if (filter != null) {
            effective = effective == null ? filter : effective.and(filter);
        }
        spec = new RuleSpec(database + "." + table + " -> " + index, template, effective, b.timeZone, b.idColumns,
                b.idDelimiter, b.routingColumn, b.writeMode, b.versionColumn, b.versionFromBinlogTime, b.versionType,
                b.includes, b.excludes, b.renames, b.converters, b.constants, b.customizer, b.mergeInto, b.nestUnder,
                b.mergeDelete, b.appendOnly);
        compiled = new CompiledRule(spec);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether this rule applies to {@code database.table}. */
    public boolean matches(String database, String table) {
        return databasePattern.matches(database) && tablePattern.matches(table);
    }

    /**
     * Applies this rule alone to an event (filter, index, id, fields). See the class comment. Alone,
     * a rule in {@link WriteMode#AUTO} does not know whether another rule shares its documents, so it
     * upserts; within a {@link Rules} the rule set decides.
     */
    public void apply(ChangeEvent event, dev.binlogsync.core.ActionCollector out) {
        compiled.apply(event, out);
    }

    /** The database pattern; {@code *} by default. */
    public String database() {
        return database;
    }

    /** The table pattern. */
    public String table() {
        return table;
    }

    /** The index name or template. */
    public String index() {
        return index;
    }

    /** The zone epoch values and {@code {$time}} render in for the index template; UTC by default. */
    public ZoneId timeZone() {
        return spec.timeZone();
    }

    /** The settings, for {@link Rules} to compile the rule with what it knows of the others. */
    RuleSpec spec() {
        return spec;
    }

    /** The configured id columns; empty means the event's primary key. */
    public List<String> idColumns() {
        return spec.idColumns();
    }

    /** The delimiter joining composite ids; {@value #DEFAULT_ID_DELIMITER} by default. */
    public String idDelimiter() {
        return spec.idDelimiter();
    }

    /** The column whose value routes the document, or null for the default routing. */
    @Nullable
    public String routingColumn() {
        return spec.routingColumn();
    }

    /** How documents are written; {@link WriteMode#AUTO} by default. */
    public WriteMode writeMode() {
        return spec.writeMode();
    }

    /** The column holding the external version, or null. */
    @Nullable
    public String versionColumn() {
        return spec.versionColumn();
    }

    /** Whether the binlog event time (epoch ms) is the external version. */
    public boolean versionFromBinlogTime() {
        return spec.versionFromBinlogTime();
    }

    /** How external versions compare; {@link VersionType#EXTERNAL_GTE} by default. */
    public VersionType versionType() {
        return spec.versionType();
    }

    /** Whether the rule writes an external version. */
    public boolean isVersioned() {
        return spec.versionColumn() != null || spec.versionFromBinlogTime();
    }

    /** Columns to keep (empty: all). */
    public Set<String> includes() {
        return spec.includes();
    }

    /** Columns to drop. */
    public Set<String> excludes() {
        return spec.excludes();
    }

    /** Column to field renames. */
    public Map<String, String> renames() {
        return spec.renames();
    }

    /** Column to converter. */
    public Map<String, FieldConverter> converters() {
        return spec.converters();
    }

    /** Fields added to every written document. */
    public Map<String, Object> constants() {
        return spec.constants();
    }

    /** The last step of building each written document, or null when the rule has none. */
    @Nullable
    public DocumentCustomizer customizer() {
        return spec.customizer();
    }

    /** The SQL filter, or null. */
    @Nullable
    public SqlFilter where() {
        return where;
    }

    /** The code filter, or null; combined with {@link #where()} by AND. */
    @Nullable
    public Filter filter() {
        return filter;
    }

    /** The foreign-key columns naming the parent document; empty for a normal rule. */
    public List<String> mergeInto() {
        return spec.mergeInto();
    }

    /** Whether this is a merge rule: {@link #mergeInto()} is not empty. */
    public boolean isMerge() {
        return spec.isMerge();
    }

    /** The field the merged fields nest under, or null for top level. */
    @Nullable
    public String nestUnder() {
        return spec.nestUnder();
    }

    /** For a merge rule, what a delete of its row does; {@link MergeDelete#CLEAR} by default. */
    public MergeDelete mergeDelete() {
        return spec.mergeDelete();
    }

    /**
     * Whether the rule declares its tables append-only (see {@link Builder#appendOnly()}); false by
     * default.
     */
    public boolean appendOnly() {
        return spec.appendOnly();
    }

    /**
     * Per index-template placeholder ({@code region}, {@code $table}), the only values it may
     * render (lower case); empty by default. See {@link Builder#allowIndexValues}.
     */
    public Map<String, Set<String>> allowedIndexValues() {
        return allowedIndexValues;
    }

    /**
     * Per index-template placeholder, the regular expression every value it renders must match
     * whole; empty by default. See {@link Builder#allowIndexValuePattern}.
     */
    public Map<String, String> allowedIndexValuePatterns() {
        return allowedIndexValuePatterns;
    }

    @Override
    public String toString() {
        return spec.name();
    }

    /**
     * Builds a {@link TableRule}. Each setter validates its argument at once
     * ({@link IllegalArgumentException}); {@link #build()} checks combinations
     * ({@link IllegalStateException}). Not thread-safe.
     */
    public static final class Builder {
        private String database = "*";
        @Nullable private String table;
        @Nullable private String index;
        private ZoneId timeZone = ZoneOffset.UTC;
        private List<String> idColumns = List.of();
        private String idDelimiter = DEFAULT_ID_DELIMITER;
        @Nullable private String routingColumn;
        private WriteMode writeMode = WriteMode.AUTO;
        @Nullable private String versionColumn;
        private boolean versionFromBinlogTime;
        private VersionType versionType = VersionType.EXTERNAL_GTE;
        private final Set<String> includes = new LinkedHashSet<>();
        private final Set<String> excludes = new LinkedHashSet<>();
        private final Map<String, String> renames = new LinkedHashMap<>();
        private final Map<String, FieldConverter> converters = new LinkedHashMap<>();
        private final Map<String, Object> constants = new LinkedHashMap<>();
        @Nullable private DocumentCustomizer customizer;
        @Nullable private SqlFilter where;
        @Nullable private Filter filter;
        private List<String> mergeInto = List.of();
        @Nullable private String nestUnder;
        private MergeDelete mergeDelete = MergeDelete.CLEAR;
        private boolean appendOnly;
        private final Map<String, Set<String>> allowedIndexValues = new LinkedHashMap<>();
        private final Map<String, String> allowedIndexValuePatterns = new LinkedHashMap<>();

        private Builder() {
        }

        /** The database name, wildcard or regex; default {@code *}. */
        public Builder database(String pattern) {
            NamePattern.of(pattern, "database");
            this.database = pattern;
            return this;
        }

        /** The table name, wildcard or regex. Required. */
        public Builder table(String pattern) {
            NamePattern.of(pattern, "table");
            this.table = pattern;
            return this;
        }

        /**
         * The index name, or a template such as {@code orders-{created_at:yyyy.MM}}. Required. A
         * template with {@code {$time:...}} (the binlog event time) needs {@link #appendOnly()}.
         * Placeholders: {@code {column}}, {@code {column:pattern}} (a date column formatted),
         * {@code {$database}}, {@code {$table}}, {@code {$time:pattern}}. Rendered values are
         * lower-cased; the rendered name must then be a valid Elasticsearch index name: not empty,
         * not {@code .} or {@code ..}, not starting with {@code -}, {@code _} or {@code +}, not
         * starting with {@code .} unless the template's text does, none of
         * {@code \ / * ? " < > | , # :}, no whitespace, control or format character, at most 255
         * bytes in UTF-8. A row that renders anything else fails (see the class comment).
         *
         * @throws IllegalArgumentException if the template does not parse, or a name without
         *     placeholders breaks these rules
         */
        public Builder index(String indexOrTemplate) {
            Objects.requireNonNull(indexOrTemplate, "index");
            IndexTemplate.parse(indexOrTemplate, timeZone);
            this.index = indexOrTemplate;
            return this;
        }

        /**
         * Declares the rule's tables append-only: rows are inserted, never updated or deleted (logs,
         * events, audit trails). Required for an index template with {@code {$time:...}}: that
         * index is the period the change happened in, not the one the row was written to, so an
         * update or delete of an earlier row would go to the wrong index. In an append-only rule an
         * update or delete of a row the rule's filter accepts (before or after the change) fails
         * the event with a {@link dev.binlogsync.core.SyncException} naming the table and the source
         * position, for the pipeline's decode-failure policy. Default: not append-only.
         */
        public Builder appendOnly() {
            this.appendOnly = true;
            return this;
        }

        /**
         * Restricts what one placeholder of the index template may render to {@code values}: a
         * row whose placeholder renders anything else (after lower-casing and date formatting)
         * fails with a {@link dev.binlogsync.core.SyncException} naming the rule, the placeholder,
         * the value (capped and escaped) and the source position, for the pipeline's
         * decode-failure policy, instead of writing to an index nobody planned. Use it for a
         * column whose values an application's users can set ({@code allowIndexValues("region",
         * Set.of("eu", "us"))}). The placeholder is a column name or {@code $database} /
         * {@code $table} / {@code $time}, as written in the template; {@link #build()} rejects a
         * placeholder the template does not have. Calling it again for the same placeholder
         * replaces the set. Default: any value that makes a valid index name.
         *
         * @throws IllegalArgumentException if the set is empty, or a value is empty or not lower
         *     case (it could never match)
         */
        public Builder allowIndexValues(String placeholder, Set<String> values) {
            column(placeholder, "allowIndexValues placeholder");
            Objects.requireNonNull(values, "allowIndexValues values");
            if (values.isEmpty()) {
                throw new IllegalArgumentException("allowIndexValues for '" + placeholder + "' needs at least one value");
            }
            for (String v : values) {
                Objects.requireNonNull(v, "allowIndexValues value");
                if (v.isEmpty() || !v.toLowerCase(java.util.Locale.ROOT).equals(v)) {
                    throw new IllegalArgumentException("allowIndexValues for '" + placeholder + "': '" + v
                            + "' can never be rendered (rendered values are lower case and not empty)");
                }
            }
            allowedIndexValues.put(placeholder, Set.copyOf(values));
            return this;
        }

        /**
         * Like {@link #allowIndexValues}, with a regular expression ({@link java.util.regex.Pattern}
         * syntax) every rendered value of the placeholder must match whole, e.g.
         * {@code allowIndexValuePattern("tenant", "[a-z0-9]{1,20}")}. Both may be set for one
         * placeholder; a value must then pass both.
         *
         * @throws IllegalArgumentException if the expression does not compile
         */
        public Builder allowIndexValuePattern(String placeholder, String regex) {
            column(placeholder, "allowIndexValuePattern placeholder");
            Objects.requireNonNull(regex, "allowIndexValuePattern regex");
            try {
                java.util.regex.Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("allowIndexValuePattern for '" + placeholder + "': invalid regular"
                        + " expression '" + regex + "': " + e.getDescription(), e);
            }
            allowedIndexValuePatterns.put(placeholder, regex);
            return this;
        }

        /** The zone for epoch values and {@code {$time}} in the index template; default UTC. */
        public Builder timeZone(ZoneId zone) {
            this.timeZone = Objects.requireNonNull(zone, "timeZone");
            return this;
        }

        /** Id from these columns (joined by {@link #idDelimiter}) instead of the primary key. */
        public Builder id(String... columns) {
            this.idColumns = columns("id", columns);
            return this;
        }

        /**
         * Joins composite ids; default {@value TableRule#DEFAULT_ID_DELIMITER}. Inside each part, a
         * backslash and the delimiter's first character are preceded by a backslash, so
         * {@code ("a:b", "c")} gives {@code a\:b:c} and {@code ("a", "b:c")} gives {@code a:b\:c}:
         * two rows never share an id. Parts holding neither character are joined as they are.
         *
         * @throws IllegalArgumentException if empty or starting with a backslash
         */
        public Builder idDelimiter(String delimiter) {
            Objects.requireNonNull(delimiter, "idDelimiter");
            if (delimiter.isEmpty()) {
                throw new IllegalArgumentException("idDelimiter must not be empty");
            }
            if (delimiter.charAt(0) == '\\') {
                throw new IllegalArgumentException("idDelimiter must not start with a backslash, the escape character"
                        + " of composite ids: " + delimiter);
            }
            this.idDelimiter = delimiter;
            return this;
        }

        /** Routes documents by this column's value. */
        public Builder routing(String column) {
            this.routingColumn = column(column, "routing");
            return this;
        }

        /** {@link WriteMode#AUTO} (default), {@link WriteMode#UPSERT} or {@link WriteMode#INDEX}. */
        public Builder writeMode(WriteMode mode) {
            this.writeMode = Objects.requireNonNull(mode, "writeMode");
            return this;
        }

        /**
         * External version from this column (a number, numeric string or date-time); INDEX mode only,
         * set explicitly ({@link WriteMode#AUTO} may upsert, which cannot carry a version).
         */
        public Builder versionColumn(String column) {
            this.versionColumn = column(column, "versionColumn");
            return this;
        }

        /**
         * External version from the binlog event time in epoch ms; INDEX mode only (set explicitly),
         * compared as {@link VersionType#EXTERNAL_GTE} ({@link #build()} rejects
         * {@link VersionType#EXTERNAL}).
         *
         * <p>The binlog time has second resolution (Canal's {@code es} is seconds x 1000) and is the
         * statement's start time. With {@code EXTERNAL_GTE} an equal version is applied, so several
         * changes of a row within one second all apply, in the order they arrive; an older version is
         * rejected as stale. What that protects: a late write from an earlier second (a bulk of a lost
         * partition landing after the next owner wrote, or a primary-key change's delete of the old id,
         * which travels in the new key's partition) cannot overwrite a newer one. What it does not:
         * two writes from the same second in different partitions apply in arrival order; and a
         * change whose statement started before the row's previous change (a long statement that
         * reached the row late, or the primary's clock stepping back) is rejected as stale although
         * it is newer. Elasticsearch remembers a deleted document's version for
         * {@code index.gc_deletes} (60 s by default) only.
         */
        public Builder versionFromBinlogTime() {
            this.versionFromBinlogTime = true;
            return this;
        }

        /**
         * How an external version compares with the stored one: {@link VersionType#EXTERNAL_GTE}
         * (default: an equal version applies, so a version column of coarse resolution, such as a
         * {@code datetime} in seconds, never drops a second change within one tick) or
         * {@link VersionType#EXTERNAL} (an equal version is rejected as stale; right only for a
         * column that grows with every change, such as a counter incremented by each update). The
         * binlog-time version needs {@code EXTERNAL_GTE}.
         */
        public Builder versionType(VersionType type) {
            this.versionType = Objects.requireNonNull(type, "versionType");
            return this;
        }

        /** Keep only these columns. */
        public Builder include(String... columns) {
            includes.addAll(columns("include", columns));
            return this;
        }

        /** Drop these columns. */
        public Builder exclude(String... columns) {
            excludes.addAll(columns("exclude", columns));
            return this;
        }

        /** Write column {@code column} as field {@code field}. */
        public Builder rename(String column, String field) {
            renames.put(column(column, "rename column"), column(field, "rename field"));
            return this;
        }

        /** Convert {@code column}'s value with {@code converter} (see {@link Converters}). */
        public Builder convert(String column, FieldConverter converter) {
            converters.put(column(column, "convert column"), Objects.requireNonNull(converter, "converter"));
            return this;
        }

        /** Add {@code field: value} to every written document; value a JSON-compatible value. */
        public Builder constant(String field, @Nullable Object value) {
            constants.put(column(field, "constant field"), value);
            return this;
        }

        /** The last step of building each written document. */
        public Builder customizer(DocumentCustomizer customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /**
         * Only rows matching this SQL condition belong (see {@link SqlFilter}).
         *
         * @throws dev.binlogsync.core.filter.FilterSyntaxException if it does not parse
         */
        public Builder where(String condition) {
            this.where = SqlFilter.parse(Objects.requireNonNull(condition, "where"));
            return this;
        }

        /** Only rows this filter accepts belong; combined by AND with {@link #where}. */
        public Builder filter(Filter filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * Write this table's fields into the existing document whose id is these foreign-key
         * columns; a missing parent document is never created (see the class comment).
         */
        public Builder mergeInto(String... foreignKeyColumns) {
            this.mergeInto = columns("mergeInto", foreignKeyColumns);
            return this;
        }

        /** With {@link #mergeInto}: put the fields under this object field of the parent document. */
        public Builder nestUnder(String field) {
            this.nestUnder = column(field, "nestUnder");
            return this;
        }

        /** With {@link #mergeInto}: what a delete does; default {@link MergeDelete#CLEAR}. */
        public Builder onMergedRowDelete(MergeDelete mode) {
            this.mergeDelete = Objects.requireNonNull(mode, "onMergedRowDelete");
            return this;
        }

        /**
         * @throws IllegalStateException if table or index is missing, include and exclude are both
         *     set, a version is set without writeMode INDEX or both from a column and the binlog time,
         *     the binlog-time version is compared as {@link VersionType#EXTERNAL}, the index template
         *     uses {@code {$time}} without {@link #appendOnly()}, a merge rule uses INDEX mode or sets id
         *     columns, or nestUnder is set without mergeInto
         */
        public TableRule build() {
            if (table == null) {
                throw new IllegalStateException("table is required");
            }
            if (index == null) {
                throw new IllegalStateException("index is required (" + database + "." + table + ")");
            }
            String what = database + "." + table + " -> " + index;
            if (!includes.isEmpty() && !excludes.isEmpty()) {
                throw new IllegalStateException(what + ": include and exclude cannot both be set");
            }
            if (versionColumn != null && versionFromBinlogTime) {
                throw new IllegalStateException(what + ": version from a column or from the binlog time, not both");
            }
            if ((versionColumn != null || versionFromBinlogTime) && writeMode != WriteMode.INDEX) {
                throw new IllegalStateException(what + ": an external version needs writeMode INDEX, set explicitly (an"
                        + " upsert cannot carry one, and writeMode " + writeMode + " may upsert)");
            }
            if (versionFromBinlogTime && versionType != VersionType.EXTERNAL_GTE) {
                throw new IllegalStateException(what + ": versionFromBinlogTime needs versionType EXTERNAL_GTE: the binlog"
                        + " time has second resolution, so with " + versionType + " a second change of a row within one"
                        + " second would be rejected as stale and lost");
            }
            IndexTemplate template;
            try {
                template = IndexTemplate.parse(index, timeZone).withAllowed(allowedIndexValues, allowedIndexValuePatterns);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(what + ": " + e.getMessage(), e);
            }
            if (template.usesEventTime() && !appendOnly) {
                throw new IllegalStateException(what + ": an index template with {$time} (the binlog event time) needs"
                        + " appendOnly(): an update or delete of a row written in an earlier period would go to the"
                        + " current period's index; use a date column of the row instead, or declare the table"
                        + " append-only");
            }
            if (!mergeInto.isEmpty()) {
                if (writeMode == WriteMode.INDEX) {
                    throw new IllegalStateException(what + ": a mergeInto rule writes partial documents and needs writeMode UPSERT");
                }
                if (!idColumns.isEmpty()) {
                    throw new IllegalStateException(what + ": a mergeInto rule takes its id from the foreign key; do not set id");
                }
            } else if (nestUnder != null) {
                throw new IllegalStateException(what + ": nestUnder needs mergeInto");
            }
            return new TableRule(this, template);
        }

        private static String column(String name, String what) {
            Objects.requireNonNull(name, what);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return name;
        }

        private static List<String> columns(String what, String... names) {
            Objects.requireNonNull(names, what);
            if (names.length == 0) {
                throw new IllegalArgumentException(what + " needs at least one column");
            }
            List<String> out = new ArrayList<>(names.length);
            for (String n : names) {
                out.add(column(n, what + " column"));
            }
            return out;
        }
    }
}
