package dev.binlogsync.core.backfill;

import java.sql.ResultSet;
import java.sql.SQLException;
import javax.annotation.Nullable;

/** {@link BackfillValues#jdbc()}: the driver's {@code getObject}. Stateless. */
final class JdbcValues implements BackfillValues {

    static final JdbcValues INSTANCE = new JdbcValues();

    private JdbcValues() {
    }

    @Nullable
    @Override
    public Object read(ResultSet rs, int index, BackfillColumn column) throws SQLException {
        return rs.getObject(index);
    }

    @Override
    public String toString() {
        return "BackfillValues.jdbc()";
    }
}
