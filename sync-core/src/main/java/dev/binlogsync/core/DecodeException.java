package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * Input that cannot be turned into change events: malformed JSON, a missing table or key, an
 * unknown operation, a value that does not fit its declared type. The message names the source
 * position (topic, partition, offset) and what is wrong. Never retriable: the same bytes fail the
 * same way.
 *
 * <p>The message quotes input, which is untrusted, and ends up in logs, dead-letter headers and
 * health reasons: it is passed through {@link UntrustedText#shown(CharSequence, int)} with
 * {@value #MAX_MESSAGE_CHARS} characters, so whatever a decoder quotes, the message holds no line
 * break or other control character and has a bounded length. Decoders should still cap what they
 * quote ({@link UntrustedText}), so that the position and the problem are not cut away.
 */
public class DecodeException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** The longest message kept, in characters: {@value}. */
    public static final int MAX_MESSAGE_CHARS = 4096;

    /**
     * @param message the source position and what is wrong; made safe to show and cut to
     *     {@value #MAX_MESSAGE_CHARS} characters
     */
    public DecodeException(String message) {
        super(UntrustedText.shown(message, MAX_MESSAGE_CHARS));
    }

    /**
     * @param message the source position and what is wrong; made safe to show and cut to
     *     {@value #MAX_MESSAGE_CHARS} characters
     * @param cause the underlying failure (e.g. a parser's exception), or null
     */
    public DecodeException(String message, @Nullable Throwable cause) {
        super(UntrustedText.shown(message, MAX_MESSAGE_CHARS), cause);
    }
}
