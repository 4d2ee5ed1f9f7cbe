package io.factum.examples.bank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.factum.framework.CommandResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bank over HTTP and JSON (the JDK's server, one virtual thread per request):
 *
 * <ul>
 *   <li>{@code POST /accounts} {@code {"accountId","customerId"}}; {@code POST
 *       /accounts/{id}/deposits} {@code {"amount"}}; {@code GET /accounts/{id}} (balance, from
 *       the read model); {@code GET /accounts/{id}/statement}.
 *   <li>{@code POST /transfers} {@code {"from","to","amount"}}: answers {@code 202} with {@code
 *       "status":"pending"} at once (or {@code 422} naming the refused rule); {@code GET
 *       /transfers/{id}}; {@code GET /transfers/{id}/events}: server-sent events, {@code pending}
 *       now and {@code finished} (completed, refunded or failed) as soon as the transfer is.
 * </ul>
 */
public final class BankHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bank bank;
    private final HttpServer server;

    public BankHttp(Bank bank, InetSocketAddress address) throws IOException {
        this.bank = bank;
        this.server = HttpServer.create(address, 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::route);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void route(HttpExchange x) throws IOException {
        try {
            String[] path =
                    x.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
            String method = x.getRequestMethod();
            switch (path.length > 0 ? path[0] : "") {
                case "accounts" -> accounts(x, method, path);
                case "transfers" -> transfers(x, method, path);
                default ->
                    send(x, 404, error("no such resource: " + x.getRequestURI().getPath()));
            }
        } catch (BadRequest e) {
            send(x, 400, error(e.getMessage()));
        } catch (RuntimeException e) {
            send(x, 500, error(String.valueOf(e)));
        } finally {
            x.close();
        }
    }

    private void accounts(HttpExchange x, String method, String[] path) throws IOException {
        if (path.length == 1 && method.equals("POST")) {
            JsonNode body = body(x);
            answer(x, bank.openAccount(text(body, "accountId"), text(body, "customerId")), 201);
        } else if (path.length == 3 && path[2].equals("deposits") && method.equals("POST")) {
            answer(x, bank.deposit(path[1], amount(body(x))), 201);
        } else if (path.length == 2 && method.equals("GET")) {
            var balance = bank.balances().balance(path[1]);
            if (balance.isEmpty()) {
                send(x, 404, error("no account " + path[1]));
            } else {
                send(
                        x,
                        200,
                        JSON.createObjectNode()
                                .put("accountId", path[1])
                                .put(
                                        "customerId",
                                        bank.balances().customerOf(path[1]).orElse(""))
                                .put("balance", balance.get()));
            }
        } else if (path.length == 3 && path[2].equals("statement") && method.equals("GET")) {
            send(x, 200, JSON.valueToTree(bank.statements().of(path[1])));
        } else {
            send(x, 405, error(method + " " + x.getRequestURI().getPath() + " is not supported"));
        }
    }

    private void transfers(HttpExchange x, String method, String[] path) throws IOException {
        if (path.length == 1 && method.equals("POST")) {
            JsonNode body = body(x);
            String from = text(body, "from");
            String customer = bank.balances().customerOf(from).orElse("");
            if (customer.isEmpty()) {
                send(x, 422, error("no account " + from + " to transfer from"));
                return;
            }
            String id = Bank.newTransferId();
            String day = LocalDate.now(ZoneOffset.UTC).toString();
            CommandResult<BankEvent> result =
                    bank.requestTransfer(id, customer, from, text(body, "to"), amount(body), day);
            if (result instanceof CommandResult.Rejected<BankEvent> r) {
                send(x, 422, error(r.error().message()));
                return;
            }
            send(
                    x,
                    202,
                    JSON.createObjectNode()
                            .put("transferId", id)
                            .put("status", "pending")
                            .put("events", "/transfers/" + id + "/events"));
        } else if (path.length == 2 && method.equals("GET")) {
            var t = bank.transfers().get(path[1]);
            if (t.isEmpty()) {
                send(x, 404, error("no transfer " + path[1] + " (yet)"));
            } else {
                send(x, 200, JSON.valueToTree(t.get()));
            }
        } else if (path.length == 3 && path[2].equals("events") && method.equals("GET")) {
            events(x, path[1]);
        } else {
            send(x, 405, error(method + " " + x.getRequestURI().getPath() + " is not supported"));
        }
    }

    /** Server-sent events: pending now, finished when the transfer is (or a timeout after a minute). */
    private void events(HttpExchange x, String transferId) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/event-stream");
        x.getResponseHeaders().set("Cache-Control", "no-cache");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        var future = bank.transfers().finished(transferId);
        if (!future.isDone()) {
            event(
                    out,
                    "pending",
                    JSON.createObjectNode().put("transferId", transferId).put("status", "pending"));
        }
        try {
            event(out, "finished", JSON.valueToTree(future.get(60, TimeUnit.SECONDS)));
        } catch (TimeoutException e) {
            event(out, "timeout", JSON.createObjectNode().put("transferId", transferId));
        } catch (Exception e) {
            event(out, "error", error(String.valueOf(e)));
        }
    }

    private static void event(OutputStream out, String name, JsonNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void answer(HttpExchange x, CommandResult<BankEvent> result, int created) throws IOException {
        switch (result) {
            case CommandResult.Applied<BankEvent> a ->
                send(
                        x,
                        created,
                        JSON.createObjectNode()
                                .put("version", a.streamVersion())
                                .put("position", a.position()));
            case CommandResult.AlreadyApplied<BankEvent> a ->
                send(x, 200, JSON.createObjectNode().put("version", a.firstEventVersion()));
            case CommandResult.Rejected<BankEvent> r ->
                send(x, 422, error(r.error().message()));
        }
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private static JsonNode body(HttpExchange x) {
        try {
            JsonNode node = JSON.readTree(x.getRequestBody());
            if (node == null || !node.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequest("\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    private static long amount(JsonNode body) {
        JsonNode value = body.get("amount");
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new BadRequest("\"amount\" must be a whole number");
        }
        return value.asLong();
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(HttpExchange x, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
