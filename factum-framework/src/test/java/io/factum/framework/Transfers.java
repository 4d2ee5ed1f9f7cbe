package io.factum.framework;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.framework.process.Deadline;
import io.factum.framework.process.EventInfo;
import io.factum.framework.process.ProcessManager;
import io.factum.framework.process.Reaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** Money transfers between the test accounts, as a process manager. */
final class Transfers {
    private Transfers() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Starts a transfer; stored with the transfer id as its $correlationId. */
    record TransferRequested(String transferId, String from, String to, long amount) {}

    /**
     * @param phase requested, debiting, crediting, refunding, completed, refunded, failed, timed out
     */
    record State(String phase, String from, String to, long amount) {
        State to(String next) {
            return new State(next, from, to, amount);
        }
    }

    static final Duration TIMEOUT = Duration.ofMinutes(5);

    static final class Process implements ProcessManager<Object, State, Account.Command> {
        @Override
        public State initialState() {
            return new State("new", "", "", 0);
        }

        @Override
        public Reaction<State, Account.Command> on(State state, Object event, EventInfo info) {
            return switch (event) {
                case TransferRequested r
                when state.phase().equals("new") ->
                    reaction(new State("debiting", r.from(), r.to(), r.amount()))
                            .send(new Account.Withdraw(r.from(), r.amount()))
                            .schedule(new Deadline("timeout", info.now().plus(TIMEOUT), r.transferId()));
                case Account.Withdrawn w
                when state.phase().equals("debiting") ->
                    reaction(state.to("crediting")).send(new Account.Deposit(state.to(), state.amount()));
                case Account.Deposited d
                when state.phase().equals("crediting") ->
                    reaction(state.to("completed")).cancel("timeout").finish();
                case Account.Deposited d
                when state.phase().equals("refunding") ->
                    reaction(state.to("refunded")).finish();
                default -> reaction(state);
            };
        }

        @Override
        public Reaction<State, Account.Command> onRejected(State state, Account.Command command, DomainError error) {
            return switch (command) {
                case Account.Withdraw w -> reaction(state.to("failed")).finish();
                case Account.Deposit d
                when state.phase().equals("crediting") ->
                    reaction(state.to("refunding")).send(new Account.Deposit(state.from(), state.amount()));
                default -> reaction(state);
            };
        }

        @Override
        public Reaction<State, Account.Command> onDeadline(State state, Deadline deadline, java.time.Instant now) {
            return reaction(state.to("timed out")).finish();
        }
    }

    /** The account events, and the transfer request as JSON. */
    static final class EventsCodec implements EventCodec<Object> {
        private final Account.Codec accounts = new Account.Codec();

        @Override
        public String typeOf(Object event) {
            return event instanceof Account.Event e
                    ? accounts.typeOf(e)
                    : event.getClass().getSimpleName();
        }

        @Override
        public byte[] encode(Object event) {
            try {
                return event instanceof Account.Event e ? accounts.encode(e) : JSON.writeValueAsBytes(event);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Object decode(String type, byte[] data) {
            try {
                return type.equals("TransferRequested")
                        ? JSON.readValue(data, TransferRequested.class)
                        : accounts.decode(type, data);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    static EventCodec<Account.Command> commandCodec() {
        return JacksonEventCodec.of(
                EventTypes.of(Account.Command.class).registerPermitted().build());
    }
}
