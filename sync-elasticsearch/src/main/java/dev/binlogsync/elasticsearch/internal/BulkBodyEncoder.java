package dev.binlogsync.elasticsearch.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.VersionType;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes the NDJSON body of a {@code _bulk} request straight from {@link DocumentAction}s with
 * Jackson's streaming generator: no trees, no intermediate strings. Never writes {@code _type}
 * (removed in Elasticsearch 7 and OpenSearch 2), and uses the un-prefixed {@code routing},
 * {@code version} and {@code version_type} that 7.x, 8.x, 9.x and OpenSearch all accept.
 *
 * <p>Lines per action:
 * <pre>
 * {"index":{"_index":"i","_id":"1","routing":"r","version":7,"version_type":"external"}}
 * {...document...}
 * {"update":{"_index":"i","_id":"1"}}
 * {"doc":{...fields...},"doc_as_upsert":true}
 * {"delete":{"_index":"i","_id":"1"}}
 * </pre>
 *
 * <p>Document values are the JSON-compatible types {@link dev.binlogsync.core.ChangeEvent} documents;
 * {@code byte[]} is written as base64, any other object as its {@code toString()}.
 *
 * <p>Thread-safe (stateless apart from the shared {@link JsonFactory}).
 */
public final class BulkBodyEncoder {

    private static final SerializableString INDEX = new SerializedString("index");
    private static final SerializableString UPDATE = new SerializedString("update");
    private static final SerializableString DELETE = new SerializedString("delete");
    private static final SerializableString F_INDEX = new SerializedString("_index");
    private static final SerializableString F_ID = new SerializedString("_id");
    private static final SerializableString F_ROUTING = new SerializedString("routing");
    private static final SerializableString F_VERSION = new SerializedString("version");
    private static final SerializableString F_VERSION_TYPE = new SerializedString("version_type");
    private static final SerializableString F_DOC = new SerializedString("doc");
    private static final SerializableString F_DOC_AS_UPSERT = new SerializedString("doc_as_upsert");
    private static final String EXTERNAL = "external";
    private static final String EXTERNAL_GTE = "external_gte";

    private final JsonFactory factory;

    public BulkBodyEncoder() {
        JsonFactoryBuilder builder = new JsonFactoryBuilder();
        builder.rootValueSeparator((String) null); // lines end with '\n', written by us
        builder.disable(StreamWriteFeature.AUTO_CLOSE_TARGET);
        factory = builder.build();
    }

    /**
     * Appends the NDJSON lines of {@code actions} to {@code out}, ending with a newline as
     * {@code _bulk} requires.
     *
     * @throws IOException only if {@code out} throws
     */
    public void encode(List<DocumentAction> actions, OutputStream out) throws IOException {
        try (JsonGenerator gen = factory.createGenerator(out, JsonEncoding.UTF8)) {
            for (int i = 0, n = actions.size(); i < n; i++) {
                writeAction(gen, actions.get(i));
            }
            gen.flush();
        }
    }

    private static void writeAction(JsonGenerator gen, DocumentAction action) throws IOException {
        ActionType type = action.type();
        gen.writeStartObject();
        gen.writeFieldName(type == ActionType.INDEX ? INDEX : type == ActionType.UPSERT ? UPDATE : DELETE);
        gen.writeStartObject();
        gen.writeFieldName(F_INDEX);
        gen.writeString(action.index());
        gen.writeFieldName(F_ID);
        gen.writeString(action.id());
        String routing = action.routing();
        if (routing != null) {
            gen.writeFieldName(F_ROUTING);
            gen.writeString(routing);
        }
        Long version = action.version();
        VersionType versionType = action.versionType();
        if (version != null && versionType != null) {
            gen.writeFieldName(F_VERSION);
            gen.writeNumber(version.longValue());
            gen.writeFieldName(F_VERSION_TYPE);
            gen.writeString(versionType == VersionType.EXTERNAL ? EXTERNAL : EXTERNAL_GTE);
        }
        gen.writeEndObject();
        gen.writeEndObject();
        gen.writeRaw('\n');
        Map<String, Object> document = action.document();
        if (type == ActionType.INDEX && document != null) {
            writeMap(gen, document);
            gen.writeRaw('\n');
        } else if (type == ActionType.UPSERT && document != null) {
            gen.writeStartObject();
            gen.writeFieldName(F_DOC);
            writeMap(gen, document);
            gen.writeFieldName(F_DOC_AS_UPSERT);
            gen.writeBoolean(true);
            gen.writeEndObject();
            gen.writeRaw('\n');
        }
    }

    private static void writeMap(JsonGenerator gen, Map<?, ?> map) throws IOException {
        gen.writeStartObject();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object key = e.getKey();
            gen.writeFieldName(key instanceof String ? (String) key : String.valueOf(key));
            writeValue(gen, e.getValue());
        }
        gen.writeEndObject();
    }

    // Most frequent types first: row values are mostly strings and numbers.
    private static void writeValue(JsonGenerator gen, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String) {
            gen.writeString((String) value);
        } else if (value instanceof Long) {
            gen.writeNumber(((Long) value).longValue());
        } else if (value instanceof Integer) {
            gen.writeNumber(((Integer) value).intValue());
        } else if (value instanceof Boolean) {
            gen.writeBoolean((Boolean) value);
        } else if (value instanceof Double) {
            gen.writeNumber(((Double) value).doubleValue());
        } else if (value instanceof BigDecimal) {
            gen.writeNumber((BigDecimal) value);
        } else if (value instanceof BigInteger) {
            gen.writeNumber((BigInteger) value);
        } else if (value instanceof Float) {
            gen.writeNumber(((Float) value).floatValue());
        } else if (value instanceof Short || value instanceof Byte) {
            gen.writeNumber(((Number) value).intValue());
        } else if (value instanceof Map) {
            writeMap(gen, (Map<?, ?>) value);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            gen.writeStartArray();
            for (int i = 0, n = list.size(); i < n; i++) {
                writeValue(gen, list.get(i));
            }
            gen.writeEndArray();
        } else if (value instanceof Iterable) {
            gen.writeStartArray();
            for (Object o : (Iterable<?>) value) {
                writeValue(gen, o);
            }
            gen.writeEndArray();
        } else if (value instanceof byte[]) {
            gen.writeBinary((byte[]) value);
        } else if (value instanceof Object[]) {
            gen.writeStartArray();
            for (Object o : (Object[]) value) {
                writeValue(gen, o);
            }
            gen.writeEndArray();
        } else {
            gen.writeString(value.toString());
        }
    }
}
