package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code factum server} in a child JVM, as users start it, on a data directory it cannot use: the
 * failure is one {@code factum: cannot start: ...} line with no stack trace (unless {@code
 * --debug}), and the exit code is 1.
 */
class ServerStartFailureTest {

    @TempDir
    Path dir;

    @Test
    void aSecondServerOnTheSameDataDirectorySaysItIsInUse() throws Exception {
        Path data = dir.resolve("shared");
        try (ServerProcess first = ServerProcess.start(data)) {
            ServerProcess.Exit second = ServerProcess.runToExit(data, 0, Map.of());

            assertThat(second.code()).as(second.output()).isEqualTo(1);
            assertOneLine(second.output())
                    .startsWith("factum: cannot start: data directory ")
                    .contains("is in use by another Factum process")
                    .contains("stop that process or choose another --data directory");
            assertThat(first.isAlive()).as("the first server keeps serving").isTrue();

            ServerProcess.Exit debug = ServerProcess.runToExit(data, 0, Map.of(), "--debug");
            assertThat(debug.code()).isEqualTo(1);
            assertThat(debug.output())
                    .startsWith(second.output().strip())
                    .contains("DataDirectoryLockedException")
                    .contains("\tat ");
        }
    }

    @Test
    void aDamagedStoreIsRefusedInOneLineNamingTheFile() throws Exception {
        Path data = dir.resolve("damaged");
        try (EmbeddedEventStore store = EmbeddedEventStore.open(EngineOptions.defaults(data))) {
            for (int i = 0; i < 20; i++) {
                store.append("s", ExpectedVersion.any(), List.of(EventData.json("E", "{\"i\":" + i + "}")));
            }
        }
        Path segment = onlySegment(data.resolve("log"));
        // The clean close left a checkpoint naming the newest frame; cutting the segment short puts
        // that acknowledged frame past the end of the file.
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(64);
        }

        ServerProcess.Exit exit = ServerProcess.runToExit(data, 0, Map.of());

        assertThat(exit.code()).as(exit.output()).isEqualTo(1);
        assertOneLine(exit.output())
                .startsWith("factum: cannot start: ")
                .contains(segment.getFileName().toString())
                .contains("factum verify");
    }

    @Test
    void aBadFlagIsOneLineNamingIt() throws Exception {
        ServerProcess.Exit exit = ServerProcess.runToExit(dir.resolve("flags"), 0, Map.of(), "--no-such-flag");

        assertThat(exit.code()).isEqualTo(2);
        assertOneLine(exit.output()).contains("--no-such-flag").contains("factum server --help");
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertOneLine(String output) {
        List<String> lines = output.strip().lines().toList();
        assertThat(lines).as("the whole output:\n" + output).hasSize(1);
        assertThat(output).doesNotContain("\tat ").doesNotContain("Exception in thread");
        return assertThat(lines.getFirst());
    }

    private static Path onlySegment(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("segment-")
                            && p.getFileName().toString().endsWith(".log"))
                    .toList();
            assertThat(segments).hasSize(1);
            return segments.getFirst();
        }
    }
}
