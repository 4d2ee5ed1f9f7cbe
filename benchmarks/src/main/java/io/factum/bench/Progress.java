package io.factum.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Prints a phase's progress every interval on its own daemon thread: elapsed time, the count so
 * far, the rate over the last interval, the fraction of a known total, and an optional extra text
 * (e.g. the interval's latency percentiles).
 *
 * <p>Thread-safe: {@code count} and {@code extra} are called from the printing thread. {@link
 * #close} stops printing and waits (bounded) for a print in flight.
 */
final class Progress implements AutoCloseable {

    private final ScheduledExecutorService timer;
    private final PrintWriter err;
    private final String label;
    private final String unit;
    private final LongSupplier count;
    private final long total;
    private final Supplier<String> extra;
    private final long startNanos = System.nanoTime();
    private long lastCount;
    private long lastNanos = startNanos;

    private Progress(
            PrintWriter err,
            Duration interval,
            String label,
            String unit,
            LongSupplier count,
            long total,
            Supplier<String> extra) {
        this.err = err;
        this.label = label;
        this.unit = unit;
        this.count = count;
        this.total = total;
        this.extra = extra;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, interval.toMillis());
        timer.scheduleAtFixedRate(this::print, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts printing.
     *
     * @param total the count at which the phase is done, or {@code -1} when unknown
     */
    static Progress start(
            RunContext ctx, String label, String unit, LongSupplier count, long total, Supplier<String> extra) {
        ctx.err().println("[" + label + "] started");
        ctx.err().flush();
        return new Progress(ctx.err(), ctx.progressInterval(), label, unit, count, total, extra);
    }

    static Progress start(RunContext ctx, String label, String unit, LongSupplier count, long total) {
        return start(ctx, label, unit, count, total, () -> "");
    }

    /** Prints only the elapsed time, for work that reports no count. */
    static Progress heartbeat(RunContext ctx, String label) {
        return start(ctx, label, "", () -> 0, -1);
    }

    private synchronized void print() {
        long now = System.nanoTime();
        if (unit.isEmpty()) {
            err.println(String.format(Locale.ROOT, "[%s] %.1f s elapsed", label, (now - startNanos) / 1e9));
            err.flush();
            return;
        }
        long c = count.getAsLong();
        double rate = (c - lastCount) / Math.max(1e-9, (now - lastNanos) / 1e9);
        lastCount = c;
        lastNanos = now;
        StringBuilder line = new StringBuilder()
                .append('[')
                .append(label)
                .append("] ")
                .append(String.format(Locale.ROOT, "%.1f s: %,d %s", (now - startNanos) / 1e9, c, unit));
        if (total > 0) {
            line.append(String.format(Locale.ROOT, " of %,d (%.0f%%)", total, 100.0 * c / total));
        }
        line.append(String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit));
        String more = extra.get();
        if (!more.isEmpty()) {
            line.append(", ").append(more);
        }
        err.println(line);
        err.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
