package dev.binlogsync.core.internal;

import dev.binlogsync.core.BulkSummary;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.Secrets;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@link PipelineListener}s as one: each hears every event in the order they were added,
 * and one that throws is logged and does not keep the event from the others (a
 * {@link VirtualMachineError} other than a {@link StackOverflowError} still propagates, as from a
 * single listener). Immutable; called on the threads {@link PipelineListener} names.
 */
public final class Listeners implements PipelineListener {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<PipelineListener> listeners;

    private Listeners(List<PipelineListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** The listeners as one; the single listener itself when there is one. */
    public static PipelineListener of(List<PipelineListener> listeners) {
        return listeners.size() == 1 ? listeners.get(0) : new Listeners(listeners);
    }

    private void each(String method, Consumer<PipelineListener> call) {
        for (PipelineListener l : listeners) {
            try {
                call.accept(l);
            } catch (Throwable e) {
                if (Engine.isFatal(e)) {
                    throw (VirtualMachineError) e;
                }
                LOG.warn("listener {} failed in {}", l.getClass().getName(), method, Secrets.loggable(e));
            }
        }
    }

    @Override
    public void onStateChange(PipelineState from, PipelineState to) {
        each("onStateChange", l -> l.onStateChange(from, to));
    }

    @Override
    public void onFailure(Throwable failure) {
        each("onFailure", l -> l.onFailure(failure));
    }

    @Override
    public void onBulkCompleted(BulkSummary summary) {
        each("onBulkCompleted", l -> l.onBulkCompleted(summary));
    }

    @Override
    public void onPause() {
        each("onPause", PipelineListener::onPause);
    }

    @Override
    public void onResume() {
        each("onResume", PipelineListener::onResume);
    }

    @Override
    public void onPartitionsAssigned(Collection<String> partitions) {
        each("onPartitionsAssigned(" + partitions + ")", l -> l.onPartitionsAssigned(partitions));
    }

    @Override
    public void onPartitionsRevoked(Collection<String> partitions) {
        each("onPartitionsRevoked", l -> l.onPartitionsRevoked(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<String> partitions) {
        each("onPartitionsLost", l -> l.onPartitionsLost(partitions));
    }
}
