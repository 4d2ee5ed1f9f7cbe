package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.ReadResult;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.SubscribeToStreamOptions;
import io.kurrent.dbclient.Subscription;
import io.kurrent.dbclient.SubscriptionListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping (Ctrl-C) and restarting a real server process. */
class ServerLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void ctrlCEndsSubscriptionsWithUnavailableAndKeepsEveryAcknowledgedEvent() throws Exception {
        Path data = dir.resolve("data");
        ServerProcess server = ServerProcess.start(data);
        KurrentDBClient client =
                KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString("kurrentdb")));
        for (int i = 0; i < 100; i++) {
            client.appendToStream(
                            "lifecycle",
                            EventData.builderAsJson("E", ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
                                    .eventId(UUID.randomUUID())
                                    .build())
                    .get();
        }
        CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
        client.subscribeToStream(
                        "lifecycle",
                        new SubscriptionListener() {
                            @Override
                            public void onCancelled(Subscription subscription, Throwable exception) {
                                cancelled.complete(exception);
                            }
                        },
                        SubscribeToStreamOptions.get().fromEnd())
                .get();

        int exitCode = server.interrupt();

        assertThat(exitCode).as(server.output()).isEqualTo(130);
        assertThat(server.output()).contains("factum: stopped: the store is closed");
        assertThat(cancelled.get(30, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        client.shutdown().get();

        try (ServerProcess restarted = ServerProcess.start(data)) {
            KurrentDBClient again = KurrentDBClient.create(
                    KurrentDBConnectionString.parseOrThrow(restarted.connectionString("kurrentdb")));
            ReadResult read = again.readStream(
                            "lifecycle", ReadStreamOptions.get().fromStart().maxCount(1000))
                    .get();
            assertThat(read.getEvents()).hasSize(100);
            again.shutdown().get();
        }
    }

    @Test
    void refusesANonLoopbackAddressWithoutTlsAndAuthentication() throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.factum.server.ServerCommand",
                        "--data",
                        dir.resolve("exposed").toString(),
                        "--host",
                        "0.0.0.0",
                        "--port",
                        "0")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output)
                .contains("refusing to start")
                .contains("0.0.0.0 needs TLS")
                .contains("--insecure");
    }
}
