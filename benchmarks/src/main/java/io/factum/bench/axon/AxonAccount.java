package io.factum.bench.axon;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The account as Axon 4 writes it: an annotated, event-sourced aggregate. */
public class AxonAccount {
    @AggregateIdentifier
    private String accountId;

    private long balance;

    /** Axon creates the aggregate empty, then replays its events. */
    protected AxonAccount() {}

    @CommandHandler
    public AxonAccount(OpenAccount command) {
        apply(new AccountOpened(command.accountId()));
    }

    @CommandHandler
    public void handle(Deposit command) {
        if (command.amount() <= 0) {
            throw new IllegalArgumentException("an amount must be positive");
        }
        apply(new Deposited(command.accountId(), command.amount()));
    }

    @EventSourcingHandler
    void on(AccountOpened event) {
        this.accountId = event.accountId();
    }

    @EventSourcingHandler
    void on(Deposited event) {
        this.balance += event.amount();
    }

    public record OpenAccount(@TargetAggregateIdentifier String accountId) {}

    public record Deposit(@TargetAggregateIdentifier String accountId, long amount) {}

    public record AccountOpened(String accountId) {}

    public record Deposited(String accountId, long amount) {}
}
