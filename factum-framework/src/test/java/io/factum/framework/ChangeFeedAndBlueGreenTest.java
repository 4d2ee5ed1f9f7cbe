package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.framework.projection.ChangeFeedHttp;
import io.factum.framework.projection.MemoryProjectionSink;
import io.factum.framework.projection.PartitionStatus;
import io.factum.framework.projection.ProjectionRunner;
import io.factum.testkit.memory.InMemoryEventStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The change feed over HTTP, and the blue-green switch to a rebuilt read model. */
class ChangeFeedAndBlueGreenTest {
    final InMemoryEventStore store = new InMemoryEventStore();
    final Account.Codec codec = new Account.Codec();

    @AfterEach
    void close() {
        store.close();
    }

    long deposit(String account, long amount) {
        Account.Deposited d = new Account.Deposited(amount);
        return store.append(
                        "account-" + account,
                        ExpectedVersion.any(),
                        List.of(new EventData(
                                UUID.randomUUID(), "Deposited", codec.encode(d), new byte[0], ContentType.JSON)))
                .position();
    }

    ProjectionRunner<Account.Event> runner(String name, ProjectionRunnerTest.Balances model) {
        return ProjectionRunner.builder(store, name, codec, new MemoryProjectionSink<>(model::apply, model::clear))
                .partitions(2)
                .build();
    }

    @Test
    void aClientWaitsForItsOwnWriteThenSeesEachChangeOfItsStream() throws Exception {
        var model = new ProjectionRunnerTest.Balances();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        try (var runner = runner("balances", model).start()) {
            server.createContext("/changes", new ChangeFeedHttp(runner, 100, Duration.ofMillis(200)));
            server.start();
            long mine = deposit("7", 5);
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + server.getAddress().getPort() + "/changes?stream=account-7&after="
                                            + mine))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
            Iterator<String> lines = response.body().iterator();
            assertThat(next(lines, "event: ")).isEqualTo("event: caught-up");
            deposit("8", 1); // another stream: filtered out
            long later = deposit("7", 6);
            assertThat(next(lines, "event: ")).isEqualTo("event: change");
            assertThat(next(lines, "data: ")).contains("\"stream\":\"account-7\"", "\"position\":" + later);
        } finally {
            server.stop(0);
        }
    }

    private static String next(Iterator<String> lines, String prefix) {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the feed ended before a line starting with " + prefix);
    }

    @Test
    void aRebuiltReadModelReplacesTheOldOneOnceCaughtUp() throws Exception {
        for (int i = 0; i < 100; i++) {
            deposit(Integer.toString(i % 7), i);
        }
        var blue = new ProjectionRunnerTest.Balances();
        var green = new ProjectionRunnerTest.Balances();
        AtomicReference<ProjectionRunnerTest.Balances> serving = new AtomicReference<>(blue);
        var old = runner("balances", blue).start();
        assertThat(old.awaitPosition(store.headPosition(), Duration.ofSeconds(10)))
                .isTrue();

        try (var next = runner("balances-v2", green)) {
            old.replaceWhenCaughtUp(next, () -> serving.set(green), p -> {}, Duration.ofSeconds(10));

            assertThat(serving.get()).isSameAs(green);
            assertThat(green.calls).hasValue(100);
            assertThat(green.balance).isEqualTo(blue.balance);
            assertThat(old.localStatus()).as("the old runner is closed").isEmpty();
            assertThat(next.localStatus()).extracting(PartitionStatus::running).containsOnly(true);
        }
    }
}
