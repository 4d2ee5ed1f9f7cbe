package io.factum.examples.bank;

import io.factum.examples.bank.TransferCommand.FinishTransfer;
import io.factum.examples.bank.TransferEvent.TransferFinished;
import io.factum.framework.Decider;
import io.factum.framework.Decision;

/** A transfer's own stream: requested, then finished once. */
public final class TransferLedger implements Decider<FinishTransfer, Boolean, BankEvent> {
    @Override
    public Boolean initialState() {
        return false;
    }

    @Override
    public Decision<BankEvent> decide(FinishTransfer f, Boolean finished) {
        return finished
                ? Decision.accept()
                : Decision.accept(new TransferFinished(f.transferId(), f.outcome(), f.reason()));
    }

    @Override
    public Boolean evolve(Boolean finished, BankEvent event) {
        return finished || event instanceof TransferFinished;
    }
}
