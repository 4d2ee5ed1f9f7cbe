package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code factum tail}: catch-up then live output, Ctrl-C through the shutdown hook, the limit. */
class TailCommandTest {

    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dataDir;

    private final FakeEventStore store = new FakeEventStore();
    private final CliHarness cli = new CliHarness(new FakeStoreOpener(store));
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private void append(String stream, String type) {
        store.append(stream, ExpectedVersion.any(), List.of(EventData.json(type, "{}")));
    }

    private Future<?> start(CliHarness.Run run, String... args) {
        return executor.submit(() -> run.exitCode = FactumCli.run(cli.context(run, ""), args));
    }

    private FakeEventStore.FakeSubscription awaitSubscription() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (store.subscriptions().isEmpty()) {
            assertThat(System.nanoTime()).as("tail subscribed in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return store.subscriptions().getFirst();
    }

    @Test
    void printsStoredThenLiveEventsUntilCtrlC() throws Exception {
        append("orders-1", "Placed");
        append("other", "Ignored");
        CliHarness.Run run = new CliHarness.Run();

        Future<?> tail = start(run, "tail", "orders-1", "--from-start", "--data", dataDir.toString());
        FakeEventStore.FakeSubscription subscription = awaitSubscription();
        assertThat(subscription.awaitDelivered(1, WAIT_SECONDS)).isTrue();
        append("orders-1", "Paid");
        append("other", "Ignored");
        append("orders-1", "Shipped");
        assertThat(subscription.awaitDelivered(2, WAIT_SECONDS)).isTrue();

        assertThat(cli.hooks.active()).hasSize(1);
        cli.hooks.active().getFirst().run(); // what Ctrl-C does
        tail.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(run.exitCode).as(run.toString()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines.getFirst()).startsWith("POSITION  STREAM");
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(cli.widthColumns));
        assertThat(lines.subList(1, lines.size()))
                .extracting(line -> line.split("\\s+")[4])
                .containsExactly("Placed", "Paid", "Shipped");
        assertThat(run.errLines()).containsExactly("factum: caught up; waiting for new events (Ctrl-C to stop)");
        assertThat(store.isClosed()).isTrue();
        assertThat(cli.hooks.active())
                .as("the hook is removed once tail is done")
                .isEmpty();
    }

    @Test
    void withoutFromStartOnlyNewEventsAppear() throws Exception {
        append("a", "Old");
        CliHarness.Run run = new CliHarness.Run();

        Future<?> tail = start(run, "--json", "tail", "--limit", "2", "--data", dataDir.toString());
        FakeEventStore.FakeSubscription subscription = awaitSubscription();
        append("b", "New1");
        append("a", "New2");
        tail.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(subscription.awaitDelivered(2, WAIT_SECONDS)).isTrue();
        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("{\"position\":"));
        assertThat(run.outLines().get(0)).contains("\"type\":\"New1\"");
        assertThat(run.outLines().get(1)).contains("\"type\":\"New2\"");
        assertThat(run.err.toString()).as("no hints in JSON mode").isEmpty();
    }

    @Test
    void limitStopsAfterThatManyEvents() throws Exception {
        append("s", "A");
        append("s", "B");
        append("s", "C");
        CliHarness.Run run = new CliHarness.Run();

        start(run, "--json", "tail", "s", "--from-start", "--limit", "2", "--data", dataDir.toString())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).hasSize(2);
        assertThat(store.isClosed()).isTrue();
    }

    @Test
    void filtersOfAllAreRefusedForAStream() {
        CliHarness.Run run = cli.run("tail", "s", "--exclude-system", "--data", dataDir.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines())
                .containsExactly("factum: filters apply to $all only: leave out STREAM, or the filter options");
    }

    @Test
    void filteredTailOfAll() throws Exception {
        append("a-1", "A");
        append("b-1", "B");
        append("a-2", "C");
        CliHarness.Run run = new CliHarness.Run();

        start(
                        run,
                        "--json",
                        "tail",
                        "--from-start",
                        "--stream-prefix",
                        "a-",
                        "--limit",
                        "2",
                        "--data",
                        dataDir.toString())
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(run.outLines())
                .extracting(line -> line.substring(0, line.indexOf(',')))
                .containsExactly("{\"position\":0", "{\"position\":2");
    }
}
