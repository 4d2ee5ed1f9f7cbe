package io.factum.examples.bank;

import io.factum.examples.bank.TransferEvent.TransferFinished;
import io.factum.examples.bank.TransferEvent.TransferRequested;
import io.factum.framework.projection.EventEnvelope;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Every transfer and how it ended; tells waiters when one finishes. */
public final class TransferView {
    /** @param outcome "pending", or how it finished: completed, refunded, failed */
    public record Transfer(
            String transferId,
            String customerId,
            String day,
            String from,
            String to,
            long amount,
            String outcome,
            String reason) {
        public boolean finished() {
            return !outcome.equals("pending");
        }
    }

    private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Transfer>> waiters = new ConcurrentHashMap<>();
    private final AtomicLong finished = new AtomicLong();

    void apply(EventEnvelope<BankEvent> e) {
        switch (e.event()) {
            case TransferRequested r ->
                transfers.putIfAbsent(
                        r.transferId(),
                        new Transfer(
                                r.transferId(), r.customerId(), r.day(), r.from(), r.to(), r.amount(), "pending", ""));
            case TransferFinished f -> {
                Transfer done = transfers.computeIfPresent(
                        f.transferId(),
                        (id, t) -> new Transfer(
                                id, t.customerId(), t.day(), t.from(), t.to(), t.amount(), f.outcome(), f.reason()));
                if (done != null) {
                    finished.incrementAndGet();
                    CompletableFuture<Transfer> waiter = waiters.remove(f.transferId());
                    if (waiter != null) {
                        waiter.complete(done);
                    }
                }
            }
            default -> {}
        }
    }

    void clear() {
        transfers.clear();
        finished.set(0);
    }

    private CompletableFuture<Transfer> waiter(String transferId) {
        return waiters.computeIfAbsent(transferId, k -> new CompletableFuture<>());
    }

    public Optional<Transfer> get(String transferId) {
        return Optional.ofNullable(transfers.get(transferId));
    }

    /** Completes when the transfer has finished (at once if it has). */
    public CompletableFuture<Transfer> finished(String transferId) {
        Transfer t = transfers.get(transferId);
        if (t != null && t.finished()) {
            return CompletableFuture.completedFuture(t);
        }
        CompletableFuture<Transfer> waiter = waiter(transferId);
        t = transfers.get(transferId); // it may have finished in between
        if (t != null && t.finished()) {
            waiters.remove(transferId);
            waiter.complete(t);
        }
        return waiter;
    }

    public Collection<Transfer> all() {
        return List.copyOf(transfers.values());
    }

    public long finishedCount() {
        return finished.get();
    }
}
