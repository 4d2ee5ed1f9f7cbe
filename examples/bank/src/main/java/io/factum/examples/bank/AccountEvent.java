package io.factum.examples.bank;

/** What happened to an account, in stream {@code account-<id>}. */
public sealed interface AccountEvent extends BankEvent {
    String accountId();

    record AccountOpened(String accountId, String customerId) implements AccountEvent {}

    record MoneyDeposited(String accountId, long amount) implements AccountEvent {}

    record MoneyWithdrawn(String accountId, long amount) implements AccountEvent {}

    record AccountClosed(String accountId) implements AccountEvent {}
}
