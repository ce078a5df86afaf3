package dev.binlogsync.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The {@code resync} section of a pipeline definition: a re-sync without downtime of the index
 * behind an alias the rules write to (a host such as the service runs it with the
 * {@code Resync} of {@code sync-elasticsearch}; see {@code docs/backfill.md}, "Re-sync").
 *
 * <pre>{@code
 * "resync": {
 *   "alias": "items",
 *   "newIndex": "items-v2",
 *   "newIndexBody": {"mappings": {"dynamic": "strict", "properties": {"name": {"type": "keyword"}}}},
 *   "deleteOldIndex": false
 * }
 * }</pre>
 *
 * <p>{@code alias} (required) is exactly the index name of at least one rule (an alias of one
 * index, or a concrete index, which the switch turns into an alias of the new index, deleting it:
 * that needs {@code deleteOldIndex}); {@code newIndex}
 * (required) is the index the re-sync creates, loads and points the alias at: a lower-case index
 * name other than the alias. {@code newIndexBody} (optional) is the body of its creation
 * ({@code settings}, {@code mappings}), an object or a string holding a JSON object; left out,
 * the old index's mappings, shard and replica counts and analysis settings are copied.
 * {@code deleteOldIndex} (default false) deletes the old index once the alias points at the new
 * one. The load itself takes its parameters from the pipeline's {@code backfill} section, which
 * is required: its {@code jdbc} connection, {@code chunkSize}, {@code maxRowsPerSecond},
 * {@code restartFence}, {@code maxRetries}, {@code retryBackoff} and {@code keyColumns}, and its
 * {@code checkpointIndex}, which also holds the re-sync's state document; its {@code tables} do
 * not apply (the re-sync loads the tables of the rules writing to the alias).
 *
 * <p>Checked when the definition is built: unknown keys, wrong types, invalid index names, an alias
 * no rule writes to, and a missing {@code backfill} section are {@link ConfigException}s naming
 * the path ({@code resync.newIndex}). Kept as written (rendered back by
 * {@link PipelineDefinition#toJson()} without values from the environment); {@link #toString()}
 * masks secret-named keys. Immutable and thread-safe.
 */
public final class ResyncConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> raw;
    private final String alias;
    private final String newIndex;
    @Nullable private final String newIndexBody;
    private final boolean deleteOldIndex;

    private ResyncConfig(Map<String, Object> raw, ConfigSection s) {
        this.raw = raw;
        this.alias = indexName(s, "alias");
        this.newIndex = indexName(s, "newIndex");
        if (alias.equals(newIndex)) {
            throw new ConfigException(s.path("newIndex"), "must differ from the alias '" + alias + "'");
        }
        this.newIndexBody = body(s);
        this.deleteOldIndex = s.bool("deleteOldIndex", false);
    }

    /**
     * Reads and checks a {@code resync} section against the pipeline's rules.
     *
     * @param section the section as written (not interpolated); copied
     * @param hasBackfill whether the definition has a {@code backfill} section
     * @throws ConfigException naming the path of the first problem
     */
    static ResyncConfig read(Map<String, ?> section, Map<String, String> env, Rules rules, boolean hasBackfill) {
        Map<String, Object> copy = Collections.unmodifiableMap(new LinkedHashMap<>(section));
        ConfigSection s = new ConfigSection("resync", new LinkedHashMap<>(copy), env);
        ResyncConfig c = new ResyncConfig(copy, s);
        s.finish();
        boolean written = false;
        for (TableRule r : rules.rules()) {
            written |= r.index().equals(c.alias);
        }
        if (!written) {
            throw new ConfigException(s.path("alias"), "no rule writes to '" + c.alias
                    + "' (the alias must be exactly a rule's index)");
        }
        if (!hasBackfill) {
            throw new ConfigException("resync", "needs a backfill section: the re-sync loads the new index with its"
                    + " jdbc, chunkSize, maxRowsPerSecond and checkpointIndex");
        }
        return c;
    }

    private static String indexName(ConfigSection s, String key) {
        String name = s.string(key);
        if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || name.contains("/") || name.contains(",")
                || name.contains("*") || name.contains(" ") || name.startsWith("_") || name.startsWith("-")) {
            throw new ConfigException(s.path(key), "must be a lower-case index name, not '" + name + "'");
        }
        return name;
    }

    @Nullable
    private static String body(ConfigSection s) {
        Object v = s.value("newIndexBody");
        if (v == null) {
            return null;
        }
        try {
            JsonNode node = v instanceof String text ? JSON.readTree(text) : JSON.valueToTree(v);
            if (node == null || !node.isObject()) {
                throw new ConfigException(s.path("newIndexBody"), "must be an object (settings, mappings)");
            }
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new ConfigException(s.path("newIndexBody"), "is not a JSON object: " + e.getOriginalMessage());
        }
    }

    /** {@code alias}: the alias the rules write to, re-synced. */
    public String alias() {
        return alias;
    }

    /** {@code newIndex}: the index created, loaded and then behind the alias. */
    public String newIndex() {
        return newIndex;
    }

    /** {@code newIndexBody} as JSON, interpolated; null to copy the old index's. */
    @Nullable
    public String newIndexBody() {
        return newIndexBody;
    }

    /** {@code deleteOldIndex}: whether the old index is deleted after the switch; default false. */
    public boolean deleteOldIndex() {
        return deleteOldIndex;
    }

    /** The section as written ({@code ${...}} not resolved), for rendering back. */
    public Map<String, Object> raw() {
        return raw;
    }

    /** The section as written, secret-named keys masked. */
    public Map<String, Object> masked() {
        return Secrets.masked(raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResyncConfig other && raw.equals(other.raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    @Override
    public String toString() {
        return "ResyncConfig" + masked();
    }
}
