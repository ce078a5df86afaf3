package dev.binlogsync.kafka.internal;

import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.UntrustedText;

/**
 * The bounds MySQL puts on what a change message names, checked at decode so that a corrupt or
 * hostile message cannot fill the decoders' caches, the rule cache or a log line with names no
 * MySQL table can have. {@code KafkaSource} prefixes the errors with the topic, partition and
 * offset.
 */
public final class Identifiers {

    /** MySQL's longest database, table or column name, in characters. */
    public static final int MAX_NAME = 64;
    /** MySQL's most columns in a table. */
    public static final int MAX_COLUMNS = 4096;

    private Identifiers() {
    }

    /**
     * {@code name}, if it is at most {@link #MAX_NAME} characters long.
     *
     * @param what what the name is, e.g. {@code database}, {@code table}, {@code column}
     * @throws DecodeException naming {@code what} and the length, with the name capped and escaped
     */
    public static String check(String name, String what) {
        if (name.length() > MAX_NAME) {
            throw new DecodeException("a " + what + " name of " + name.length() + " characters is longer than MySQL allows (at most "
                    + MAX_NAME + "): '" + UntrustedText.shown(name, MAX_NAME) + "'");
        }
        return name;
    }

    /**
     * Throws when a row has reached {@link #MAX_COLUMNS} columns and another one follows.
     *
     * @throws DecodeException naming where the row is
     */
    public static void checkColumnCount(int columns, String where) {
        if (columns >= MAX_COLUMNS) {
            throw new DecodeException("a row in " + where + " has more than " + MAX_COLUMNS + " columns, more than a MySQL table can have");
        }
    }
}
