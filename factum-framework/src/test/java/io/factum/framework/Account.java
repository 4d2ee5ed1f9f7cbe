package io.factum.framework;

import java.nio.charset.StandardCharsets;

/** A small account domain for the framework's tests: no overdraft, must be opened first. */
final class Account {
    private Account() {}

    sealed interface Command permits Open, Deposit, Withdraw {
        String accountId();
    }

    record Open(String accountId) implements Command {}

    record Deposit(String accountId, long amount) implements Command {}

    record Withdraw(String accountId, long amount) implements Command {}

    sealed interface Event permits Opened, Deposited, Withdrawn {}

    record Opened(String accountId) implements Event {}

    record Deposited(long amount) implements Event {}

    record Withdrawn(long amount) implements Event {}

    record State(boolean open, long balance) {}

    record NotOpen(String accountId) implements DomainError {
        @Override
        public String message() {
            return "account " + accountId + " is not open";
        }
    }

    record InsufficientFunds(long balance, long amount) implements DomainError {
        @Override
        public String message() {
            return "balance " + balance + " does not cover " + amount;
        }
    }

    static final class Decide implements Decider<Command, State, Event> {
        @Override
        public State initialState() {
            return new State(false, 0);
        }

        @Override
        public Decision<Event> decide(Command command, State state) {
            return switch (command) {
                case Open o -> state.open() ? Decision.accept() : Decision.accept(new Opened(o.accountId()));
                case Deposit d ->
                    state.open()
                            ? Decision.accept(new Deposited(d.amount()))
                            : Decision.reject(new NotOpen(d.accountId()));
                case Withdraw w -> {
                    if (!state.open()) {
                        yield Decision.reject(new NotOpen(w.accountId()));
                    }
                    yield state.balance() < w.amount()
                            ? Decision.reject(new InsufficientFunds(state.balance(), w.amount()))
                            : Decision.accept(new Withdrawn(w.amount()));
                }
            };
        }

        @Override
        public State evolve(State state, Event event) {
            return switch (event) {
                case Opened o -> new State(true, 0);
                case Deposited d -> new State(state.open(), state.balance() + d.amount());
                case Withdrawn w -> new State(state.open(), state.balance() - w.amount());
            };
        }
    }

    /** {"v":"..."}: the one field each event has. */
    static final class Codec implements EventCodec<Event> {
        @Override
        public String typeOf(Event event) {
            return event.getClass().getSimpleName();
        }

        @Override
        public byte[] encode(Event event) {
            String value =
                    switch (event) {
                        case Opened o -> o.accountId();
                        case Deposited d -> Long.toString(d.amount());
                        case Withdrawn w -> Long.toString(w.amount());
                    };
            return ("{\"v\":\"" + value + "\"}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Event decode(String type, byte[] data) {
            String json = new String(data, StandardCharsets.UTF_8);
            if (!json.startsWith("{\"v\":\"") || !json.endsWith("\"}")) {
                throw new IllegalArgumentException("not {\"v\":\"...\"}: " + json);
            }
            String value = json.substring(6, json.length() - 2);
            return switch (type) {
                case "Opened" -> new Opened(value);
                case "Deposited" -> new Deposited(Long.parseLong(value));
                case "Withdrawn" -> new Withdrawn(Long.parseLong(value));
                default -> throw new IllegalArgumentException("unknown event type " + type);
            };
        }
    }

    static String stream(Command command) {
        return "account-" + command.accountId();
    }
}
