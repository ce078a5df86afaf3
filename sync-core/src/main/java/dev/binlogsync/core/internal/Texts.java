package dev.binlogsync.core.internal;

import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;

/** Log text helpers: payloads are capped so one huge row cannot flood a log. */
final class Texts {
    /** Most characters of a payload a log line shows. */
    static final int CAP = 512;

    private Texts() {
    }

    /** The bytes as UTF-8 text, cut at {@link #CAP} characters with the full length noted. */
    static String capped(@Nullable byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        int n = Math.min(bytes.length, CAP);
        String head = new String(bytes, 0, n, StandardCharsets.UTF_8);
        return bytes.length > CAP ? head + "...(" + bytes.length + " bytes)" : head;
    }

    /** The text cut at {@link #CAP} characters with the full length noted. */
    static String capped(String text) {
        return text.length() > CAP ? text.substring(0, CAP) + "...(" + text.length() + " chars)" : text;
    }
}
