package io.factum.framework;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The local PostgreSQL the tests use (127.0.0.1:5432, database {@code test}, trust auth; {@code
 * FACTUM_PG_HOST}/{@code FACTUM_PG_PORT} move it). Without a server the tests are skipped, unless
 * {@code -Dfactum.postgres.required=true} ({@code ./factum test} sets it in CI), which makes
 * them fail instead.
 */
final class Postgres {
    private Postgres() {}

    static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {System.getenv().getOrDefault("FACTUM_PG_HOST", "127.0.0.1")});
        ds.setPortNumbers(new int[] {Integer.parseInt(System.getenv().getOrDefault("FACTUM_PG_PORT", "5432"))});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setConnectTimeout(5);
        try (Connection c = ds.getConnection()) {
            return ds;
        } catch (SQLException e) {
            if (Boolean.getBoolean("factum.postgres.required")) {
                throw new IllegalStateException(
                        "PostgreSQL is required for this test but does not answer at " + ds.getUrl()
                                + ": start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)",
                        e);
            }
            assumeTrue(false, "no PostgreSQL at " + ds.getUrl() + ": " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }

    /** Runs statements in autocommit. */
    static void execute(PGSimpleDataSource ds, String... sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }
}
