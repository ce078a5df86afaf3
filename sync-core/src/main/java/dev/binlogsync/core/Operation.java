package dev.binlogsync.core;

/** The kind of row change a {@link ChangeEvent} carries. */
public enum Operation {
    /** A new row; {@link ChangeEvent#row()} is the after image. */
    INSERT,
    /** A changed row; {@link ChangeEvent#row()} is the after image, {@link ChangeEvent#oldValues()} the previous values of the changed columns. */
    UPDATE,
    /** A removed row; {@link ChangeEvent#row()} is the before image. */
    DELETE
}
