package dev.binlogsync.core.testing;

import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A {@link CheckpointStore} that forwards every call to another; a test's store that observes,
 * delays or breaks one call (a crash at a chosen save, a hook when a chunk's pending documents are
 * saved) extends it and overrides that call.
 *
 * <p>Thread-safety is the delegate's.
 */
public class ForwardingCheckpointStore implements CheckpointStore {
    private final CheckpointStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingCheckpointStore(CheckpointStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every call goes to. */
    protected final CheckpointStore delegate() {
        return delegate;
    }

    @Override
    @Nullable
    public Checkpoint load(String table) {
        return delegate.load(table);
    }

    @Override
    public void save(String table, Checkpoint checkpoint) {
        delegate.save(table, checkpoint);
    }
}
