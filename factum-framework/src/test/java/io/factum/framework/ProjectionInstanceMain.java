package io.factum.framework;

import io.factum.client.RemoteEventStore;
import io.factum.framework.projection.JdbcEventHandler;
import io.factum.framework.projection.JdbcProjectionSink;
import io.factum.framework.projection.PartitionStatus;
import io.factum.framework.projection.ProjectionRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One instance of a leased projection, run as a process of its own by {@link
 * ProjectionTakeoverTest}: it records every event it applies as a row {@code (position, stream,
 * instance)} of a table without a key (an event applied twice shows as two rows), and prints
 * {@code running <partitions>} whenever the set of partitions it runs changes. It runs until it is
 * killed, or until its standard input closes (its parent is gone).
 *
 * <p>Arguments: server URL, instance id, projection name, table name, lease timeout in
 * milliseconds.
 */
public final class ProjectionInstanceMain {
    private ProjectionInstanceMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ProjectionInstanceMain <server url> <instance> <projection> <table> <lease ms>");
            System.exit(2);
        }
        String url = args[0];
        String instance = args[1];
        String projection = args[2];
        String table = args[3];
        Duration leaseTimeout = Duration.ofMillis(Long.parseLong(args[4]));
        exitWhenTheParentIsGone();

        PrintStream out = System.out;
        RemoteEventStore store = RemoteEventStore.connect(url);
        JdbcEventHandler<Account.Event> handler = (c, e) -> {
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO " + table + " (position, stream, instance) VALUES (?, ?, ?)")) {
                insert.setLong(1, e.position());
                insert.setString(2, e.stream());
                insert.setString(3, instance);
                insert.executeUpdate();
            }
        };
        JdbcProjectionSink<Account.Event> sink = new JdbcProjectionSink<>(Postgres.dataSource(), handler, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE " + table);
            }
        });
        ProjectionRunner<Account.Event> runner = ProjectionRunner.builder(store, projection, new Account.Codec(), sink)
                .partitions(8)
                .instance(instance)
                .leases(leaseTimeout)
                .build()
                .start();

        // localStatus() is status() for the partitions this instance runs: status() would also read the
        // stored checkpoint of every other partition, a new PostgreSQL connection each, 20 times a second.
        String last = null;
        while (true) {
            List<PartitionStatus> status = runner.localStatus();
            String line = status.stream()
                    .filter(PartitionStatus::running)
                    .map(PartitionStatus::partition)
                    .sorted()
                    .map(p -> " " + p)
                    .collect(Collectors.joining("", "running", ""));
            if (!line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
            Thread.sleep(50);
        }
    }

    /** The parent holds our standard input open: end of input means it is gone, and so must we be. */
    private static void exitWhenTheParentIsGone() {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            InputStream in = System.in;
            try {
                while (in.read() >= 0) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone as well
            }
            Runtime.getRuntime().halt(3);
        });
    }
}
