package io.factum.examples.bank;

/** What can be asked of an account. */
public sealed interface AccountCommand extends BankCommand {
    String accountId();

    record OpenAccount(String accountId, String customerId) implements AccountCommand {}

    record Deposit(String accountId, long amount) implements AccountCommand {}

    record Withdraw(String accountId, long amount) implements AccountCommand {}

    record CloseAccount(String accountId) implements AccountCommand {}
}
