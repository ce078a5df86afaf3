package dev.binlogsync.core.rules;

import dev.binlogsync.core.ChangeEvent;
import java.util.Map;

/**
 * The last step of building a document, for anything the declarative options do not cover:
 * computed fields, nested objects, removing fields. Gets a mutable map it may change freely (the
 * rule already copied the row). Not called for deletes or for clearing merged fields.
 *
 * <p>Called on the pipeline thread; must be thread-safe. To be named in a configuration file the
 * implementation needs a public no-argument constructor. An exception fails the event with a
 * {@link dev.binlogsync.core.SyncException}, handled by the failure policy.
 */
@FunctionalInterface
public interface DocumentCustomizer {

    /**
     * @param document the document after include/exclude, conversion, renaming and constants
     * @param event the change it is built from
     */
    void customize(Map<String, Object> document, ChangeEvent event);
}
