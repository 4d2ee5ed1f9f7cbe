package io.factum.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * An append is acknowledged only once the fsync of its frame completed: what a SIGKILL test cannot
 * show, since the killed process's writes stay in the page cache. Forces are held at the simulated
 * disk's gate while the append waits.
 */
class AppendWaitsForFsyncTest {
    private static final Path DATA_DIR = Path.of("/simulated/store");

    private static EventData event() {
        return new EventData(
                UUID.randomUUID(),
                "Happened",
                "{}".getBytes(StandardCharsets.UTF_8),
                new byte[0],
                ContentType.JSON,
                List.of());
    }

    @Test
    void anAppendWhoseFsyncNeverCompletesIsNeverAcknowledged() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(DATA_DIR.getParent());
        EmbeddedEventStore store =
                EmbeddedEventStore.open(EngineOptions.defaults(DATA_DIR).withFileIo(disk.io()));
        try {
            SimulatedDisk.ForceGate gate = disk.holdForces();
            CompletableFuture<AppendResult> append =
                    CompletableFuture.supplyAsync(() -> store.append("s", ExpectedVersion.any(), List.of(event())));
            assertThat(gate.awaitWaiter(30, TimeUnit.SECONDS))
                    .as("the writer reaches the fsync")
                    .isTrue();
            assertThatThrownBy(() -> append.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            disk.cut(); // the fsync the writer waits in never completes
            assertThatThrownBy(() -> append.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        } finally {
            store.close();
        }
        try (EmbeddedEventStore reopened =
                EmbeddedEventStore.open(EngineOptions.defaults(DATA_DIR).withFileIo(disk.io()))) {
            assertThat(reopened.readStream("s", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(ReadStreamResult.NotFound.class);
        }
    }

    @Test
    void anAppendIsAcknowledgedOnceItsFsyncCompletedAndSurvivesACutRightAfter() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(DATA_DIR.getParent());
        EmbeddedEventStore store =
                EmbeddedEventStore.open(EngineOptions.defaults(DATA_DIR).withFileIo(disk.io()));
        AppendResult result;
        try {
            SimulatedDisk.ForceGate gate = disk.holdForces();
            CompletableFuture<AppendResult> append =
                    CompletableFuture.supplyAsync(() -> store.append("s", ExpectedVersion.any(), List.of(event())));
            assertThat(gate.awaitWaiter(30, TimeUnit.SECONDS)).isTrue();
            assertThat(append).isNotDone();
            gate.release();
            result = append.get(30, TimeUnit.SECONDS);
            disk.cut();
        } finally {
            store.close();
        }
        try (EmbeddedEventStore reopened =
                EmbeddedEventStore.open(EngineOptions.defaults(DATA_DIR).withFileIo(disk.io()))) {
            assertThat(reopened.headPosition()).isEqualTo(result.position());
            assertThat(reopened.readStream("s", 0, Direction.FORWARDS, 10))
                    .isInstanceOfSatisfying(ReadStreamResult.Found.class, found -> assertThat(found.events())
                            .hasSize(1));
        }
    }
}
