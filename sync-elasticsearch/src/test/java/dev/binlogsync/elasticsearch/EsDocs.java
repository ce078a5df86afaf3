package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/** Reads documents back from a node for assertions; shared with the compatibility modules. */
public final class EsDocs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EsDocs() {
    }

    /** The document's {@code _source} plus {@code _version} under key {@code "@version"}, or null when missing. */
    @Nullable
    public static Map<String, Object> get(RestClient client, String index, String id, @Nullable String routing) {
        try {
            Request get = new Request("GET", "/" + index + "/_doc/" + id);
            get.addParameter(RestClient.IGNORE_RESPONSE_CODES_PARAM, "404");
            if (routing != null) {
                get.addParameter("routing", routing);
            }
            Response r = client.performRequest(get);
            Map<String, Object> body = JSON.readValue(r.getEntity().getContent(), new TypeReference<Map<String, Object>>() { });
            if (!Boolean.TRUE.equals(body.get("found"))) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> source = (Map<String, Object>) body.get("_source");
            source.put("@version", body.get("_version"));
            return source;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Nullable
    public static Map<String, Object> get(RestClient client, String index, String id) {
        return get(client, index, id, null);
    }

    /** Number of documents in {@code index} after a refresh. */
    public static long count(RestClient client, String index) {
        try {
            client.performRequest(new Request("POST", "/" + index + "/_refresh"));
            Response r = client.performRequest(new Request("GET", "/" + index + "/_count"));
            Map<String, Object> body = JSON.readValue(r.getEntity().getContent(), new TypeReference<Map<String, Object>>() { });
            return ((Number) body.get("count")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a raw request with a JSON or NDJSON body; returns the status (errors included). */
    public static int send(RestClient client, String method, String path, String body, String contentType) {
        try {
            Request request = new Request(method, path);
            request.setEntity(new StringEntity(body, ContentType.create(contentType, "UTF-8")));
            request.addParameter(RestClient.IGNORE_RESPONSE_CODES_PARAM, "400,404,409,413");
            return client.performRequest(request).getStatusLine().getStatusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates an index with one shard, no replicas and the given mapping properties JSON. */
    public static void createIndex(RestClient client, String index, String properties) {
        int status = send(client, "PUT", "/" + index,
                "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":{\"properties\":" + properties + "}}",
                "application/json");
        if (status != 200) {
            throw new IllegalStateException("create index " + index + ": HTTP " + status);
        }
    }
}
