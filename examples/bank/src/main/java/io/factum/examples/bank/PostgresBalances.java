package io.factum.examples.bank;

import io.factum.examples.bank.AccountEvent.AccountOpened;
import io.factum.examples.bank.AccountEvent.MoneyDeposited;
import io.factum.examples.bank.AccountEvent.MoneyWithdrawn;
import io.factum.framework.projection.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Balances in a PostgreSQL table, kept exactly once by a {@code JdbcProjectionSink}. */
public final class PostgresBalances {
    private final DataSource dataSource;
    private final String table;

    PostgresBalances(DataSource dataSource, String table) {
        if (!table.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("a table name of lower-case letters, digits and _ please: " + table);
        }
        this.dataSource = dataSource;
        this.table = table;
    }

    void create() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table
                    + " (account_id text PRIMARY KEY, customer_id text NOT NULL, balance bigint NOT NULL)");
        }
    }

    void apply(Connection tx, EventEnvelope<BankEvent> e) throws SQLException {
        switch (e.event()) {
            case AccountOpened o -> {
                try (PreparedStatement s = tx.prepareStatement(
                        "INSERT INTO " + table + " VALUES (?, ?, 0) ON CONFLICT (account_id) DO NOTHING")) {
                    s.setString(1, o.accountId());
                    s.setString(2, o.customerId());
                    s.executeUpdate();
                }
            }
            case MoneyDeposited d -> add(tx, d.accountId(), d.amount());
            case MoneyWithdrawn w -> add(tx, w.accountId(), -w.amount());
            default -> {}
        }
    }

    private void add(Connection tx, String account, long delta) throws SQLException {
        try (PreparedStatement s =
                tx.prepareStatement("UPDATE " + table + " SET balance = balance + ? WHERE account_id = ?")) {
            s.setLong(1, delta);
            s.setString(2, account);
            s.executeUpdate();
        }
    }

    void reset(Connection tx) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("TRUNCATE " + table);
        }
    }

    public long total() throws SQLException {
        return single("SELECT coalesce(sum(balance), 0) FROM " + table);
    }

    public long lowest() throws SQLException {
        return single("SELECT coalesce(min(balance), 0) FROM " + table);
    }

    private long single(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public void drop() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }
}
