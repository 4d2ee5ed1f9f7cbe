package io.factum.examples.bank;

import io.factum.api.Query;
import io.factum.examples.bank.TransferCommand.RequestTransfer;
import io.factum.examples.bank.TransferEvent.TransferRequested;
import io.factum.framework.Decider;
import io.factum.framework.Decision;
import io.factum.framework.DomainError;
import java.util.List;

/**
 * The rule that spans accounts: a customer transfers at most {@code limit} a day, whichever of
 * their accounts the money leaves. Its consistency boundary is a query, not a stream: the
 * transfers requested by the customer that day ({@link #query}), so two requests racing for the
 * last of the allowance never both pass, and requests of other customers never conflict.
 */
public final class DailyLimit implements Decider<RequestTransfer, Long, BankEvent> {
    private final long limit;

    public DailyLimit(long limit) {
        this.limit = limit;
    }

    public record LimitExceeded(String customerId, String day, long limit, long requested, long amount)
            implements DomainError {
        @Override
        public String message() {
            return "customer " + customerId + " has requested " + requested + " of " + limit + " on " + day + "; "
                    + amount + " more is over the daily limit";
        }
    }

    public record InvalidTransfer(String reason) implements DomainError {
        @Override
        public String message() {
            return reason;
        }
    }

    static String tag(String customerId, String day) {
        return "customer-day:" + customerId + ":" + day;
    }

    static Query query(RequestTransfer r) {
        return Query.tagged(tag(r.customerId(), r.day()));
    }

    static List<String> tagsOf(BankEvent event) {
        return event instanceof TransferRequested r ? List.of(tag(r.customerId(), r.day())) : List.of();
    }

    @Override
    public Long initialState() {
        return 0L;
    }

    @Override
    public Decision<BankEvent> decide(RequestTransfer r, Long requested) {
        if (r.amount() <= 0) {
            return Decision.reject(new InvalidTransfer("an amount must be positive, was " + r.amount()));
        }
        if (r.from().equals(r.to())) {
            return Decision.reject(new InvalidTransfer("a transfer needs two different accounts"));
        }
        if (requested + r.amount() > limit) {
            return Decision.reject(new LimitExceeded(r.customerId(), r.day(), limit, requested, r.amount()));
        }
        return Decision.accept(
                new TransferRequested(r.transferId(), r.customerId(), r.from(), r.to(), r.amount(), r.day()));
    }

    @Override
    public Long evolve(Long requested, BankEvent event) {
        return event instanceof TransferRequested r ? requested + r.amount() : requested;
    }
}
