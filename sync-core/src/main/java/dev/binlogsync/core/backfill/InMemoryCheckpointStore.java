package dev.binlogsync.core.backfill;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * A {@link CheckpointStore} in memory: for tests, and for a backfill that need not survive its
 * process. Thread-safe. Saves a JSON round trip of each checkpoint, as a durable store would.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final Map<String, String> saved = new ConcurrentHashMap<>();

    @Override
    @Nullable
    public Checkpoint load(String table) {
        String json = saved.get(table);
        return json == null ? null : Checkpoint.fromJson(json);
    }

    @Override
    public void save(String table, Checkpoint checkpoint) {
        saved.put(table, checkpoint.toJson());
    }
}
