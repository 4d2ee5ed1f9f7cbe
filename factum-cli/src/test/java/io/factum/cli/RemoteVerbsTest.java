package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerLimits;
import io.factum.server.ServerOptions;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.AuthenticationException;
import io.factum.server.security.Principal;
import io.factum.server.security.ServerSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb with {@code --url} against a live server in this JVM (gRPC on a loopback port, over
 * the embedded engine), through the production {@link EmbeddedStoreOpener} and the remote client.
 * The server requires Basic credentials, so every passing verb also proves they were sent.
 */
class RemoteVerbsTest {

    private static final String USER = "ops";
    private static final String PASSWORD = "s3cret!";

    @TempDir
    static Path dir;

    static EmbeddedEventStore engine;
    static FactumServer server;
    static String url;
    static Path passwordFile;

    private final CliHarness cli = new CliHarness(new EmbeddedStoreOpener());

    @BeforeAll
    static void start() throws Exception {
        engine = EmbeddedEventStore.open(EngineOptions.defaults(dir.resolve("data")));
        server = FactumServer.start(
                engine,
                new ServerOptions(
                        "127.0.0.1",
                        0,
                        ServerLimits.defaults(),
                        new ServerSecurity(RemoteVerbsTest::authenticate, AccessPolicy.unrestricted(), true),
                        Clock.systemUTC()));
        url = "kurrentdb://127.0.0.1:" + server.port() + "?tls=false";
        passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD + "\n");
    }

    /** Only {@link #USER} with {@link #PASSWORD}; calls without credentials are refused too. */
    private static Principal authenticate(String header) {
        String expected =
                "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(header)) {
            throw new AuthenticationException(header == null ? "credentials required" : "bad credentials");
        }
        return new Principal.User(USER, Set.of(Principal.ADMINS));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private String[] remote(String... args) {
        String[] out = new String[args.length + 5];
        System.arraycopy(args, 0, out, 0, args.length);
        out[args.length] = "--url";
        out[args.length + 1] = url;
        out[args.length + 2] = "--user";
        out[args.length + 3] = USER;
        out[args.length + 4] = "--password-file=" + passwordFile;
        return out;
    }

    private CliHarness.Run run(String... args) {
        CliHarness.Run run = cli.run(remote(args));
        return run;
    }

    private static String unique(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    @Test
    void appendThenReadAndReadAllThroughTheServer() {
        String stream = unique("orders");

        CliHarness.Run appended = run("append", stream, "--type", "OrderPlaced", "{\"total\":42}", "--json");
        CliHarness.Run read = run("read", stream, "--json");
        CliHarness.Run all = run("read-all", "--backwards", "--limit", "1", "--json");

        assertThat(appended.exitCode).as(appended.toString()).isZero();
        assertThat(appended.out.toString()).contains("\"stream\":\"" + stream + "\"", "\"written\":true");
        assertThat(read.exitCode).as(read.toString()).isZero();
        assertThat(read.outLines()).singleElement().asString().contains("OrderPlaced", "\"total\":42");
        assertThat(all.exitCode).as(all.toString()).isZero();
        assertThat(all.outLines()).singleElement().asString().contains(stream);
        assertThat(engine.readStream(stream, 0, Direction.FORWARDS, 10)).isInstanceOf(ReadStreamResult.Found.class);
    }

    @Test
    void aConflictIsReportedWithTheStreamAndTheVersions() {
        String stream = unique("conflict");
        run("append", stream, "--type", "A", "{}");

        CliHarness.Run conflict = run("append", stream, "--type", "B", "{}", "--expected-version", "no-stream");

        assertThat(conflict.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(conflict.err.toString()).contains("wrong expected version for stream '" + stream + "'", "actual 0");
    }

    @Test
    void tagsQueriesAndConditionalAppendsThroughTheServer() {
        String course = unique("course");
        String query = "type=Enrolled,tag=" + course;
        CliHarness.Run first = run("append", unique("student"), "--type", "Enrolled", "--tag", course, "{}");
        long firstPosition = engine.headPosition();

        CliHarness.Run read = run("read-query", query, "--json");
        CliHarness.Run stale = run(
                "append",
                unique("student"),
                "--type",
                "Enrolled",
                "--tag",
                course,
                "{}",
                "--fail-if",
                query,
                "--after",
                Long.toString(firstPosition - 1));
        CliHarness.Run fresh = run(
                "append",
                unique("student"),
                "--type",
                "Enrolled",
                "--tag",
                course,
                "{}",
                "--fail-if",
                query,
                "--after",
                Long.toString(firstPosition));
        CliHarness.Run all = run("read-all", "--backwards", "--limit", "1", "--json");

        assertThat(first.exitCode).as(first.toString()).isZero();
        assertThat(read.exitCode).as(read.toString()).isZero();
        assertThat(read.outLines()).singleElement().asString().contains("\"tags\":[\"" + course + "\"]");
        assertThat(read.err.toString()).contains("read consistent at position ");
        assertThat(stale.exitCode).as(stale.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(stale.err.toString()).contains("append condition failed: the event at position " + firstPosition);
        assertThat(fresh.exitCode).as(fresh.toString()).isZero();
        assertThat(all.outLines())
                .as("tags also travel on KurrentDB reads")
                .singleElement()
                .asString()
                .contains("\"tags\":[\"" + course + "\"]");
        assertThat(engine.readByQuery(io.factum.api.Query.tagged(course), 0, Direction.FORWARDS, 10)
                        .events())
                .hasSize(2);
    }

    @Test
    void metadataIsSetAndShown() {
        String stream = unique("meta");
        run("append", stream, "--type", "A", "{}");

        CliHarness.Run set = run("metadata", stream, "--max-count", "3");
        CliHarness.Run shown = run("metadata", stream, "--json");

        assertThat(set.exitCode).as(set.toString()).isZero();
        assertThat(shown.exitCode).as(shown.toString()).isZero();
        assertThat(shown.out.toString()).contains("\"$maxCount\":3");
        assertThat(engine.getStreamMetadata(stream).metadata().maxCount()).hasValue(3);
    }

    @Test
    void softAndHardDeletes() {
        String soft = unique("soft");
        String hard = unique("hard");
        run("append", soft, "--type", "A", "{}");
        run("append", hard, "--type", "A", "{}");

        CliHarness.Run deleted = run("delete", soft);
        CliHarness.Run tombstoned = run("delete", hard, "--hard");
        CliHarness.Run readSoft = run("read", soft);
        CliHarness.Run readHard = run("read", hard);

        assertThat(deleted.exitCode).as(deleted.toString()).isZero();
        assertThat(tombstoned.exitCode).as(tombstoned.toString()).isZero();
        assertThat(readSoft.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(readSoft.err.toString()).contains("not found");
        assertThat(readHard.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(readHard.err.toString()).contains("stream '" + hard + "' is deleted (tombstoned)");
        assertThat(engine.getStreamMetadata(soft).metadata().isSoftDeleted()).isTrue();
    }

    @Test
    void tailDeliversStoredThenLiveEvents() throws Exception {
        String stream = unique("tail");
        run("append", stream, "--type", "First", "{}");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CliHarness.Run tail = new CliHarness.Run();
            Future<?> done = executor.submit(() -> tail.exitCode = FactumCli.run(
                    cli.context(tail, ""), remote("tail", stream, "--from-start", "--limit", "2", "--json")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!tail.out.toString().contains("First") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            engine.append(
                    stream, ExpectedVersion.any(), java.util.List.of(io.factum.api.EventData.json("Second", "{}")));
            done.get(20, TimeUnit.SECONDS);

            assertThat(tail.exitCode).as(tail.toString()).isZero();
            assertThat(tail.outLines()).hasSize(2);
            assertThat(tail.outLines().get(1)).contains("Second");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void verifyAndStatsSayTheyNeedADataDirectory() {
        for (String verb : new String[] {"verify", "stats"}) {
            CliHarness.Run run = run(verb);

            assertThat(run.exitCode).as(run.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err.toString()).contains("'" + verb + "' needs a data directory", "--data DIR");
        }
    }

    @Test
    void theUrlAndThePasswordMayComeFromTheEnvironment() {
        String stream = unique("env");
        CliHarness.Run run = new CliHarness.Run();
        CliContext plain = cli.context(run, "");
        Map<String, String> env = Map.of("FACTUM_URL", url, "FACTUM_PASSWORD", PASSWORD);
        CliContext withEnv = new CliContext(plain.opener(), plain.io(), plain.shutdownHooks(), env::get);

        run.exitCode = FactumCli.run(withEnv, "append", stream, "--type", "A", "{}", "--user", USER);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(engine.readStream(stream, 0, Direction.FORWARDS, 10)).isInstanceOf(ReadStreamResult.Found.class);
    }

    @Test
    void wrongOrMissingCredentialsAreRefused() throws Exception {
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "nope\n");

        CliHarness.Run bad = cli.run("read-all", "--url", url, "--user", USER, "--password-file", wrong.toString());
        CliHarness.Run none = cli.run("read-all", "--url", url);
        CliHarness.Run noPassword = cli.run("read-all", "--url", url, "--user", USER);

        assertThat(bad.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(bad.err.toString()).contains("not authenticated", "bad credentials");
        assertThat(none.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(none.err.toString()).contains("credentials required");
        assertThat(noPassword.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(noPassword.err.toString()).contains("FACTUM_PASSWORD", "--password-file");
    }

    @Test
    void badUsageIsRefusedBeforeConnecting() {
        CliHarness.Run both = cli.run("read-all", "--url", url, "--data", dir.toString());
        CliHarness.Run badUrl = cli.run("read-all", "--url", "http://localhost:2113");
        CliHarness.Run unreachable = cli.run("read-all", "--url", "kurrentdb://127.0.0.1:1?tls=false");

        assertThat(both.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err.toString()).contains("either --data", "or --url");
        assertThat(badUrl.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(badUrl.err.toString()).contains("unknown scheme 'http'");
        assertThat(unreachable.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(unreachable.err.toString()).contains("127.0.0.1:1", "unavailable");
    }
}
