package io.factum.framework.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Exactly-once effects in PostgreSQL: each commit runs the handler's changes, records dead
 * letters and moves the partition's checkpoint in one transaction, so after any crash the read
 * model and the checkpoint agree. The checkpoint moves only from where this instance left it
 * ({@code UPDATE ... WHERE position = ?}), which fences off an instance that lost its partition
 * and does not know it yet.
 *
 * <p>Tables (created if missing): {@code factum_projection_checkpoints} and {@code
 * factum_projection_dead_letters}, keyed by projection name. Each partition uses a connection of
 * its own from the data source.
 */
public final class JdbcProjectionSink<E> implements ProjectionSink<E> {

    /** Empties the read model's tables for a rebuild, inside the reset's transaction. */
    @FunctionalInterface
    public interface Reset {
        void reset(Connection transaction) throws SQLException;
    }

    private final DataSource dataSource;
    private final JdbcBatchHandler<E> handler;
    private final Reset reset;
    private String projection = "";
    private Connection[] connections = new Connection[0];
    private final Object readLock = new Object();
    private @Nullable Connection reader; // guarded by readLock

    /** A sink that calls {@code handler} for each event. */
    public JdbcProjectionSink(DataSource dataSource, JdbcEventHandler<E> handler, Reset reset) {
        this(dataSource, eachOf(Objects.requireNonNull(handler, "handler")), reset);
    }

