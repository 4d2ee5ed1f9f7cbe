package io.factum.examples.bank;

/** What can be asked about a transfer. */
public sealed interface TransferCommand extends BankCommand {
    String transferId();

    /** Ask to move money; refused beyond the customer's daily limit. */
    record RequestTransfer(String transferId, String customerId, String from, String to, long amount, String day)
            implements TransferCommand {}

    /** Record how a transfer ended (sent by the transfer process). */
    record FinishTransfer(String transferId, String outcome, String reason) implements TransferCommand {}
}
