package dev.binlogsync.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * Reads the newest heartbeat document from Elasticsearch and reports how old it is: the time since
 * the newest beat that a heartbeat job wrote into MySQL (a row updated every few seconds, such as
 * the demo's {@code HeartbeatWriter}) has made it through the binlog, Kafka and the pipeline into
 * the index. This is the end-to-end signal to alert on: a growing age means the chain is stuck
 * somewhere, whichever part it is.
 *
 * <pre>{@code
 * HeartbeatCheck check = HeartbeatCheck.of(restClient, "heartbeat");
 * check.newest().ifPresent(beat -> {
 *     pipeline.reportHeartbeat(beat.beat());   // exported as binlogsync.heartbeat.age
 *     System.out.println("heartbeat age " + beat.age());
 * });
 * }</pre>
 *
 * <p>The index holds one document per source with a numeric field {@code beat_ms} (epoch ms; the
 * field name is configurable). Uses the caller's {@link RestClient}, which it does not close, or
 * the connections of an {@link ElasticsearchSink} (its hosts, credentials and TLS; see
 * {@link #of(ElasticsearchSink, String, String, Clock)}).
 * Thread-safe. {@link #newest()} throws {@link java.io.IOException} when Elasticsearch cannot be
 * asked, and returns empty when the index holds no heartbeat yet.
 */
public final class HeartbeatCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.@-]+");

    /** Asked in order: the next one only when the previous one could not be reached. */
    private final List<RestClient> clients;
    private final String index;
    private final String field;
    private final Clock clock;

    private HeartbeatCheck(List<RestClient> clients, String index, String field, Clock clock) {
        this.clients = List.copyOf(clients);
        this.index = index;
        this.field = field;
        this.clock = clock;
    }

    /** A check of {@code index}'s {@code beat_ms} field against the system clock. */
    public static HeartbeatCheck of(RestClient client, String index) {
        return of(client, index, "beat_ms", Clock.systemUTC());
    }

    /**
     * A check of {@code index}'s {@code field} (epoch ms) against {@code clock}.
     *
     * @throws IllegalArgumentException if {@code index} or {@code field} is empty or not a plain name
     */
    public static HeartbeatCheck of(RestClient client, String index, String field, Clock clock) {
        Objects.requireNonNull(client, "client");
        return of(List.of(client), index, field, clock);
    }

    /**
     * A check of {@code index}'s {@code field} (epoch ms) against {@code clock}, read through
     * {@code sink}'s connections: its hosts, path prefix, credentials and TLS settings, so a
     * heartbeat needs no second set of them. The hosts are asked in order, the next one only when
     * the previous one cannot be reached. The sink need not be started; closing it ends the check.
     *
     * @throws IllegalArgumentException if {@code index} or {@code field} is empty or not a plain name
     */
    public static HeartbeatCheck of(ElasticsearchSink sink, String index, String field, Clock clock) {
        Objects.requireNonNull(sink, "sink");
        return of(sink.restClients(), index, field, clock);
    }

    private static HeartbeatCheck of(List<RestClient> clients, String index, String field, Clock clock) {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(clock, "clock");
        if (index.isEmpty() || index.contains("/") || index.contains(" ")) {
            throw new IllegalArgumentException("index must be a plain index name: " + index);
        }
        if (!FIELD.matcher(field).matches()) {
            throw new IllegalArgumentException("field must be a plain field name: " + field);
        }
        return new HeartbeatCheck(clients, index, field, clock);
    }

    /**
     * One heartbeat as Elasticsearch holds it: an immutable value, safe to share between threads.
     * No component is null: the constructor throws {@link NullPointerException} naming a null one.
     *
     * @param id the document id (the heartbeat source)
     * @param beat when it was written into MySQL
     * @param age how long ago that was, by the check's clock (zero if the beat lies in the future);
     *     fixed when the heartbeat was read, it does not grow afterwards
     */
    public record Heartbeat(String id, Instant beat, Duration age) {
        public Heartbeat {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(beat, "beat");
            Objects.requireNonNull(age, "age");
        }
    }

    /**
     * The newest heartbeat in the index.
     *
     * @return empty when the index does not exist or holds no heartbeat yet
     * @throws IOException if Elasticsearch cannot be reached or answers with an error
     */
    public Optional<Heartbeat> newest() throws IOException {
        Request search = new Request("POST", "/" + index + "/_search");
        search.addParameter("ignore_unavailable", "true");
        search.setJsonEntity("{\"size\":1,\"_source\":[\"" + field + "\"],\"query\":{\"exists\":{\"field\":\"" + field
                + "\"}},\"sort\":[{\"" + field + "\":{\"order\":\"desc\",\"unmapped_type\":\"long\"}}]}");
        Response response = null;
        IOException unreachable = null;
        for (RestClient client : clients) {
            try {
                response = client.performRequest(search);
                break;
            } catch (ResponseException e) {
                if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            } catch (IOException e) {
                unreachable = e; // this host cannot be reached: ask the next one
            }
        }
        if (response == null) {
            throw Objects.requireNonNull(unreachable);
        }
        JsonNode hits;
        try (InputStream body = response.getEntity().getContent()) {
            hits = JSON.readTree(body).path("hits").path("hits");
        }
        if (hits.isEmpty()) {
            return Optional.empty();
        }
        JsonNode hit = hits.get(0);
        JsonNode value = hit.path("_source").path(field);
        long beatMillis = value.isNumber() ? value.asLong() : Long.parseLong(value.asText());
        Instant beat = Instant.ofEpochMilli(beatMillis);
        Duration age = Duration.between(beat, clock.instant());
        return Optional.of(new Heartbeat(hit.path("_id").asText(), beat, age.isNegative() ? Duration.ZERO : age));
    }

    @Override
    public String toString() {
        return "HeartbeatCheck{" + index + "." + field + "}";
    }
}
