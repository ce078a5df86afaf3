package dev.binlogsync.core.config;

import dev.binlogsync.core.Filter;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.FieldConverter;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.rules.internal.RenderableConverter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders rules (and the named filters they use) back into the file form; only non-defaults. */
final class RulesWriter {
    private final Map<String, Object> filters = new LinkedHashMap<>();

    RulesWriter(Map<String, NamedFilter> declared) {
        declared.values().forEach(this::declare);
    }

    Map<String, Object> filters() {
        return filters;
    }

    List<Object> rules(Rules rules) {
        List<Object> out = new ArrayList<>();
        int i = 0;
        for (TableRule r : rules.rules()) {
            out.add(rule(r, "rules[" + i++ + "]"));
        }
        return out;
    }

    private Map<String, Object> rule(TableRule r, String path) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!r.database().equals("*")) {
            m.put("database", r.database());
        }
        m.put("table", r.table());
        m.put("index", r.index());
        if (r.appendOnly()) {
            m.put("appendOnly", true);
        }
        if (!r.allowedIndexValues().isEmpty()) {
            Map<String, Object> allowed = new LinkedHashMap<>();
            r.allowedIndexValues().forEach((p, values) -> allowed.put(p, new ArrayList<>(new java.util.TreeSet<>(values))));
            m.put("allowIndexValues", allowed);
        }
        if (!r.allowedIndexValuePatterns().isEmpty()) {
            m.put("allowIndexValuePatterns", new LinkedHashMap<>(r.allowedIndexValuePatterns()));
        }
        if (!r.timeZone().equals(ZoneOffset.UTC)) {
            m.put("timeZone", r.timeZone().getId());
        }
        if (!r.idColumns().isEmpty()) {
            m.put("id", r.idColumns());
        }
        if (!r.idDelimiter().equals(TableRule.DEFAULT_ID_DELIMITER)) {
            m.put("idDelimiter", r.idDelimiter());
        }
        if (r.routingColumn() != null) {
            m.put("routing", r.routingColumn());
        }
        if (r.writeMode() != WriteMode.AUTO) {
            m.put("writeMode", lower(r.writeMode()));
        }
        if (r.versionColumn() != null) {
            m.put("versionColumn", r.versionColumn());
        }
        if (r.versionFromBinlogTime()) {
            m.put("versionFromBinlogTime", true);
        }
        if (r.versionType() != VersionType.EXTERNAL_GTE) {
            m.put("versionType", lower(r.versionType()));
        }
        if (!r.includes().isEmpty()) {
            m.put("include", new ArrayList<>(r.includes()));
        }
        if (!r.excludes().isEmpty()) {
            m.put("exclude", new ArrayList<>(r.excludes()));
        }
        if (!r.renames().isEmpty()) {
            m.put("rename", new LinkedHashMap<>(r.renames()));
        }
        if (!r.converters().isEmpty()) {
            Map<String, Object> conv = new LinkedHashMap<>();
            for (Map.Entry<String, FieldConverter> e : r.converters().entrySet()) {
                conv.put(e.getKey(), converter(e.getValue(), path + ".convert." + e.getKey()));
            }
            m.put("convert", conv);
        }
        if (!r.constants().isEmpty()) {
            m.put("constants", new LinkedHashMap<>(r.constants()));
        }
        if (r.customizer() != null) {
            String cls = Instances.renderableClassName(r.customizer());
            if (cls == null) {
                throw new ConfigException(path + ".customizer", "cannot be written to a file: " + r.customizer().getClass().getName()
                        + " is a lambda or has no public no-argument constructor");
            }
            m.put("customizer", cls);
        }
        if (r.where() != null) {
            m.put("where", r.where().expression());
        }
        if (r.filter() != null) {
            m.put("filter", filterName(r.filter(), path + ".filter"));
        }
        if (r.isMerge()) {
            m.put("mergeInto", r.mergeInto());
            if (r.nestUnder() != null) {
                m.put("nestUnder", r.nestUnder());
            }
            if (r.mergeDelete() != MergeDelete.CLEAR) {
                m.put("onMergedRowDelete", lower(r.mergeDelete()));
            }
        }
        return m;
    }

    private void declare(NamedFilter f) {
        Map<String, Object> def = new LinkedHashMap<>();
        if (f.where() != null) {
            def.put("where", f.where());
        } else {
            def.put("class", f.className());
        }
        filters.put(f.name(), def);
    }

    private String filterName(Filter f, String path) {
        if (f instanceof NamedFilter) {
            NamedFilter nf = (NamedFilter) f;
            declare(nf);
            return nf.name();
        }
        String cls = Instances.renderableClassName(f);
        if (cls == null) {
            throw new ConfigException(path, "cannot be written to a file: " + f.getClass().getName()
                    + " is a lambda or has no public no-argument constructor (use NamedFilter)");
        }
        String name = f.getClass().getSimpleName();
        Map<String, Object> def = new LinkedHashMap<>();
        def.put("class", cls);
        filters.put(name, def);
        return name;
    }

    private static Object converter(FieldConverter c, String path) {
        if (c instanceof RenderableConverter) {
            return ((RenderableConverter) c).toConfig();
        }
        String cls = Instances.renderableClassName(c);
        if (cls == null) {
            throw new ConfigException(path, "cannot be written to a file: " + c.getClass().getName()
                    + " is a lambda or has no public no-argument constructor");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "class");
        m.put("class", cls);
        return m;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
