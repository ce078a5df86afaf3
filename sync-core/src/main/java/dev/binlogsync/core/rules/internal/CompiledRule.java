package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.ActionCollector;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Filter;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.DocumentCustomizer;
import dev.binlogsync.core.rules.FieldConverter;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.WriteMode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * The hot path of one table rule, compiled from its {@link RuleSpec}: everything that can be decided
 * once is decided in the constructor. Per event it evaluates the filter on the new and (for updates) the old row, computes
 * index, id and routing, builds the document and emits actions. A rule without field options hands
 * the event's row map to the action as it is (no copy). Immutable and thread-safe.
 */
public final class CompiledRule {
    private final String name;
    private final IndexTemplate index;
    @Nullable private final Filter filter;
    /** Configured id columns (or merge foreign keys), null for the event's primary key. */
    @Nullable private final String[] idColumns;
    private final String idDelimiter;
    @Nullable private final String routingColumn;
    private final boolean merge;
    private final boolean indexMode;
    /** AUTO and the rule owns its documents: a full row is indexed. */
    private final boolean indexFullRows;
    @Nullable private final String versionColumn;
    private final boolean versionFromBinlogTime;
    private final VersionType versionType;
    private final ZoneId zone;
    /** Columns whose change may move the document (beyond the primary key). */
    private final String[] locationColumns;
    private final boolean passThrough;
    @Nullable private final String[] includes;
    private final Set<String> excludes;
    private final Map<String, String> renames;
    private final Map<String, FieldConverter> converters;
    private final Map<String, Object> constants;
    @Nullable private final DocumentCustomizer customizer;
    /** Per column with an option (excluded, renamed or converted): what to do; one lookup per column. */
    private final Map<String, Plan> plans;
    @Nullable private final Plan[] includePlans;
    @Nullable private final String nestUnder;
    private final boolean clearOnDelete;
    private final boolean appendOnly;

    /**
     * The rule applied on its own, not knowing the other rules: in {@link WriteMode#AUTO} it does not
     * own its documents, so it upserts.
     */
    public CompiledRule(RuleSpec spec) {
        this(spec, false);
    }

    /**
     * @param ownsDocuments whether no other rule writes into an index that can coincide with this
     *     rule's (decided by the rule set); in {@link WriteMode#AUTO} a full row is then indexed,
     *     otherwise upserted. Ignored in the other modes and for merge rules.
     */
    public CompiledRule(RuleSpec spec, boolean ownsDocuments) {
        this.name = spec.name();
        this.index = spec.index();
        this.filter = spec.filter();
        this.merge = spec.isMerge();
        List<String> ids = merge ? spec.mergeInto() : spec.idColumns();
        this.idColumns = ids.isEmpty() ? null : ids.toArray(new String[0]);
        this.idDelimiter = spec.idDelimiter();
        this.routingColumn = spec.routingColumn();
        this.indexMode = spec.writeMode() == WriteMode.INDEX;
        this.indexFullRows = spec.writeMode() == WriteMode.AUTO && ownsDocuments && !merge;
        this.versionColumn = spec.versionColumn();
        this.versionFromBinlogTime = spec.versionFromBinlogTime();
        this.versionType = spec.versionType();
        this.zone = spec.timeZone();
        Set<String> loc = new LinkedHashSet<>(index.columns());
        loc.addAll(ids);
        if (routingColumn != null) {
            loc.add(routingColumn);
        }
        this.locationColumns = loc.toArray(new String[0]);
        this.includes = spec.includes().isEmpty() ? null : spec.includes().toArray(new String[0]);
        this.excludes = spec.excludes();
        this.renames = spec.renames();
        this.converters = spec.converters();
        this.constants = spec.constants();
        this.customizer = spec.customizer();
        this.nestUnder = spec.nestUnder();
        this.clearOnDelete = spec.mergeDelete() == MergeDelete.CLEAR;
        this.appendOnly = spec.appendOnly();
        Map<String, Plan> p = new HashMap<>();
        for (String c : excludes) {
            p.put(c, Plan.SKIP);
        }
        Set<String> optioned = new LinkedHashSet<>(renames.keySet());
        optioned.addAll(converters.keySet());
        for (String c : optioned) {
            if (!excludes.contains(c)) {
                p.put(c, new Plan(c, renames.getOrDefault(c, c), converters.get(c)));
            }
        }
        this.plans = p;
        if (includes != null) {
            includePlans = new Plan[includes.length];
            for (int i = 0; i < includes.length; i++) {
                String c = includes[i];
                includePlans[i] = new Plan(c, renames.getOrDefault(c, c), converters.get(c));
            }
        } else {
            includePlans = null;
        }
        this.passThrough = includes == null && excludes.isEmpty() && renames.isEmpty() && converters.isEmpty()
                && constants.isEmpty() && customizer == null;
    }

