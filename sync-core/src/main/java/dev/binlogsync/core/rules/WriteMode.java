package dev.binlogsync.core.rules;

/**
 * How a {@link TableRule} writes a row's document. Merge rules ({@link TableRule.Builder#mergeInto})
 * always write a partial update of the parent document, whatever the mode (a full child row
 * replaces its whole {@code nestUnder} object, a row that may lack columns only the columns it
 * carries: {@link dev.binlogsync.core.PartialObject}); deletes are deletes in every mode.
 */
public enum WriteMode {
    /**
     * The default: the rule writes {@link #INDEX} when it owns its documents and the change carries
     * the whole row, and {@link #UPSERT} otherwise. A rule owns its documents when it reads one exact
     * table name (no table pattern), has no {@link DocumentCustomizer}, and no other rule of
     * its {@link Rules} writes into an index whose name can coincide with its own (no merge rule
     * into it, no second rule on the same index or on a template that can render the same name; the
     * same rule added twice counts as two writers); {@link Rules.Builder#build()} decides it once. A
     * change carries the whole row when its {@link dev.binlogsync.core.ChangeEvent#rowImage()} is
     * {@link dev.binlogsync.core.RowImage#FULL}. A rule applied alone ({@link TableRule#apply}) does
     * not know the other rules and upserts. Cannot carry an external version (it may upsert): a
     * versioned rule states {@link #INDEX}.
     *
     * <p>Choose {@link #UPSERT} when something the rules cannot see adds fields to the same
     * documents: another application, an ingest pipeline writing other fields, another pipeline or
     * {@link Rules} instance (build one {@code Rules} with every rule, merge rules included), or
     * an alias that makes two index names one index.
     */
    AUTO,
    /**
     * An {@code update} with {@code doc_as_upsert: true} carrying the whole mapped row, so fields
     * other writers merged into the document survive. Costs Elasticsearch a get, a merge and a
     * reindex (about twice the CPU of {@link #INDEX}), keeps fields of columns a DDL dropped, and
     * stores the document as Elasticsearch re-renders it (a decimal number wider than a double loses
     * digits, trailing zeros go). Cannot carry an external version. Each field it carries replaces
     * the stored one whole, an object (a JSON column) included: a key the row's object no longer has
     * goes (the Elasticsearch sink writes such an upsert as a painless script). Not where the
     * sink merges objects key by key ({@code ObjectFields.MERGE}: a cluster without inline painless
     * in the update context, a sink with an ingest pipeline, or set so for an index with an
     * {@code index.default_pipeline}/{@code final_pipeline}, whose processors would not see the
     * script's fields): there a key the row's object no longer has stays.
     */
    UPSERT,
    /**
     * A full replace ({@code index}) for every change: cheaper for Elasticsearch than an update, may
     * carry an external version, but wipes fields that other rules merged into the document, and
     * writes only what the change carries (a partial row image gives a partial document).
     */
    INDEX
}