    /** A sink that calls {@code handler} with each run of consecutive events of a commit. */
    public JdbcProjectionSink(DataSource dataSource, JdbcBatchHandler<E> handler, Reset reset) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.reset = Objects.requireNonNull(reset, "reset");
    }

    private static <E> JdbcBatchHandler<E> eachOf(JdbcEventHandler<E> handler) {
        return (c, events) -> {
            for (EventEnvelope<E> e : events) {
                handler.handle(c, e);
            }
        };
    }

    @Override
    public void open(String name, int partitions) throws SQLException {
        this.projection = name;
        this.connections = new Connection[partitions];
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // Instances starting together would otherwise race to create the same tables.
                s.execute("SELECT pg_advisory_xact_lock(hashtext('factum_projection_tables'))");
                s.execute("CREATE TABLE IF NOT EXISTS factum_projection_checkpoints (projection text NOT NULL,"
                        + " partition int NOT NULL, position bigint NOT NULL, PRIMARY KEY (projection, partition))");
                s.execute("CREATE TABLE IF NOT EXISTS factum_projection_dead_letters (projection text NOT NULL,"
                        + " partition int NOT NULL, stream text NOT NULL, position bigint NOT NULL, error text,"
                        + " parked_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (projection, position))");
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO factum_projection_checkpoints" + " VALUES (?, ?, -1) ON CONFLICT DO NOTHING")) {
                for (int p = 0; p < partitions; p++) {
                    insert.setString(1, name);
                    insert.setInt(2, p);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
    }

    @Override
    public long checkpoint(int partition) throws SQLException {
        // Polled by awaitPosition for partitions other instances run: one connection for the
        // reads, kept open, rather than a new one per poll.
        synchronized (this) {
            try (PreparedStatement q = reader().prepareStatement(
                            "SELECT position FROM factum_projection_checkpoints WHERE projection = ? AND partition = ?")) {
                q.setString(1, projection);
                q.setInt(2, partition);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1;
                }
            } catch (SQLException e) {
                closeReader();
                throw e;
            }
        }
    }

    @Override
    public List<DeadLetter> deadLetters(int partition) throws SQLException {
        synchronized (readLock) {
            return readDeadLetters(partition);
        }
    }

    private List<DeadLetter> readDeadLetters(int partition) throws SQLException {
        try (PreparedStatement q = reader().prepareStatement("SELECT stream, position, error FROM"
                + " factum_projection_dead_letters WHERE projection = ? AND partition = ? ORDER BY position")) {
            q.setString(1, projection);
            q.setInt(2, partition);
            List<DeadLetter> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(partition, rs.getString(1), rs.getLong(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            closeReader();
            throw e;
        }
    }

    /** The connection the reads above share (auto-commit: each read sees the latest commits). */
    private Connection reader() throws SQLException {
        if (reader == null || reader.isClosed()) {
            reader = dataSource.getConnection();
            reader.setAutoCommit(true);
        }
        return reader;
    }

    private void closeReader() {
        if (reader != null) {
            try {
                reader.close();
            } catch (SQLException ignored) {
                // it is being replaced
            }
            reader = null;
        }
    }

    @Override
    public void commit(int partition, List<Step<E>> steps, long from, long to) throws Exception {
        Connection c = connection(partition);
        try {
            int end = steps.size();
            int failed = -1;
            Exception cause = null;
            boolean singly = false;
            while (true) {
                Failure failure = run(c, partition, steps.subList(0, end), singly);
                if (failure == null) {
                    break;
                }
                c.rollback();
                if (!c.isValid(2)) {
                    throw new SQLException("the connection broke while handling an event", failure.cause());
                }
                if (failure.ambiguous()) {
                    singly = true; // a batch failed: again, one event at a time, to find which
                    continue;
                }
                failed = failure.index();
                cause = failure.cause();
                end = failure.index();
                if (end == 0) {
                    throw new HandlerFailedException(0, cause);
                }
            }
            moveCheckpoint(
                    c,
                    partition,
                    from,
                    end == steps.size() ? to : steps.get(end - 1).recorded().position());
            c.commit();
            if (failed >= 0) {
                throw new HandlerFailedException(failed, Objects.requireNonNull(cause));
            }
        } catch (SQLException | CheckpointMovedException | RuntimeException e) {
            abandon(partition, c);
            throw e;
        }
    }

    /** @param ambiguous a batch of several events failed: which one is not known */
    private record Failure(int index, Exception cause, boolean ambiguous) {}

    /**
     * Runs the steps in the open transaction, handing consecutive events to the handler together
     * (or one at a time, {@code singly}); the first handler failure, or null.
     */
    private Failure run(Connection c, int partition, List<Step<E>> steps, boolean singly) throws SQLException {
        List<EventEnvelope<E>> run = new ArrayList<>();
        int runStart = 0;
        int runSteps = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step<E> step = steps.get(i);
            if (step instanceof Step.Handle<E> h) {
                if (run.isEmpty()) {
                    runStart = i;
                    runSteps = 0;
                }
                h.events().forEach(e -> run.add(new EventEnvelope<>(e, h.recorded())));
                runSteps++;
                if (!singly) {
                    continue;
                }
            }
            Failure failure = flush(c, run, runStart, runSteps);
            if (failure != null) {
                return failure;
            }
            try {
                switch (step) {
                    case Step.Handle<E> h -> {} // flushed above
                    case Step.Park<E> p -> park(c, partition, p.recorded(), p.error());
                    case Step.Hold<E> h -> park(c, partition, h.recorded(), null);
                    case Step.Release<E> r -> {
                        handler.handle(c, envelopes(r.recorded(), r.events()));
                        release(c, r.recorded().position());
                    }
                }
            } catch (SQLException e) {
                if (step instanceof Step.Release<E>) {
                    return new Failure(i, e, false);
                }
                throw e;
            } catch (Exception e) {
                return new Failure(i, e, false);
            }
        }
        return flush(c, run, runStart, runSteps);
    }

    /** Hands the pending run of events to the handler; a failure of a run of several is ambiguous. */
    private Failure flush(Connection c, List<EventEnvelope<E>> run, int runStart, int runSteps) {
        if (run.isEmpty()) {
            return null;
        }
        try {
            handler.handle(c, List.copyOf(run));
            return null;
        } catch (Exception e) {
            return new Failure(runStart, e, runSteps > 1);
        } finally {
            run.clear();
        }
    }

    private List<EventEnvelope<E>> envelopes(io.factum.api.RecordedEvent recorded, List<E> events) {
        List<EventEnvelope<E>> out = new ArrayList<>(events.size());
        events.forEach(e -> out.add(new EventEnvelope<>(e, recorded)));
        return out;
    }

    private void park(Connection c, int partition, io.factum.api.RecordedEvent recorded, String error)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO factum_projection_dead_letters"
                + " (projection, partition, stream, position, error) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (projection, position) DO UPDATE SET error = excluded.error")) {
            s.setString(1, projection);
            s.setInt(2, partition);
            s.setString(3, recorded.stream());
            s.setLong(4, recorded.position());
            s.setString(5, error);
            s.executeUpdate();
        }
    }

    private void release(Connection c, long position) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM factum_projection_dead_letters WHERE projection = ? AND position = ?")) {
            s.setString(1, projection);
            s.setLong(2, position);
            s.executeUpdate();
        }
    }

    private void moveCheckpoint(Connection c, int partition, long from, long to)
            throws SQLException, CheckpointMovedException {
        try (PreparedStatement s = c.prepareStatement("UPDATE factum_projection_checkpoints SET position = ?"
                + " WHERE projection = ? AND partition = ? AND position = ?")) {
            s.setLong(1, to);
            s.setString(2, projection);
            s.setInt(3, partition);
            s.setLong(4, from);
            if (s.executeUpdate() != 1) {
                c.rollback();
                throw new CheckpointMovedException(projection, partition, from);
            }
        }
    }

    private synchronized Connection connection(int partition) throws SQLException {
        Connection c = connections[partition];
        if (c == null || c.isClosed()) {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            connections[partition] = c;
        }
        return c;
    }

    /** Rolls back and closes a connection after a failure; the next commit opens a new one. */
    private synchronized void abandon(int partition, Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // closing below is what matters
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do with a broken connection
        }
        connections[partition] = null;
    }

    @Override
    public void reset() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement d =
                            c.prepareStatement("DELETE FROM factum_projection_dead_letters WHERE projection = ?");
                    PreparedStatement u = c.prepareStatement(
                            "UPDATE factum_projection_checkpoints SET position = -1 WHERE projection = ?")) {
                d.setString(1, projection);
                d.executeUpdate();
                u.setString(1, projection);
                u.executeUpdate();
            }
            reset.reset(c);
            c.commit();
        }
    }

    /** Closes the partitions' connections and the one for reads. */
    public synchronized void close() {
        synchronized (readLock) {
            closeReader();
        }
        for (int p = 0; p < connections.length; p++) {
            if (connections[p] != null) {
                abandon(p, connections[p]);
            }
        }
    }
}