    /** Emits this rule's actions for {@code event}. */
    public void apply(ChangeEvent event, ActionCollector out) {
        Map<String, Object> row = event.row();
        switch (event.operation()) {
            case INSERT:
                if (filter == null || filter.matches(row, event)) {
                    write(event, row, index.render(row, event, name), id(row, event), routing(row, event), out);
                }
                return;
            case DELETE:
                if (filter == null || filter.matches(row, event)) {
                    checkAppendOnly(event);
                    remove(event, row, row, index.render(row, event, name), id(row, event), routing(row, event), out);
                }
                return;
            default:
                update(event, row, out);
        }
    }

    private void update(ChangeEvent event, Map<String, Object> row, ActionCollector out) {
        Map<String, Object> old = event.oldValues();
        Map<String, Object> before = old.isEmpty() ? row : new BeforeImageView(row, old);
        boolean nowMatches = filter == null || filter.matches(row, event);
        boolean matched = filter == null || (old.isEmpty() ? nowMatches : filter.matches(before, event));
        if (nowMatches || matched) {
            checkAppendOnly(event);
        }
        if (!nowMatches) {
            if (matched) {
                remove(event, before, row, index.render(before, event, name), id(before, event), routing(before, event), out);
            }
            return;
        }
        String newIndex = index.render(row, event, name);
        String newId = id(row, event);
        String newRouting = routing(row, event);
        if (matched && !old.isEmpty() && locationMayChange(event, old)) {
            String oldIndex = index.render(before, event, name);
            String oldId = id(before, event);
            String oldRouting = routing(before, event);
            if (!oldIndex.equals(newIndex) || !oldId.equals(newId) || !Objects.equals(oldRouting, newRouting)) {
                remove(event, before, row, oldIndex, oldId, oldRouting, out);
            }
        }
        write(event, row, newIndex, newId, newRouting, out);
    }

    /** An append-only rule's index may not be where the row lives: refuse to guess. */
    private void checkAppendOnly(ChangeEvent event) {
        if (appendOnly) {
            throw new SyncException(event.qualifiedTable() + ": rule '" + name + "' is append-only, but got an "
                    + event.operation() + " at " + event.position() + " (its index may not be where the row was"
                    + " written, so the change cannot be applied)");
        }
    }

