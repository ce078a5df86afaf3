package dev.binlogsync.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * ({@code https://user:pw@host} becomes {@code https://****@host}). Stateless and thread-safe.
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
}
