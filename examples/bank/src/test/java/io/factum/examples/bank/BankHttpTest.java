package io.factum.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventStore;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API: pending at once, the outcome pushed as a server-sent event. */
class BankHttpTest {
    @TempDir
    Path dir;

    EventStore store;
    Bank bank;
    BankHttp http;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        store = EmbeddedEventStore.open(EngineOptions.defaults(dir).withDurability(Durability.NO_FSYNC));
        bank = new Bank(store, Bank.Options.defaults()).start();
        http = new BankHttp(bank, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        http.close();
        bank.close();
        store.close();
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .timeout(Duration.ofSeconds(30));
        request = body == null ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTransferIsPendingAtOnceAndItsCompletionIsPushed() throws Exception {
        assertThat(call("POST", "/accounts", "{\"accountId\":\"a1\",\"customerId\":\"c1\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(call("POST", "/accounts", "{\"accountId\":\"a2\",\"customerId\":\"c2\"}")
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> deposit = call("POST", "/accounts/a1/deposits", "{\"amount\":100}");
        assertThat(deposit.statusCode()).isEqualTo(201);
        long position = Long.parseLong(deposit.body().replaceAll(".*\"position\":(\\d+).*", "$1"));
        assertThat(bank.awaitViews(position, Duration.ofSeconds(10))).isTrue();

        HttpResponse<String> accepted = call("POST", "/transfers", "{\"from\":\"a1\",\"to\":\"a2\",\"amount\":30}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.body()).contains("\"status\":\"pending\"");
        Matcher id = Pattern.compile("\"transferId\":\"([^\"]+)\"").matcher(accepted.body());
        assertThat(id.find()).isTrue();

        HttpResponse<String> events = call("GET", "/transfers/" + id.group(1) + "/events", null);
        assertThat(events.headers().firstValue("Content-Type")).contains("text/event-stream");
        List<String> lines =
                events.body().lines().filter(l -> l.startsWith("event: ")).toList();
        assertThat(lines.getLast()).isEqualTo("event: finished");
        assertThat(events.body()).contains("\"outcome\":\"completed\"");

        assertThat(call("GET", "/accounts/a2", null).body()).contains("\"balance\":30");
        assertThat(call("GET", "/accounts/a1/statement", null).body()).contains("withdrawal");
    }

    @Test
    void badRequestsAreNamed() throws Exception {
        assertThat(call("POST", "/accounts", "not json").body()).contains("the body is not JSON");
        assertThat(call("POST", "/accounts", "{\"accountId\":\"\"}").body())
                .contains("\"accountId\\\" must be a non-empty string");
        HttpResponse<String> noAccount = call("POST", "/transfers", "{\"from\":\"zz\",\"to\":\"a2\",\"amount\":1}");
        assertThat(noAccount.statusCode()).isEqualTo(422);
        assertThat(noAccount.body()).contains("no account zz to transfer from");
        assertThat(call("POST", "/accounts/x/deposits", "{\"amount\":1.5}").body())
                .contains("\\\"amount\\\" must be a whole number");
        assertThat(call("GET", "/elsewhere", null).statusCode()).isEqualTo(404);
    }
}
