package io.factum.examples.bank;

import io.factum.examples.bank.AccountEvent.AccountOpened;
import io.factum.examples.bank.AccountEvent.MoneyDeposited;
import io.factum.examples.bank.AccountEvent.MoneyWithdrawn;
import io.factum.framework.projection.EventEnvelope;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Balances in memory, and the lowest balance any account ever had after an event. */
public final class BalanceView {
    private final Map<String, Long> balances = new ConcurrentHashMap<>();
    private final Map<String, String> customers = new ConcurrentHashMap<>();
    private final AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);

    void apply(EventEnvelope<BankEvent> e) {
        switch (e.event()) {
            case AccountOpened o -> {
                customers.put(o.accountId(), o.customerId());
                balances.putIfAbsent(o.accountId(), 0L);
            }
            case MoneyDeposited d -> move(d.accountId(), d.amount());
            case MoneyWithdrawn w -> move(w.accountId(), -w.amount());
            default -> {}
        }
    }

    private void move(String account, long delta) {
        long after = balances.merge(account, delta, Long::sum);
        lowest.accumulateAndGet(after, Math::min);
    }

    void clear() {
        balances.clear();
        customers.clear();
        lowest.set(Long.MAX_VALUE);
    }

    public Optional<Long> balance(String account) {
        return Optional.ofNullable(balances.get(account));
    }

    public Optional<String> customerOf(String account) {
        return Optional.ofNullable(customers.get(account));
    }

    public long total() {
        return balances.values().stream().mapToLong(Long::longValue).sum();
    }

    public int accounts() {
        return balances.size();
    }

    /** The lowest balance an account had after any event (Long.MAX_VALUE: no money moved yet). */
    public long lowestEver() {
        return lowest.get();
    }
}
