package dev.binlogsync.core.alert;

/**
 * Receives the {@link AlertEvent}s of an {@link AlertEvaluator}: for each condition, one
 * {@link AlertEvent.Type#FIRING} when an episode has held for its duration and one
 * {@link AlertEvent.Type#RESOLVED} when it stops holding, never repeated while it holds.
 *
 * <p>Called on the thread that evaluates (the caller of {@link AlertEvaluator#evaluate()} or the
 * evaluator's own thread), one event at a time, in order; keep it short (hand slow work such as an
 * HTTP notification to another thread). It must not call {@link AlertEvaluator#evaluate()}. An
 * exception it throws is logged and ignored: the other events of the evaluation are still
 * delivered and the episode's state is not changed by it (a FIRING whose delivery threw is not
 * repeated).
 */
@FunctionalInterface
public interface AlertListener {

    /** One alert event. */
    void onAlert(AlertEvent event);
}
