package io.factum.examples.bank;

import io.factum.examples.bank.AccountEvent.AccountClosed;
import io.factum.examples.bank.AccountEvent.AccountOpened;
import io.factum.examples.bank.AccountEvent.MoneyDeposited;
import io.factum.examples.bank.AccountEvent.MoneyWithdrawn;
import io.factum.framework.EventMetadata;
import io.factum.framework.projection.EventEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Each account's statement: one line per event, with the balance after it. */
public final class StatementView {
    /**
     * @param at when the event was stored (ISO-8601)
     * @param reference the transfer the money moved for ("" when none)
     */
    public record Line(long version, String at, String what, long amount, long balance, String reference) {}

    private final Map<String, List<Line>> statements = new ConcurrentHashMap<>();

    void apply(EventEnvelope<BankEvent> e) {
        if (!(e.event() instanceof AccountEvent a)) {
            return;
        }
        List<Line> lines = statements.computeIfAbsent(a.accountId(), k -> new ArrayList<>());
        synchronized (lines) {
            long before = lines.isEmpty() ? 0 : lines.getLast().balance();
            String reference = EventMetadata.correlationId(e.recorded().metadata());
            reference = reference.startsWith(Bank.TRANSFER_PREFIX) ? reference : "";
            Line line =
                    switch (a) {
                        case AccountOpened o ->
                            new Line(e.version(), e.recorded().created().toString(), "opened", 0, before, "");
                        case MoneyDeposited d ->
                            new Line(
                                    e.version(),
                                    e.recorded().created().toString(),
                                    "deposit",
                                    d.amount(),
                                    before + d.amount(),
                                    reference);
                        case MoneyWithdrawn w ->
                            new Line(
                                    e.version(),
                                    e.recorded().created().toString(),
                                    "withdrawal",
                                    -w.amount(),
                                    before - w.amount(),
                                    reference);
                        case AccountClosed c ->
                            new Line(e.version(), e.recorded().created().toString(), "closed", 0, before, "");
                    };
            lines.add(line);
        }
    }

    void clear() {
        statements.clear();
    }

    public List<Line> of(String account) {
        List<Line> lines = statements.getOrDefault(account, List.of());
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The lowest balance any statement shows (Long.MAX_VALUE: none). */
    public long lowestBalance() {
        long lowest = Long.MAX_VALUE;
        for (List<Line> lines : statements.values()) {
            synchronized (lines) {
                for (Line line : lines) {
                    lowest = Math.min(lowest, line.balance());
                }
            }
        }
        return lowest;
    }
}
