package dev.binlogsync.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The column names of a Canal row, in order, with the bytes each was written as (null for a name
 * whose plain UTF-8 form is not valid JSON string content, so it never matches): rows of the same
 * columns share its name strings, found by comparing bytes in place, and the column types looked
 * up once per pair of type objects. Immutable but for that cache of types, which is replaced as
 * a whole; safe to share between threads.
 */
final class CanalColumnLayout {
    final String[] names;
    final byte[][] raw;

    CanalColumnLayout(String[] columns, int n) {
        names = Arrays.copyOf(columns, n);
        raw = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] utf8 = names[i].getBytes(StandardCharsets.UTF_8);
            boolean plain = true;
            for (byte b : utf8) {
                if ((b >= 0 && b < 0x20) || b == '\\' || b == '"') {
                    plain = false;
                    break;
                }
            }
            raw[i] = plain ? utf8 : null;
        }
    }

    // the column types of `names` for one pair of (cached, shared) type objects; replaced as a whole
    @Nullable private volatile Types types;

    /** The type of each of {@link #names} under the message's type objects (computed once per pair of them). */
    MysqlColumnType[] types(CanalMessage m) {
        Types t = types;
        if (t == null || t.mysqlType != m.mysqlType || t.sqlTypes != m.sqlTypes) {
            MysqlColumnType[] byColumn = new MysqlColumnType[names.length];
            for (int i = 0; i < names.length; i++) {
                byColumn[i] = m.typeOf(names[i]);
            }
            t = new Types(m.mysqlType, m.sqlTypes, byColumn);
            types = t;
        }
        return t.byColumn;
    }

    /** Whether name {@code i}'s bytes followed by a closing quote start at {@code bytes[from]}. */
    boolean isAt(int i, byte[] bytes, int from) {
        if (i >= raw.length || raw[i] == null) {
            return false;
        }
        int to = from + raw[i].length;
        return to < bytes.length && bytes[to] == '"' && matchesAt(i, bytes, from, to);
    }

    boolean matchesAt(int i, byte[] bytes, int from, int to) {
        if (i >= raw.length) {
            return false;
        }
        byte[] r = raw[i];
        int n = to - from;
        if (r == null || r.length != n) {
            return false;
        }
        if (n > 16) {
            return Arrays.equals(bytes, from, to, r, 0, n);
        }
        for (int k = 0; k < n; k++) { // names are short: a plain loop beats the intrinsic's setup
            if (bytes[from + k] != r[k]) {
                return false;
            }
        }
        return true;
    }

    boolean startsWith(String[] found, int n) {
        if (n > names.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (names[i] != found[i]) {
                return false;
            }
        }
        return true;
    }

    /** The name written as {@code bytes[from, to)}: tried at {@code i} first, then anywhere; null if absent. */
    @Nullable
    String find(int i, byte[] bytes, int from, int to) {
        if (matchesAt(i, bytes, from, to)) {
            return names[i];
        }
        for (int k = 0; k < raw.length; k++) {
            if (k != i && matchesAt(k, bytes, from, to)) {
                return names[k];
            }
        }
        return null;
    }

/** Column types of a layout for the type objects they were looked up in (compared by identity). */
private record Types(@Nullable Map<String, MysqlColumnType> mysqlType, @Nullable CanalMessage.SqlTypes sqlTypes, MysqlColumnType[] byColumn) {
}
}
