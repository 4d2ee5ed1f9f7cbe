package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ReadStreamOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code factum cluster up} as a user runs it: one process that starts three nodes, prints the
 * connection string the official client then uses, and stops every node when it is stopped.
 */
class ClusterUpCommandTest {

    private static final Pattern PID = Pattern.compile("^  (n\\d):\\s+pid (\\d+),");

    @TempDir
    Path dir;

    @Test
    void upStartsThreeNodesThatTheOfficialClientUsesAndStoppingItStopsThemAll() throws Exception {
        int port = consecutiveFreePorts(3);
        int raftPort = consecutiveFreePorts(3);
        while (Math.abs(raftPort - port) < 3) {
            raftPort = consecutiveFreePorts(3);
        }
        Process up = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        io.factum.server.ClusterCommand.class.getName(),
                        "up",
                        "--nodes",
                        "3",
                        "--data",
                        dir.toString(),
                        "--port",
                        Integer.toString(port),
                        "--raft-port",
                        Integer.toString(raftPort))
                .redirectErrorStream(true)
                .start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> read(up, lines));
        try {
            List<String> printed = awaitLine(lines, "factum: a cluster of 3 is up");
            String seeds = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2);
            assertThat(printed).anyMatch(l -> l.contains("kurrentdb://" + seeds + "?tls=false"));
            List<Long> pids = new ArrayList<>();
            for (String line : awaitLine(lines, "stop with Ctrl-C")) {
                Matcher m = PID.matcher(line);
                if (m.find()) {
                    pids.add(Long.parseLong(m.group(2)));
                }
            }
            assertThat(pids).hasSize(3);

            EventStoreDBClient client = ClusterOfficialClientTest.client(
                    "esdb://" + seeds + "?tls=false&discoveryInterval=200&gossipTimeout=2000&maxDiscoverAttempts=150");
            try {
                ClusterOfficialClientTest.appendRetrying(
                        client, "up", ClusterOfficialClientTest.event("Up", 0), java.time.Duration.ofSeconds(60));
                assertThat(client.readStream("up", ReadStreamOptions.get().fromStart())
                                .get()
                                .getEvents())
                        .hasSize(1);
            } finally {
                client.shutdown().get();
            }
            assertThat(ClusterOfficialClientTest.clusterCommand("status", "--url", "http://127.0.0.1:" + port))
                    .contains("leader n");

            up.destroy(); // SIGTERM, as Ctrl-C: every node stops cleanly
            assertThat(up.waitFor(90, TimeUnit.SECONDS)).as("cluster up ends").isTrue();
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("node process " + pid + " stopped")
                        .isFalse();
            }
            for (int p = port; p < port + 3; p++) {
                assertThat(listening(p)).as("port " + p + " closed").isFalse();
            }
        } finally {
            up.descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }

    /** The lines printed up to and including the first that contains {@code marker}. */
    private static List<String> awaitLine(LinkedBlockingQueue<String> lines, String marker)
            throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(marker)) {
                    return seen;
                }
            }
        }
        throw new AssertionError(
                "'factum cluster up' did not print \"" + marker + "\"; it printed:\n" + String.join("\n", seen));
    }

    private static void read(Process p, LinkedBlockingQueue<String> lines) {
        try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** The first of {@code n} consecutive free loopback ports below 32768 (see ClusterProcesses). */
    private static int consecutiveFreePorts(int n) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(20_000, 32_000 - n);
            boolean free = true;
            for (int p = first; p < first + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                    // free
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new AssertionError("no " + n + " consecutive free ports between 20000 and 32000");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
