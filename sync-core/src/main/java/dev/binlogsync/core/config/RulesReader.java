package dev.binlogsync.core.config;

import dev.binlogsync.core.Filter;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.Converters;
import dev.binlogsync.core.rules.DocumentCustomizer;
import dev.binlogsync.core.rules.FieldConverter;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the {@code filters} and {@code rules} sections into builder calls. */
final class RulesReader {
    private final ClassLoader loader;

    RulesReader(ClassLoader loader) {
        this.loader = loader;
    }

    Map<String, NamedFilter> filters(ConfigSection root) {
        ConfigSection fs = root.optSection("filters");
        Map<String, NamedFilter> out = new LinkedHashMap<>();
        if (fs == null) {
            return out;
        }
        for (String name : fs.keys()) {
            ConfigSection f = fs.section(name);
            boolean hasWhere = f.has("where");
            boolean hasClass = f.has("class");
            if (hasWhere == hasClass) {
                throw new ConfigException(f.path(), "needs exactly one of 'where' (a SQL condition) or 'class' (a Filter class name)");
            }
            NamedFilter nf = hasWhere
                    ? f.at("where", () -> NamedFilter.sql(name, f.string("where")))
                    : f.at("class", () -> NamedFilter.ofClass(name, f.string("class"), loader));
            out.put(name, nf);
        }
        return out;
    }

    Rules rules(ConfigSection root, Map<String, NamedFilter> filters) {
        List<ConfigSection> sections = root.sections("rules");
        if (sections.isEmpty()) {
            throw new ConfigException(root.path("rules"), "at least one rule is required");
        }
        List<TableRule> rules = new ArrayList<>();
        for (ConfigSection s : sections) {
            rules.add(rule(s, filters));
        }
        return root.at("rules", () -> Rules.builder().rules(rules).build());
    }

    private TableRule rule(ConfigSection s, Map<String, NamedFilter> filters) {
        TableRule.Builder b = TableRule.builder();
        if (s.has("database")) {
            s.at("database", () -> b.database(s.string("database")));
        }
        s.at("table", () -> b.table(s.string("table")));
        if (s.has("timeZone")) {
            String z = s.string("timeZone");
            try {
                b.timeZone(ZoneId.of(z));
            } catch (DateTimeException e) {
                throw new ConfigException(s.path("timeZone"), "unknown time zone '" + z + "'", e);
            }
        }
        s.at("index", () -> b.index(s.string("index")));
        if (s.bool("appendOnly", false)) {
            b.appendOnly();
        }
        ConfigSection allowed = s.optSection("allowIndexValues");
        if (allowed != null) {
            for (String placeholder : allowed.keys()) {
                List<String> values = allowed.stringList(placeholder);
                allowed.at(placeholder, () -> b.allowIndexValues(placeholder, new java.util.LinkedHashSet<>(values)));
            }
        }
        for (Map.Entry<String, String> e : s.stringMap("allowIndexValuePatterns").entrySet()) {
            s.at("allowIndexValuePatterns", () -> b.allowIndexValuePattern(e.getKey(), e.getValue()));
        }
        List<String> id = s.stringList("id");
        if (!id.isEmpty()) {
            s.at("id", () -> b.id(id.toArray(new String[0])));
        }
        if (s.has("idDelimiter")) {
            s.at("idDelimiter", () -> b.idDelimiter(s.string("idDelimiter")));
        }
        if (s.has("routing")) {
            s.at("routing", () -> b.routing(s.string("routing")));
        }
        b.writeMode(s.enumValue("writeMode", WriteMode.class, WriteMode.AUTO));
        if (s.has("versionColumn")) {
            s.at("versionColumn", () -> b.versionColumn(s.string("versionColumn")));
        }
        if (s.bool("versionFromBinlogTime", false)) {
            b.versionFromBinlogTime();
        }
        b.versionType(s.enumValue("versionType", VersionType.class, VersionType.EXTERNAL_GTE));
        List<String> include = s.stringList("include");
        if (!include.isEmpty()) {
            s.at("include", () -> b.include(include.toArray(new String[0])));
        }
        List<String> exclude = s.stringList("exclude");
        if (!exclude.isEmpty()) {
            s.at("exclude", () -> b.exclude(exclude.toArray(new String[0])));
        }
        for (Map.Entry<String, String> e : s.stringMap("rename").entrySet()) {
            s.at("rename", () -> b.rename(e.getKey(), e.getValue()));
        }
        ConfigSection convert = s.optSection("convert");
        if (convert != null) {
            for (String column : convert.keys()) {
                ConfigSection c = convert.section(column);
                b.convert(column, converter(c));
            }
        }
        ConfigSection constants = s.optSection("constants");
        if (constants != null) {
            for (String field : constants.keys()) {
                b.constant(field, constants.value(field));
            }
        }
        if (s.has("customizer")) {
            String cls = s.string("customizer");
            b.customizer(s.at("customizer", () -> Instances.create(cls, DocumentCustomizer.class, loader)));
        }
        if (s.has("where")) {
            s.at("where", () -> b.where(s.string("where")));
        }
        if (s.has("filter")) {
            String name = s.string("filter");
            Filter f = filters.get(name);
            if (f == null) {
                throw new ConfigException(s.path("filter"), "no filter named '" + name + "' in 'filters' (known: "
                        + filters.keySet() + ")");
            }
            b.filter(f);
        }
        List<String> merge = s.stringList("mergeInto");
        if (!merge.isEmpty()) {
            s.at("mergeInto", () -> b.mergeInto(merge.toArray(new String[0])));
        }
        if (s.has("nestUnder")) {
            s.at("nestUnder", () -> b.nestUnder(s.string("nestUnder")));
        }
        b.onMergedRowDelete(s.enumValue("onMergedRowDelete", MergeDelete.class, MergeDelete.CLEAR));
        return s.at("", b::build);
    }

    private FieldConverter converter(ConfigSection c) {
        String type = c.string("type");
        switch (type) {
            case "split":
                return c.at("separator", () -> Converters.split(c.string("separator")));
            case "json":
                return Converters.json();
            case "date": {
                String format = c.optString("format");
                ZoneId zone;
                String z = c.string("zone", "UTC");
                try {
                    zone = ZoneId.of(z);
                } catch (DateTimeException e) {
                    throw new ConfigException(c.path("zone"), "unknown time zone '" + z + "'", e);
                }
                String unit = c.string("epochUnit", "millis");
                if (!unit.equals("millis") && !unit.equals("seconds")) {
                    throw new ConfigException(c.path("epochUnit"), "must be millis or seconds, not '" + unit + "'");
                }
                return c.at("format", () -> unit.equals("seconds")
                        ? Converters.dateFromEpochSeconds(format, zone) : Converters.date(format, zone));
            }
            case "class": {
                String cls = c.string("class");
                return c.at("class", () -> Instances.create(cls, FieldConverter.class, loader));
            }
            default:
                throw new ConfigException(c.path("type"), "unknown converter type '" + type
                        + "'; known: split, date, json, class");
        }
    }
}
