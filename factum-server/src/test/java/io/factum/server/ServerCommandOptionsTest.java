package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.EngineOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the server's flags make of the store's options, decided before anything is opened. */
class ServerCommandOptionsTest {

    private static ServerCommand parse(String... args) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ServerCommand command = new ServerCommand(sink, sink, Map.of());
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void withoutFlagsTheStoreGetsTheEngineDefaultsInTheDataDirectory() {
        EngineOptions options = parse("--data", "somewhere").engineOptions();

        assertThat(options).isEqualTo(EngineOptions.defaults(Path.of("somewhere")));
    }

    @Test
    void theLogCacheTakesBytesWithABinarySuffixAndZeroTurnsItOff() {
        assertThat(parse("--log-cache", "512m").engineOptions().logCacheBytes()).isEqualTo(512L << 20);
        assertThat(parse("--log-cache", "2G").engineOptions().logCacheBytes()).isEqualTo(2L << 30);
        assertThat(parse("--log-cache", "64k").engineOptions().logCacheBytes()).isEqualTo(64L << 10);
        assertThat(parse("--log-cache", "1000").engineOptions().logCacheBytes()).isEqualTo(1000);
        assertThat(parse("--log-cache", "0").engineOptions().logCacheBytes()).isZero();
    }

    @Test
    void aLogCacheThatIsNotASizeIsRefusedWithWhatToGive() {
        for (String bad : new String[] {"lots", "-1m", "1t", "", "99999999999g"}) {
            assertThatThrownBy(() -> parse("--log-cache", bad).engineOptions())
                    .as(bad)
                    .isInstanceOf(ServerCommand.RefusedException.class)
                    .hasMessageContaining("--log-cache '" + bad + "' is not a size")
                    .hasMessageContaining("for example 512m");
        }
    }
}
