package io.factum.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small run of {@code ./factum demo bank} on every build: embedded, and against a live server. */
class BankDemoTest {
    @TempDir
    Path dir;

    static final boolean POSTGRES_REQUIRED = Boolean.getBoolean("factum.postgres.required");

    String run(BankDemo.Settings settings) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exit = new BankDemo(settings, out).run();
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("every check passed").doesNotContain("FAILED");
        if (POSTGRES_REQUIRED) {
            assertThat(output).contains("OK      money is conserved in the PostgreSQL read model");
        }
        return output;
    }

    static BankDemo.Settings small(String url, Path data) {
        return new BankDemo.Settings(40, 600, 8, url, data, 3000, true, 7, Duration.ofMinutes(3), -1);
    }

    @Test
    void theDemoPassesItsChecksOnTheEmbeddedStore() throws Exception {
        String output = run(small(null, dir.resolve("store")));
        assertThat(output).contains("store: embedded", "OK      the daily limit held", "refunded=");
    }

    @Test
    void theDemoPassesItsChecksAgainstALiveServer() throws Exception {
        try (var engine = EmbeddedEventStore.open(
                        EngineOptions.defaults(dir.resolve("server")).withDurability(Durability.NO_FSYNC));
                var server = FactumServer.start(engine, ServerOptions.localDevelopment(0))) {
            String output = run(small("kurrentdb://127.0.0.1:" + server.port() + "?tls=false", null));
            assertThat(output).contains("store: the server at kurrentdb://127.0.0.1:");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                        () -> BankDemo.parse(new String[] {"--accounts", "x"})))
                .hasMessageContaining("--accounts takes a number, not 'x'");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> BankDemo.parse(new String[] {"--speed", "9"})))
                .hasMessageContaining("unknown option --speed");
        assertThat(BankDemo.parse(new String[] {"--transfers", "100_000", "--no-postgres"})
                        .transfers())
                .isEqualTo(100_000);
    }
}
