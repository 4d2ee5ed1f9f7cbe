package io.factum.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.EventStoreDBClient;
import io.factum.server.it.ServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability through the server, as users run it: a real {@code factum server} process, 24
 * concurrent writers on the official Java client, SIGKILL at random moments and a restart on the
 * same data directory, then a check of everything the client saw ({@link DurabilityChecker}); and a
 * clean stop (SIGTERM, the Ctrl-C path) in the middle of writes. Seeds and per-round figures go to
 * stdout (surefire: {@code target/surefire-reports/*-output.txt}).
 *
 * <p>Linux only: the kill test relies on {@link Process#destroyForcibly()} sending SIGKILL and checks
 * it through the exit status 137.
 */
@EnabledOnOs(OS.LINUX)
class ServerCrashTest {

    static final int WRITERS = 24;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesRepeatedKills(@TempDir Path dir) throws Exception {
        new ServerCrashCampaign(
                        dir,
                        ServerCrashCampaign.seedFromProperty(),
                        ServerCrashCampaign.roundsFromProperty(10),
                        10,
                        WRITERS)
                .run();
    }

    @Test
    @Tag("long")
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesManyKills(@TempDir Path dir) throws Exception {
        // A fresh data directory every 20 rounds bounds what each check reads back.
        new ServerCrashCampaign(
                        dir,
                        ServerCrashCampaign.seedFromProperty(),
                        ServerCrashCampaign.roundsFromProperty(100),
                        20,
                        WRITERS)
                .run();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aCleanStopUnderLoadClosesTheStoreAndLosesNothingAcknowledged(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        List<Attempt> history = new ArrayList<>();
        ServerProcess server = ServerProcess.start(data);
        int status;
        long stoppedAt;
        ClientWorkload workload;
        EventStoreDBClient client = ServerCrashCampaign.connect(server);
        try {
            long p0 = System.nanoTime();
            history.addAll(preload(client, 50, 1000));
            System.out.printf("clean stop: preloaded 50,000 events in %d ms%n", (System.nanoTime() - p0) / 1_000_000);
            workload = new ClientWorkload(client, "clean", WRITERS, new Random().nextLong());
            workload.start();
            Thread.sleep(1000);
            stoppedAt = System.nanoTime();
            status = server.stop(); // SIGTERM while the writers append
        } finally {
            server.close();
        }
        List<String> blocked = workload.stop(ServerCrashCampaign.WRITER_STOP_TIMEOUT);
        ServerCrashCampaign.shutdown(client);
        long stopMs = (System.nanoTime() - stoppedAt) / 1_000_000;
        List<Attempt> attempts = workload.attempts();
        history.addAll(attempts);
        assertThat(blocked).as("writers blocked after the stop").isEmpty();
        assertThat(ServerCrashCampaign.unexpected(workload, attempts, stoppedAt))
                .as("errors while the server was running; server output:\n%s", server.output())
                .isEmpty();
        // The JVM exits with 128 + 15 after handling SIGTERM; 0 if it exited on its own. A crash is neither.
        assertThat(status)
                .as("exit status after SIGTERM; server output:\n%s", server.output())
                .isIn(0, 143);
        assertThat(server.output())
                .as("a clean stop closes the store before the process ends")
                .contains("factum: stopped: the store is closed");

        long t0 = System.nanoTime();
        try (ServerProcess restarted = ServerProcess.start(data)) {
            long restartMs = (System.nanoTime() - t0) / 1_000_000;
            EventStoreDBClient reader = ServerCrashCampaign.connect(restarted);
            DurabilityChecker.Report report;
            long c0 = System.nanoTime();
            try {
                report = DurabilityChecker.check(
                        history, ServedStore.read(reader, ServerCrashCampaign.streams(history)));
            } finally {
                ServerCrashCampaign.shutdown(reader);
            }
            System.out.printf("clean stop: check took %d ms%n", (System.nanoTime() - c0) / 1_000_000);
            System.out.printf(
                    "clean stop: SIGTERM with %d writers appending, exit status %d after %d ms; restart of %d"
                            + " events to listening: %d ms (JVM start included); served: %s%n",
                    WRITERS, status, stopMs, report.events(), restartMs, report.summary());
            assertThat(report.violations())
                    .as(
                            "%s\n--- output of the stopped server ---\n%s\n--- output of the restarted server ---\n%s",
                            report.diagnosis(), server.output(), restarted.output())
                    .isEmpty();
            assertThat(report.acked()).as("acknowledged appends").isGreaterThan(100);
        }
    }

    /** {@code batches} appends of {@code size} events each to ten streams, so the restart has data to open. */
    private static List<Attempt> preload(EventStoreDBClient client, int batches, int size) {
        List<Attempt> attempts = new ArrayList<>();
        Random random = new Random();
        for (int b = 0; b < batches; b++) {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ids.add(new UUID(random.nextLong(), random.nextLong()));
            }
            Attempt a = ClientWorkload.append(client, "pre-" + b, "preload-" + b % 10, Attempt.ANY, ids);
            assertThat(a.outcome()).as("preload %s", a.describe()).isInstanceOf(Attempt.Acked.class);
            attempts.add(a);
        }
        return attempts;
    }
}
