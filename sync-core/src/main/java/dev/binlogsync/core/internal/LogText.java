package dev.binlogsync.core.internal;

import dev.binlogsync.core.UntrustedText;
import javax.annotation.Nullable;

/**
 * Payloads and causes as the engine logs them: capped so one huge row cannot flood a log, and
 * escaped ({@link UntrustedText}) so a row value cannot forge a log entry.
 */
final class LogText {
    /** Most characters of a payload a log line shows. */
    static final int CAP = 512;

    private LogText() {
    }

    /** The bytes as UTF-8 text, cut at {@link #CAP} characters with what was cut noted, escaped. */
    static String capped(@Nullable byte[] bytes) {
        return UntrustedText.shown(bytes, CAP);
    }

    /** The text cut at {@link #CAP} characters with what was cut noted, escaped. */
    static String capped(String text) {
        return UntrustedText.shown(text, CAP);
    }
}
