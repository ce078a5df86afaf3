package dev.binlogsync.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The one rule for which configuration values are secret, used by every {@code toString()} of a
 * configuration or builder, by configuration error messages and by log lines: a secret value is
 * shown as {@value #MASK}.
 *
 * <p>A key (a setting, a client property, a file key, in any case, with {@code .}, {@code _},
 * {@code -} or camel case between words) names a secret when
 * <ul>
 *   <li>it contains {@code password}, {@code passwd}, {@code passphrase}, {@code secret},
 *       {@code token}, {@code jaas} ({@code sasl.jaas.config} holds the SASL password),
 *       {@code credential}, {@code authorization}, {@code userinfo} ({@code basic.auth.user.info}),
 *       {@code apikey}, {@code privatekey} or {@code accesskey}; or</li>
 *   <li>one of its words is {@code pwd}; or</li>
 *   <li>its last word is {@code key} ({@code ssl.keystore.key}, a PEM private key;
 *       {@code apiKey}), while {@code key.deserializer}, {@code keystore.location} or
 *       {@code ssl.key.password}'s other words are not (the last is a secret by {@code password}).</li>
 * </ul>
 * Certificates ({@code ssl.keystore.certificate.chain}, {@code ssl.truststore.certificates}) are
 * public and not masked. Masking shows too little rather than too much: a key such as
 * {@code tokenizer} is masked as well.
 *
 * <p>{@link #mask(Object)} also hides the user info of a URL in any value
 * ({@code https://user:pw@host} becomes {@code https://****@host}).
 *
 * <p><b>Free text.</b> The text of an exception or of a server's answer is not a configuration:
 * it may quote a URL with credentials, a connection string or a header. {@link #redact(CharSequence)}
 * makes such text fit for a log line, an exception message, a health reason, a dead letter or a
 * header: every URL is cut to its scheme, host and port ({@code https://admin:pw@es:9200/x?token=t}
 * becomes {@code https://es:9200/****}: user info, path, query and fragment may all hold a secret);
 * the value of every secret-named key ({@link #isSecretKey}; the lone word {@code key} excepted)
 * written as {@code key=value}, {@code key: value}, {@code key="value"} or {@code "key": "value"}
 * becomes {@value #MASK}, a quoted value up to its closing quote, another up to the next
 * {@code ,}, {@code ;}, quote, line end or the end of the text; the credential after
 * {@code Bearer} or {@code Basic} becomes {@value #MASK}; then the text is escaped and capped
 * ({@link UntrustedText}). A secret without a key name that says so (a bare token, a password
 * after {@code user:} without a scheme) is not recognised. {@link #describe(Throwable)} and
 * {@link #loggable(Throwable)} apply it to exceptions. Stateless and thread-safe.
 */
public final class Secrets {

    /** What a secret value is shown as. */
    public static final String MASK = "****";

    private static final String[] SECRET_PARTS = {
        "password", "passwd", "passphrase", "secret", "token", "jaas", "credential", "authorization",
        "userinfo", "apikey", "privatekey", "accesskey",
    };
    private static final Pattern WORD_BREAK = Pattern.compile("[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])");
    private static final Pattern URL_USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)[A-Za-z0-9._~+/=-]+");
    /** How deep {@link #loggable(Throwable)} follows causes. */
    private static final int MAX_CAUSES = 16;

    private Secrets() {
    }

    /** Whether {@code key} names a secret value (see the class description). */
    public static boolean isSecretKey(@Nullable String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        String[] words = WORD_BREAK.split(key);
        StringBuilder joined = new StringBuilder(key.length());
        String last = "";
        for (String w : words) {
            if (w.isEmpty()) {
                continue;
            }
            String lower = w.toLowerCase(Locale.ROOT);
            if (lower.equals("pwd")) {
                return true;
            }
            joined.append(lower);
            last = lower;
        }
        String all = joined.toString();
        for (String part : SECRET_PARTS) {
            if (all.contains(part)) {
                return true;
            }
        }
        return last.equals("key");
    }

    /**
     * {@code value} with every secret hidden, for display: maps (at any depth, also inside lists)
     * have the values of their secret keys replaced by {@value #MASK} (null stays null), strings
     * lose the user info of URLs. Other values are returned as they are; the input is not
     * modified.
     */
    @Nullable
    public static Object mask(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String k = String.valueOf(e.getKey());
                out.put(k, isSecretKey(k) && e.getValue() != null ? MASK : mask(e.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(mask(item));
            }
            return out;
        }
        if (value instanceof CharSequence s) {
            return maskUserInfo(s.toString());
        }
        return value;
    }

    /** {@code map} with secrets masked ({@link #mask(Object)}), as a new insertion-ordered map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> masked(Map<String, ?> map) {
        return (Map<String, Object>) mask(map);
    }

    /** {@code text} with the user info of every URL in it replaced: {@code scheme://****@host}. */
    public static String maskUserInfo(String text) {
        if (text.indexOf('@') < 0 || !text.contains("://")) {
            return text;
        }
        return URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
    }

    /**
     * {@code text} with its secrets removed (see the class description), escaped and capped at
     * {@link UntrustedText#DEFAULT_MAX_CHARS} characters; null is shown as {@code null}.
     */
    public static String redact(@Nullable CharSequence text) {
        return redact(text, UntrustedText.DEFAULT_MAX_CHARS);
    }

    /**
     * {@code text} with its secrets removed (see the class description), escaped and capped at
     * {@code maxChars} characters ({@link UntrustedText#shown(CharSequence, int)}); the whole text
     * is cleaned before it is cut, so a cut never leaves the start of a secret.
     *
     * @throws IllegalArgumentException if {@code maxChars} is less than 1
     */
    public static String redact(@Nullable CharSequence text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1: " + maxChars);
        }
        if (text == null) {
            return "null";
        }
        String s = cutUrls(text.toString());
        s = AUTH_SCHEME.matcher(s).replaceAll("$1$2" + MASK);
        return UntrustedText.shown(maskSecretValues(s), maxChars);
    }

    // The scans below look at each character a bounded number of times (no regular expression that
    // could backtrack over a long word): the text may be a megabyte of a server's answer.

    /**
     * Every {@code scheme://[userinfo@]host[:port][rest]} cut to {@code scheme://host[:port]}, and
     * {@code /****} when a rest (path, query, fragment) was dropped. The user info runs to the last
     * {@code @} before the next space, quote or angle bracket: a password may hold {@code /}.
     */
    private static String cutUrls(String s) {
        int sep = s.indexOf("://");
        if (sep < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int done = 0;
        int runEnd = -1; // the end of the run (no space, quote or angle bracket) the current URL is in
        int lastAt = -1; // the last '@' of that run, or -1
        while (sep >= 0) {
            int start = sep;
            while (start > done && sep - start < 32 && isSchemeChar(s.charAt(start - 1))) {
                start--;
            }
            while (start < sep && !isAsciiLetter(s.charAt(start))) {
                start++;
            }
            if (start == sep) { // no scheme before it
                sep = s.indexOf("://", sep + 3);
                continue;
            }
            int i = sep + 3;
            if (i > runEnd) {
                runEnd = i;
                lastAt = -1;
                while (runEnd < s.length() && !endsRun(s.charAt(runEnd))) {
                    if (s.charAt(runEnd) == '@') {
                        lastAt = runEnd;
                    }
                    runEnd++;
                }
            }
            if (lastAt >= i) {
                i = lastAt + 1;
            }
            int host = i;
            if (i < s.length() && s.charAt(i) == '[') { // an IPv6 address
                int close = s.indexOf(']', i);
                i = close < 0 || close >= runEnd ? runEnd : close + 1;
            }
            while (i < runEnd && "/?#@[](),;".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            int hostEnd = i;
            if (i < runEnd && "/?#".indexOf(s.charAt(i)) >= 0) {
                while (i < runEnd && s.charAt(i) != ']' && s.charAt(i) != ')') {
                    i++;
                }
            }
            out.append(s, done, sep + 3).append(s, host, hostEnd);
            if (i - hostEnd == 1 && s.charAt(hostEnd) == '/') {
                out.append('/');
            } else if (i > hostEnd) {
                out.append('/').append(MASK);
            }
            done = i;
            sep = s.indexOf("://", Math.max(done, sep + 3));
        }
        return out.append(s, done, s.length()).toString();
    }

    private static boolean endsRun(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>';
    }

    /**
     * The value of every secret-named {@code key=value}, {@code key: value}, {@code key="value"} or
     * {@code "key": "value"} replaced by {@link #MASK}. A key is up to 64 letters, digits and
     * {@code _ . -} starting with a letter, directly before an optional quote, spaces and the
     * {@code =} or {@code :}.
     */
    private static String maskSecretValues(String s) {
        StringBuilder out = null;
        int done = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c != '=' && c != ':') {
                continue;
            }
            int keyEnd = j;
            while (keyEnd > done && Character.isWhitespace(s.charAt(keyEnd - 1))) {
                keyEnd--;
            }
            if (keyEnd > done && (s.charAt(keyEnd - 1) == '"' || s.charAt(keyEnd - 1) == '\'')) {
                keyEnd--;
            }
            int keyStart = keyEnd;
            while (keyStart > done && keyEnd - keyStart < 64 && isKeyChar(s.charAt(keyStart - 1))) {
                keyStart--;
            }
            while (keyStart < keyEnd && !isAsciiLetter(s.charAt(keyStart))) {
                keyStart++;
            }
            String key = s.substring(keyStart, keyEnd);
            if (key.isEmpty() || key.equalsIgnoreCase("key") || !isSecretKey(key)) {
                continue; // "key: 7" in free text is rarely a secret
            }
            int v = j + 1;
            while (v < s.length() && Character.isWhitespace(s.charAt(v)) && s.charAt(v) != '\n' && s.charAt(v) != '\r') {
                v++;
            }
            char quote = v < s.length() && (s.charAt(v) == '"' || s.charAt(v) == '\'') ? s.charAt(v++) : 0;
            int end = v;
            while (end < s.length() && (quote != 0 ? s.charAt(end) != quote : ",;\"'\r\n".indexOf(s.charAt(end)) < 0)) {
                end++;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, done, v).append(MASK);
            done = end;
            j = end - 1;
        }
        return out == null ? s : out.append(s, done, s.length()).toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
    }

    private static boolean isKeyChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }

    /**
     * {@code t} as {@link Throwable#toString()} shows it, with its message {@link #redact redacted}:
     * its class name and, when it has a message, {@code ": "} and the message cleaned and capped at
     * {@link UntrustedText#DEFAULT_MAX_CHARS} characters. Its causes are not shown.
     */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null ? t.getClass().getName() : t.getClass().getName() + ": " + redact(message);
    }

    /**
     * A stand-in for {@code t} to pass to a logger ({@code log.warn("...", Secrets.loggable(e))}):
     * it prints as {@link #describe(Throwable)}, has {@code t}'s stack frames, and its causes and
     * suppressed exceptions are stand-ins made the same way (at most 16 causes deep; a cycle is cut).
     * A logger that prints a stack trace thus shows where the failure happened without the
     * messages' secrets. Only for printing: it is a new object, not {@code t}'s type.
     */
    public static Throwable loggable(Throwable t) {
        return loggable(t, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    }

    private static Throwable loggable(Throwable t, Set<Throwable> seen, int depth) {
        seen.add(t);
        Throwable cause = t.getCause();
        Redacted r = new Redacted(describe(t),
                cause == null || depth >= MAX_CAUSES || seen.contains(cause) ? null : loggable(cause, seen, depth + 1));
        r.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            if (!seen.contains(s) && depth < MAX_CAUSES) {
                r.addSuppressed(loggable(s, seen, depth + 1));
            }
        }
        return r;
    }

    /** What {@link #loggable(Throwable)} returns: prints as its message, which names the original class. */
    private static final class Redacted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Redacted(String shown, @Nullable Throwable cause) {
            super(shown, cause, true, true);
        }

        @Override
        public String toString() {
            return String.valueOf(getMessage());
        }
    }
}
