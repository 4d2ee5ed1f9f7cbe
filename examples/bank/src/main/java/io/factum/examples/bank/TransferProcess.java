package io.factum.examples.bank;

import io.factum.examples.bank.AccountCommand.Deposit;
import io.factum.examples.bank.AccountCommand.Withdraw;
import io.factum.examples.bank.AccountEvent.MoneyDeposited;
import io.factum.examples.bank.AccountEvent.MoneyWithdrawn;
import io.factum.examples.bank.TransferCommand.FinishTransfer;
import io.factum.examples.bank.TransferEvent.TransferRequested;
import io.factum.framework.DomainError;
import io.factum.framework.process.EventInfo;
import io.factum.framework.process.ProcessManager;
import io.factum.framework.process.Reaction;
import org.jspecify.annotations.Nullable;

/**
 * A transfer as a process: debit the source, credit the target, and when the target refuses
 * (closed or missing) give the money back to the source. Keyed by the transfer id, which every
 * command it sends carries as its correlation id.
 */
public final class TransferProcess implements ProcessManager<BankEvent, TransferProcess.State, BankCommand> {

    /** @param phase new, debiting, crediting, refunding, done */
    public record State(String transferId, String phase, String from, String to, long amount) {
        State to(String next) {
            return new State(transferId, next, from, to, amount);
        }
    }

    @Override
    public @Nullable String processOf(BankEvent event, EventInfo info) {
        if (event instanceof TransferRequested r) {
            return r.transferId();
        }
        // An account's money moved by a transfer carries the transfer's id as its correlation.
        return info.correlationId().startsWith(Bank.TRANSFER_PREFIX) ? info.correlationId() : null;
    }

    @Override
    public State initialState() {
        return new State("", "new", "", "", 0);
    }

    @Override
    public Reaction<State, BankCommand> on(State s, BankEvent event, EventInfo info) {
        return switch (event) {
            case TransferRequested r
            when s.phase().equals("new") ->
                reaction(new State(r.transferId(), "debiting", r.from(), r.to(), r.amount()))
                        .send(new Withdraw(r.from(), r.amount()));
            case MoneyWithdrawn w
            when s.phase().equals("debiting") && w.accountId().equals(s.from()) ->
                reaction(s.to("crediting")).send(new Deposit(s.to(), s.amount()));
            case MoneyDeposited d
            when s.phase().equals("crediting") && d.accountId().equals(s.to()) -> finish(s, "completed", "");
            case MoneyDeposited d
            when s.phase().equals("refunding") && d.accountId().equals(s.from()) ->
                finish(s, "refunded", "the target account refused the money");
            default -> reaction(s);
        };
    }

    private Reaction<State, BankCommand> finish(State s, String outcome, String reason) {
        return reaction(s.to("done"))
                .send(new FinishTransfer(s.transferId(), outcome, reason))
                .finish();
    }

    @Override
    public Reaction<State, BankCommand> onRejected(State s, BankCommand command, DomainError error) {
        return switch (command) {
            case Withdraw w when s.phase().equals("debiting") -> finish(s, "failed", error.message());
            case Deposit d
            when s.phase().equals("crediting") -> reaction(s.to("refunding")).send(new Deposit(s.from(), s.amount()));
            default -> reaction(s);
        };
    }
}
