package dev.binlogsync.core.testing;

import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Source} that forwards every call, the default methods included, to another; a wrapper
 * that breaks or observes one call extends it and overrides that call. Forwarding
 * {@link #maxPollInterval()} matters: a wrapper that drops it hides the delegate's poll limit from
 * {@code SyncPipeline.Builder#build()}'s check of the drain timeout.
 *
 * <p>Thread-safety is the delegate's.
 */
public class ForwardingSource implements Source {
    private final Source delegate;

    /** @param delegate the source every call goes to */
    public ForwardingSource(Source delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The source every call goes to. */
    protected final Source delegate() {
        return delegate;
    }

    @Override
    public void open(PartitionListener listener) {
        delegate.open(listener);
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        return delegate.poll(timeout);
    }

    @Override
    public void commit(Map<String, SourcePosition> lastDone) {
        delegate.commit(lastDone);
    }

    @Override
    public void pause() {
        delegate.pause();
    }

    @Override
    public void resume() {
        delegate.resume();
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public Map<String, Long> lag() {
        return delegate.lag();
    }

    @Override
    public Optional<Duration> maxPollInterval() {
        return delegate.maxPollInterval();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