    private boolean locationMayChange(ChangeEvent event, Map<String, Object> old) {
        for (String c : locationColumns) {
            if (old.containsKey(c)) {
                return true;
            }
        }
        if (idColumns == null) {
            List<String> pk = event.primaryKeys();
            for (int i = 0, n = pk.size(); i < n; i++) {
                if (old.containsKey(pk.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void write(ChangeEvent event, Map<String, Object> row, String idx, String id, @Nullable String routing,
            ActionCollector out) {
        Map<String, Object> doc = document(row, event);
        if (merge) {
            if (nestUnder != null) {
                // a full row replaces the whole object (a column it no longer has goes); a row that
                // may lack columns replaces only the columns it carries
                doc = Collections.singletonMap(nestUnder,
                        event.rowImage() == RowImage.FULL ? doc : new PartialObject(doc));
            }
            // UPDATE, never UPSERT: a child row must not create its parent's document (deleted,
            // filtered out, or not written yet)
            out.collect(new DocumentAction(idx, id, routing, ActionType.UPDATE, doc, null, null));
        } else if (indexMode) {
            Long version = versionColumn != null || versionFromBinlogTime ? version(row, event) : null;
            out.collect(new DocumentAction(idx, id, routing, ActionType.INDEX, doc, version,
                    version == null ? null : versionType));
        } else if (indexFullRows && event.rowImage() == RowImage.FULL) {
            // the rule owns the document and the change carries the whole row: the row is the whole
            // document, and an index costs Elasticsearch half an update's work (no get, no merge)
            out.collect(new DocumentAction(idx, id, routing, ActionType.INDEX, doc, null, null));
        } else {
            out.collect(new DocumentAction(idx, id, routing, ActionType.UPSERT, doc, null, null));
        }
    }

    /** Whether a change carrying the whole row is written as INDEX (explicit INDEX, or AUTO and owned). */
    public boolean indexesFullRows() {
        return indexMode || indexFullRows;
    }

    /**
     * Removes the document {@code before} rendered. {@code versionRow} is the row whose version the
     * delete carries: the deleted row for a DELETE, but the <em>after</em> image when an UPDATE moves
     * the document away (filter transition, new index, id or routing), because the old document stops
     * existing at the update's version; with the before image's version, a late copy of the row's
     * previous write (same version) would be accepted by {@code external_gte} and resurrect it.
     */
    private void remove(ChangeEvent event, Map<String, Object> before, Map<String, Object> versionRow, String idx,
            String id, @Nullable String routing, ActionCollector out) {
        if (merge) {
            if (clearOnDelete) {
                out.collect(new DocumentAction(idx, id, routing, ActionType.UPDATE, clearing(before), null, null));
            }
            return;
        }
        Long version = versionColumn != null || versionFromBinlogTime ? version(versionRow, event) : null;
        // a delete is always compared as EXTERNAL_GTE: a DELETE event carries the deleted row's
        // version, which equals the version its last write stored, and EXTERNAL would refuse it
        // (the row would stay in the index); an equal or newer late write after the delete is
        // still refused by the tombstone's version under EXTERNAL, and by nothing newer under GTE
        out.collect(new DocumentAction(idx, id, routing, ActionType.DELETE, null, version,
                version == null ? null : VersionType.EXTERNAL_GTE));
    }

    /** The fields this rule wrote, set to null (a merged row went away). */
    private Map<String, Object> clearing(Map<String, Object> before) {
        if (nestUnder != null) {
            return Collections.singletonMap(nestUnder, null);
        }
        Map<String, Object> doc = new HashMap<>();
        if (includes != null) {
            for (String c : includes) {
                doc.put(renames.getOrDefault(c, c), null);
            }
        } else {
            for (String c : before.keySet()) {
                if (!excludes.contains(c)) {
                    doc.put(renames.getOrDefault(c, c), null);
                }
            }
        }
        for (String c : constants.keySet()) {
            doc.put(c, null);
        }
        return doc;
    }

    private Map<String, Object> document(Map<String, Object> row, ChangeEvent event) {
        if (passThrough) {
            return row;
        }
        Map<String, Object> doc;
        if (includePlans != null) {
            doc = new HashMap<>(capacity(includePlans.length + constants.size()));
            for (Plan p : includePlans) {
                Object v = row.get(p.column);
                if (v != null || row.containsKey(p.column)) {
                    doc.put(p.name, p.converter == null ? v : convert(p, v, event));
                }
            }
        } else {
            doc = new HashMap<>(capacity(row.size() + constants.size()));
            boolean anyPlans = !plans.isEmpty();
            for (Map.Entry<String, Object> e : row.entrySet()) {
                Plan p = anyPlans ? plans.get(e.getKey()) : null;
                if (p == null) {
                    doc.put(e.getKey(), e.getValue());
                } else if (p != Plan.SKIP) {
                    doc.put(p.name, p.converter == null ? e.getValue() : convert(p, e.getValue(), event));
                }
            }
        }
        if (!constants.isEmpty()) {
            doc.putAll(constants);
        }
        if (customizer != null) {
            try {
                customizer.customize(doc, event);
            } catch (SyncException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': the document customizer failed at "
                        + event.position() + ": " + Secrets.describe(e), e);
            }
        }
        return doc;
    }

    @Nullable
    private Object convert(Plan p, @Nullable Object value, ChangeEvent event) {
        try {
            return p.converter.convert(value);
        } catch (RuntimeException e) {
            throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': converting column '" + p.column
                    + "' (" + (value == null ? "null" : value.getClass().getSimpleName()) + ") failed at "
                    + event.position() + ": " + Secrets.redact(e.getMessage(), 512), e);
        }
    }

    /** What happens to one column on its way into the document. */
    private static final class Plan {
        static final Plan SKIP = new Plan("", "", null);
        final String column;
        final String name;
        @Nullable final FieldConverter converter;

        Plan(String column, String name, @Nullable FieldConverter converter) {
            this.column = column;
            this.name = name;
            this.converter = converter;
        }
    }

    private static int capacity(int n) {
        return (int) (n / 0.75f) + 1;
    }

    /** Elasticsearch's limit on a document id, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 512;

    private String id(Map<String, Object> row, ChangeEvent event) {
        String id;
        if (idColumns != null) {
            if (idColumns.length == 1) {
                id = idPart(row, idColumns[0], event);
            } else {
                StringBuilder sb = new StringBuilder(32);
                for (int i = 0; i < idColumns.length; i++) {
                    if (i > 0) {
                        sb.append(idDelimiter);
                    }
                    appendEscaped(sb, idPart(row, idColumns[i], event));
                }
                id = sb.toString();
            }
        } else {
            List<String> pk = event.primaryKeys();
            int n = pk.size();
            if (n == 1) {
                id = idPart(row, pk.get(0), event);
            } else if (n == 0) {
                throw new SyncException(event.qualifiedTable() + " has no primary key and rule '" + name
                        + "' configures no id columns, so the document id is unknown (at " + event.position()
                        + "); set id(...) on the rule");
            } else {
                StringBuilder sb = new StringBuilder(32);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(idDelimiter);
                    }
                    appendEscaped(sb, idPart(row, pk.get(i), event));
                }
                id = sb.toString();
            }
        }
        if (id.length() * 3 > MAX_ID_BYTES) {
            int bytes = utf8Length(id);
            if (bytes > MAX_ID_BYTES) {
                throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': the document id from "
                        + (merge ? "foreign-key" : "id") + " column(s) '" + String.join("', '", idColumns != null
                        ? List.of(idColumns) : event.primaryKeys()) + "' is " + bytes + " bytes in UTF-8, more than"
                        + " Elasticsearch's " + MAX_ID_BYTES + " bytes: '" + UntrustedText.shown(id, 64) + "' (at "
                        + event.position() + ")");
            }
        }
        return id;
    }

    /**
     * Appends one part of a composite id so that the joined id is unambiguous: a backslash and the
     * delimiter's first character inside the part are preceded by a backslash (the builder rejects
     * a delimiter starting with a backslash). A part holding neither is appended unchanged, so such
     * ids are what they always were.
     */
    private void appendEscaped(StringBuilder sb, String part) {
        char d = idDelimiter.charAt(0);
        if (part.indexOf('\\') < 0 && part.indexOf(d) < 0) {
            sb.append(part);
            return;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '\\' || c == d) {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private String idPart(Map<String, Object> row, String column, ChangeEvent event) {
        Object v = row.get(column);
        if (v == null) {
            throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': " + (merge ? "foreign-key" : "id")
                    + " column '" + column + "' is " + (row.containsKey(column) ? "null" : "missing from the row")
                    + " (at " + event.position() + ")");
        }
        String s = scalar(v);
        if (s.isEmpty()) {
            throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': id column '" + column
                    + "' is empty (at " + event.position() + ")");
        }
        return s;
    }

    @Nullable
    private String routing(Map<String, Object> row, ChangeEvent event) {
        if (routingColumn == null) {
            return null;
        }
        Object v = row.get(routingColumn);
        if (v == null) {
            throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': routing column '" + routingColumn
                    + "' is null or missing (at " + event.position() + ")");
        }
        return scalar(v);
    }

    private static String scalar(Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        return v.toString();
    }

    private long version(Map<String, Object> row, ChangeEvent event) {
        if (versionFromBinlogTime) {
            if (event.eventTimeMillis() <= 0) {
                throw new SyncException(event.qualifiedTable() + ": rule '" + name
                        + "' versions by binlog time, but the event carries none (at " + event.position() + ")");
            }
            return event.eventTimeMillis();
        }
        Object v = row.get(versionColumn);
        try {
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                    || v instanceof BigInteger || v instanceof BigDecimal) {
                return ((Number) v).longValue();
            }
            if (v instanceof String) {
                String s = (String) v;
                if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9') && s.length() < 19) {
                    return Long.parseLong(s);
                }
                return DateValues.toEpochMillis(s, zone);
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new SyncException(event.qualifiedTable() + ": rule '" + name + "': version column '" + versionColumn
                + "' must hold a non-negative integer or a date-time, not " + (v == null ? "null" : "'" + UntrustedText.shown(String.valueOf(v), 64) + "'")
                + " (at " + event.position() + ")");
    }
}
