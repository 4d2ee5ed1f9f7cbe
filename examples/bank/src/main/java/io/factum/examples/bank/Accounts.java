package io.factum.examples.bank;

import io.factum.examples.bank.AccountCommand.CloseAccount;
import io.factum.examples.bank.AccountCommand.Deposit;
import io.factum.examples.bank.AccountCommand.OpenAccount;
import io.factum.examples.bank.AccountCommand.Withdraw;
import io.factum.examples.bank.AccountEvent.AccountClosed;
import io.factum.examples.bank.AccountEvent.AccountOpened;
import io.factum.examples.bank.AccountEvent.MoneyDeposited;
import io.factum.examples.bank.AccountEvent.MoneyWithdrawn;
import io.factum.framework.Decider;
import io.factum.framework.Decision;
import io.factum.framework.DomainError;
import io.factum.framework.EventCodec;

/**
 * An account: opened for a customer, takes deposits, pays withdrawals it can cover (no
 * overdraft), closes when empty. Stream {@code account-<id>}.
 */
public final class Accounts implements Decider<AccountCommand, Accounts.State, BankEvent> {

    /** @param status "new", "open" or "closed" */
    public record State(String status, String customerId, long balance) {
        boolean isOpen() {
            return status.equals("open");
        }
    }

    public record NotOpen(String accountId, String status) implements DomainError {
        @Override
        public String message() {
            return "account " + accountId + " is " + (status.equals("new") ? "not opened" : status);
        }
    }

    public record InsufficientFunds(String accountId, long balance, long amount) implements DomainError {
        @Override
        public String message() {
            return "account " + accountId + " holds " + balance + ", less than " + amount;
        }
    }

    public record InvalidAmount(long amount) implements DomainError {
        @Override
        public String message() {
            return "an amount must be positive, was " + amount;
        }
    }

    public record NotEmpty(String accountId, long balance) implements DomainError {
        @Override
        public String message() {
            return "account " + accountId + " still holds " + balance + ": empty it before closing";
        }
    }

    /** For {@code factum replay account-<id> --decider io.factum.examples.bank.Accounts}. */
    public static EventCodec<BankEvent> codec() {
        return BankEvent.codec();
    }

    public static String streamOf(AccountCommand command) {
        return "account-" + command.accountId();
    }

    @Override
    public State initialState() {
        return new State("new", "", 0);
    }

    @Override
    public Decision<BankEvent> decide(AccountCommand command, State state) {
        return switch (command) {
            case OpenAccount o ->
                state.status().equals("new")
                        ? Decision.accept(new AccountOpened(o.accountId(), o.customerId()))
                        : Decision.accept(); // opened already: nothing to do
            case Deposit d ->
                d.amount() <= 0
                        ? Decision.reject(new InvalidAmount(d.amount()))
                        : state.isOpen()
                                ? Decision.accept(new MoneyDeposited(d.accountId(), d.amount()))
                                : Decision.reject(new NotOpen(d.accountId(), state.status()));
            case Withdraw w -> withdraw(w, state);
            case CloseAccount c ->
                !state.isOpen()
                        ? Decision.reject(new NotOpen(c.accountId(), state.status()))
                        : state.balance() != 0
                                ? Decision.reject(new NotEmpty(c.accountId(), state.balance()))
                                : Decision.accept(new AccountClosed(c.accountId()));
        };
    }

    private static Decision<BankEvent> withdraw(Withdraw w, State state) {
        if (w.amount() <= 0) {
            return Decision.reject(new InvalidAmount(w.amount()));
        }
        if (!state.isOpen()) {
            return Decision.reject(new NotOpen(w.accountId(), state.status()));
        }
        if (state.balance() < w.amount()) {
            return Decision.reject(new InsufficientFunds(w.accountId(), state.balance(), w.amount()));
        }
        return Decision.accept(new MoneyWithdrawn(w.accountId(), w.amount()));
    }

    @Override
    public State evolve(State state, BankEvent event) {
        return switch (event) {
            case AccountOpened o -> new State("open", o.customerId(), 0);
            case MoneyDeposited d -> new State(state.status(), state.customerId(), state.balance() + d.amount());
            case MoneyWithdrawn w -> new State(state.status(), state.customerId(), state.balance() - w.amount());
            case AccountClosed c -> new State("closed", state.customerId(), state.balance());
            case TransferEvent t -> state;
        };
    }
}
