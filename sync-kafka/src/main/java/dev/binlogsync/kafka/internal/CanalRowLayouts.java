package dev.binlogsync.kafka.internal;

import javax.annotation.Nullable;

/**
 * The column layouts of the Canal rows a decoder saw last (16 of them, most recent
 * first), so the rows of a table share their column-name strings and the column types looked up
 * for them. The array is replaced as a whole and never modified, so any number of decoding threads
 * may use it at once; a layout a racing thread replaced is only a missed hit.
 */
final class CanalRowLayouts {
    static final int LAYOUTS = 16;

    // the column-name layouts of recently seen rows, most recent first; replaced as a whole, never modified
    private volatile CanalColumnLayout[] layouts = new CanalColumnLayout[0];

    /** The layout remembered last, or null before the first row. */
    @Nullable
    CanalColumnLayout mostRecent() {
        CanalColumnLayout[] recent = layouts;
        return recent.length > 0 ? recent[0] : null;
    }

    /**
     * {@code current} if the string content starting at {@code from} is its name at {@code n},
     * else a recent layout that agrees with the names found so far and has that name at {@code n},
     * else null.
     */
    @Nullable
    CanalColumnLayout match(@Nullable CanalColumnLayout current, String[] found, int n, byte[] bytes, int from) {
        if (current != null && current.isAt(n, bytes, from)) {
            return current;
        }
        for (CanalColumnLayout l : layouts) {
            if (l != current && l.isAt(n, bytes, from) && l.startsWith(found, n)) {
                return l;
            }
        }
        return null;
    }

    CanalColumnLayout remember(CanalColumnLayout l) {
        CanalColumnLayout[] r = layouts;
        CanalColumnLayout[] next = new CanalColumnLayout[Math.min(LAYOUTS, r.length + 1)];
        next[0] = l;
        System.arraycopy(r, 0, next, 1, next.length - 1);
        layouts = next;
        return l;
    }
}
