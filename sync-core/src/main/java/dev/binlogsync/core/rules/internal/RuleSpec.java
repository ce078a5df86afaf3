package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.Filter;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.DocumentCustomizer;
import dev.binlogsync.core.rules.FieldConverter;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.WriteMode;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * What a table rule does to a matched event, as a value: the input of {@link CompiledRule}. The public
 * {@code TableRule} builder checks the settings and produces one; the rule's getters read it, so
 * each setting has one home. Collections are copied (insertion order kept; {@code constants} may
 * hold null values) and unmodifiable. Immutable and thread-safe when the converters, the customizer
 * and the filter are.
 *
 * @param name the rule as messages name it ({@code database.table -> index})
 * @param index the parsed index template, its allow-lists applied
 * @param filter the rule's {@code where} and code filter combined by AND, or null for every row
 * @param idColumns the configured id columns; empty for the event's primary key
 * @param mergeInto the foreign-key columns naming the parent document; empty for a normal rule
 * @param routingColumn the column whose value routes the document, or null
 * @param versionColumn the column holding the external version, or null
 * @param customizer the last step of building each written document, or null
 * @param nestUnder the field merged fields nest under, or null for top level
 */
public record RuleSpec(
        String name,
        IndexTemplate index,
        @Nullable Filter filter,
        ZoneId timeZone,
        List<String> idColumns,
        String idDelimiter,
        @Nullable String routingColumn,
        WriteMode writeMode,
        @Nullable String versionColumn,
        boolean versionFromBinlogTime,
        VersionType versionType,
        Set<String> includes,
        Set<String> excludes,
        Map<String, String> renames,
        Map<String, FieldConverter> converters,
        Map<String, Object> constants,
        @Nullable DocumentCustomizer customizer,
        List<String> mergeInto,
        @Nullable String nestUnder,
        MergeDelete mergeDelete,
        boolean appendOnly) {

    public RuleSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(timeZone, "timeZone");
        idColumns = List.copyOf(idColumns);
        Objects.requireNonNull(idDelimiter, "idDelimiter");
        Objects.requireNonNull(writeMode, "writeMode");
        Objects.requireNonNull(versionType, "versionType");
        includes = Collections.unmodifiableSet(new LinkedHashSet<>(includes));
        excludes = Collections.unmodifiableSet(new LinkedHashSet<>(excludes));
        renames = Collections.unmodifiableMap(new LinkedHashMap<>(renames));
        converters = Collections.unmodifiableMap(new LinkedHashMap<>(converters));
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        mergeInto = List.copyOf(mergeInto);
        Objects.requireNonNull(mergeDelete, "mergeDelete");
    }

    /** Whether the rule writes into a parent document ({@link #mergeInto} set). */
    public boolean isMerge() {
        return !mergeInto.isEmpty();
    }

    @Override
    public String toString() {
        return name;
    }
}
