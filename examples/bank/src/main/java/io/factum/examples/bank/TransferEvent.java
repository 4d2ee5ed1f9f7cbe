package io.factum.examples.bank;

/** What happened to a transfer, in stream {@code transfer-<id>}. */
public sealed interface TransferEvent extends BankEvent {
    String transferId();

    /** Accepted within the customer's daily limit; tagged with the customer and the day. */
    record TransferRequested(String transferId, String customerId, String from, String to, long amount, String day)
            implements TransferEvent {}

    /** How it ended: {@code completed}, {@code refunded} (the target refused) or {@code failed}. */
    record TransferFinished(String transferId, String outcome, String reason) implements TransferEvent {}
}
