package dev.binlogsync.examples.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A {@link CanalMessageSink} fake that keeps every message in memory. Thread-safe. */
class RecordingCanalMessageSink implements CanalMessageSink {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One stored message. */
    record Sent(int partition, byte[] bytes) {
        JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final int partitions;
    private final List<Sent> sent = new ArrayList<>();
    private int flushes;
    private boolean closed;

    RecordingCanalMessageSink(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public int partitionCount() {
        return partitions;
    }

    @Override
    public synchronized void send(int partition, byte[] message) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition out of range: " + partition);
        }
        sent.add(new Sent(partition, message));
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    synchronized List<Sent> sent() {
        return new ArrayList<>(sent);
    }

    /** The row (non-DDL) messages for one table, as JSON, in send order. */
    synchronized List<JsonNode> messages(String table) {
        return messages(table, false);
    }

    /** The DDL messages for one table, as JSON, in send order. */
    synchronized List<JsonNode> ddl(String table) {
        return messages(table, true);
    }

    private List<JsonNode> messages(String table, boolean ddl) {
        List<JsonNode> out = new ArrayList<>();
        for (Sent s : sent) {
            JsonNode n = s.json();
            if (table.equals(n.path("table").asText()) && n.path("isDdl").asBoolean() == ddl) {
                out.add(n);
            }
        }
        return out;
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
