package dev.binlogsync.core.internal;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The not-yet-sent actions, split into lanes by the hash of (index, id), with coalescing: several
 * actions for one document inside the buffer become one, while every source record involved stays
 * referenced. Coalescing rules (earlier buffered action, then later one):
 * <ul>
 *   <li>any, then INDEX: the INDEX replaces it;</li>
 *   <li>any, then DELETE: the DELETE replaces it;</li>
 *   <li>UPSERT, then UPSERT: fields merge (later wins), stays UPSERT. How objects merge follows the
 *       sink ({@link #replaceObjectFields(boolean)}, from
 *       {@link dev.binlogsync.core.BulkSink#replacesObjectFields()}): each top-level field replaced
 *       whole, objects included, a {@link dev.binlogsync.core.PartialObject} merged key by key
 *       ({@link DocumentMerge#merge}, the default); or, for a sink that merges objects as
 *       Elasticsearch's {@code doc} does, objects merged key by key at every depth
 *       ({@link DocumentMerge#deepMerge}). Either way the coalesced write leaves what the writes
 *       one by one leave;</li>
 *   <li>INDEX, then UPSERT: the fields merge into the indexed document, stays INDEX;</li>
 *   <li>DELETE, then UPSERT: becomes INDEX of the upsert's fields — exactly what Elasticsearch ends
 *       with after a delete followed by {@code doc_as_upsert};</li>
 *   <li>INDEX, UPSERT or UPDATE, then UPDATE: the fields merge, keeping the earlier type (the
 *       update applies to the document the earlier action leaves, or, after an UPDATE, to none);</li>
 *   <li>DELETE, then UPDATE: stays the DELETE (the update finds no document); an UPDATE never
 *       becomes an action that creates a document;</li>
 *   <li>never coalesced, but appended as a separate action in the same lane (so still in order):
 *       actions from different source partitions (so a lost partition's actions can be dropped
 *       without touching another's), actions with different routing, an UPSERT or UPDATE after an
 *       action that carries an external version (the merged write could be rejected as stale where
 *       the upsert alone would have applied, and a stale delete leaves a document to update), and
 *       an UPSERT after an UPDATE (whether the update applied depends on the document existing,
 *       which one action cannot express).</li>
 * </ul>
 * Pipeline thread only.
 */
final class BulkBuffer {
    private final Lane[] lanes;
    private final int maxBulkActions;
    private final long maxBulkBytes;
    private long size;
    private long bytes;
    private long coalesced;
    private final EngineCounters counters;
    private boolean replaceObjects = true;

    /** A buffer whose fence counts go nowhere (tests and benchmarks of the buffer alone). */
    public BulkBuffer(int lanes, int maxBulkActions, long maxBulkBytes) {
        this(lanes, maxBulkActions, maxBulkBytes, new EngineCounters());
    }

    /** A buffer counting the writes its lanes' fences hold back in {@code counters}. */
    BulkBuffer(int lanes, int maxBulkActions, long maxBulkBytes, EngineCounters counters) {
        if (lanes < 1 || maxBulkActions < 1 || maxBulkBytes < 1) {
            throw new IllegalArgumentException("lanes, maxBulkActions and maxBulkBytes must be >= 1");
        }
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane(i);
        }
        this.maxBulkActions = maxBulkActions;
        this.maxBulkBytes = maxBulkBytes;
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /**
     * Sets how coalesced partial writes merge objects: true (the default) replaces each top-level
     * field whole ({@link DocumentMerge#merge}), false merges objects at every depth
     * ({@link DocumentMerge#deepMerge}); the sink's {@link dev.binlogsync.core.BulkSink#replacesObjectFields()}.
     */
    void replaceObjectFields(boolean replace) {
        this.replaceObjects = replace;
    }

    /** The lane of a document: a spread hash of index and id. */
    public int laneOf(String index, String id) {
        int h = index.hashCode() * 31 + id.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Math.floorMod(h, lanes.length);
    }

    public Lane lane(int i) {
        return lanes[i];
    }

    public int laneCount() {
        return lanes.length;
    }

    /**
     * Adds {@code action} produced by {@code ref}'s record, coalescing it with the latest unsent
     * action for the same document where the rules allow. Takes a reference on {@code ref}.
     *
     * @return the lane it went to
     */
    public Lane add(DocumentAction action, PendingRecord ref, long nowNanos) {
        Lane lane = lanes[laneOf(action.index(), action.id())];
        HashMap<String, BufferedAction> byId = lane.latest.get(action.index());
        if (byId == null) {
            byId = new HashMap<>();
            lane.latest.put(action.index(), byId);
        }
        BufferedAction existing = byId.get(action.id());
        ref.retain();
        long before = existing == null ? 0 : existing.bytes;
        if (existing != null && coalesce(existing, action, ref)) {
            existing.addRef(ref);
            // the buffered action now costs what its merged action costs (see BufferedAction#bytes): a hot document
            // merged a thousand times is one document's size, not a thousand patches'
            lane.bytes += existing.bytes - before;
            bytes += existing.bytes - before;
            coalesced++;
            return lane;
        }
        long b = DocumentSize.estimateBytes(action.index(), action.id(), action.routing(), action.document());
        BufferedAction buffered = new BufferedAction(action, ref, b);
        if (lane.buffer.isEmpty()) {
            lane.firstNanos = nowNanos;
        }
        lane.buffer.addLast(buffered);
        lane.bytes += b;
        byId.put(action.id(), buffered);
        size++;
        bytes += b;
        return lane;
    }

    /** Applies the coalescing rules; returns false when {@code later} must be appended instead. */
    private boolean coalesce(BufferedAction existing, DocumentAction later, PendingRecord ref) {
        if (existing.tracker != ref.tracker || !Objects.equals(existing.routing(), later.routing())) {
            return false;
        }
        switch (later.type()) {
            case INDEX:
            case DELETE:
                existing.replace(later);
                return true;
            case UPSERT:
                if (existing.version() != null || existing.type() == ActionType.UPDATE) {
                    return false;
                }
                if (existing.type() == ActionType.DELETE) {
                    existing.deleteThenUpsert(later);
                } else {
                    existing.mergeFields(later.document(), replaceObjects);
                }
                return true;
            case UPDATE:
                if (existing.version() != null) {
                    return false;
                }
                if (existing.type() != ActionType.DELETE) {
                    existing.mergeFields(later.document(), replaceObjects);
                }
                return true;
            default:
                throw new AssertionError(later.type());
        }
    }

    /**
     * Takes the next bulk from the head of {@code lane}: up to {@code maxBulkActions} actions and
     * about {@code maxBulkBytes} (always at least one action, unless every buffered action belongs
     * to a fenced document). Actions of fenced documents stay in the buffer, in order.
     *
     * @return the actions, oldest first; empty if the lane has nothing buffered that may be sent
     */
    public List<BufferedAction> take(Lane lane) {
        if (lane.fenced != null) {
            return takeUnfenced(lane);
        }
        int n = lane.buffer.size();
        if (n <= maxBulkActions && lane.bytes <= maxBulkBytes) {
            // the whole lane: no per-action index maintenance
            List<BufferedAction> all = new ArrayList<>(lane.buffer);
            lane.buffer.clear();
            if (lane.latest.size() > 16) {
                lane.latest.clear(); // many index names (templates): do not keep a map per name forever
            } else {
                // keep the per-index maps and their tables: refilling them costs no rehashing
                for (HashMap<String, BufferedAction> byId : lane.latest.values()) {
                    byId.clear();
                }
            }
            size -= n;
            bytes -= lane.bytes;
            lane.bytes = 0;
            return all;
        }
        List<BufferedAction> out = new ArrayList<>(Math.min(n, maxBulkActions));
        long taken = 0;
        while (!lane.buffer.isEmpty() && out.size() < maxBulkActions) {
            BufferedAction s = lane.buffer.peekFirst();
            if (!out.isEmpty() && taken + s.bytes > maxBulkBytes) {
                break;
            }
            lane.buffer.pollFirst();
            out.add(s);
            taken += s.bytes;
            unindex(lane, s);
        }
        lane.bytes -= taken;
        size -= out.size();
        bytes -= taken;
        return out;
    }

    /** {@link #take} skipping the fenced documents' actions (which keep their order behind). */
    private List<BufferedAction> takeUnfenced(Lane lane) {
        List<BufferedAction> out = new ArrayList<>(Math.min(lane.buffer.size(), maxBulkActions));
        ArrayDeque<BufferedAction> kept = new ArrayDeque<>();
        long taken = 0;
        while (!lane.buffer.isEmpty()) {
            BufferedAction s = lane.buffer.peekFirst();
            if (out.size() >= maxBulkActions || !out.isEmpty() && taken + s.bytes > maxBulkBytes) {
                break;
            }
            lane.buffer.pollFirst();
            if (lane.holdsBack(s, counters)) {
                kept.addLast(s);
                continue;
            }
            out.add(s);
            taken += s.bytes;
            unindex(lane, s);
        }
        while (!kept.isEmpty()) {
            lane.buffer.addFirst(kept.pollLast());
        }
        lane.bytes -= taken;
        size -= out.size();
        bytes -= taken;
        return out;
    }

    private static void unindex(Lane lane, BufferedAction s) {
        Map<String, BufferedAction> byId = lane.latest.get(s.index());
        if (byId != null) {
            byId.remove(s.id(), s); // only if it is still the latest for its id (BufferedAction: identity equality)
        }
    }

    /**
     * Removes the unsent actions of the given partitions (lost or revoked and given up).
     *
     * @return the removed actions
     */
    public List<BufferedAction> drop(Set<PartitionTracker> trackers) {
        List<BufferedAction> dropped = new ArrayList<>();
        for (Lane lane : lanes) {
            for (Iterator<BufferedAction> it = lane.buffer.iterator(); it.hasNext(); ) {
                BufferedAction s = it.next();
                if (trackers.contains(s.tracker)) {
                    it.remove();
                    unindex(lane, s);
                    lane.bytes -= s.bytes;
                    bytes -= s.bytes;
                    size--;
                    dropped.add(s);
                }
            }
        }
        return dropped;
    }

    /** Unsent actions in all lanes. */
    public long size() {
        return size;
    }

    /** Estimated bytes of the unsent actions. */
    public long bytes() {
        return bytes;
    }

    /** Actions merged into an earlier one so far. */
    public long coalesced() {
        return coalesced;
    }
}
