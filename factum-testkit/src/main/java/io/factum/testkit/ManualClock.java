package io.factum.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test says so. Stores take event timestamps and the "now" of {@code
 * maxAge} from it, so tests of retention by age need no waiting.
 *
 * <p>Thread-safe: the instant is held in an atomic reference, so a test thread may advance it while
 * store threads read it. The zone is UTC; {@link #withZone} returns a view in another zone that
 * shares this clock's instant.
 */
public final class ManualClock extends Clock {

    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /** A clock at 2024-01-01T00:00:00Z: a whole second, so every backend stores it exactly. */
    public static ManualClock atDefaultStart() {
        return new ManualClock(Instant.parse("2024-01-01T00:00:00Z"));
    }

    /** Moves the clock forwards (or backwards, with a negative duration) and returns the new instant. */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        return now.updateAndGet(current -> current.plus(duration));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return zone.equals(ZoneOffset.UTC) ? this : new ZonedView(this, zone);
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }

    /** This clock's instant seen in another zone. */
    private static final class ZonedView extends Clock {
        private final ManualClock source;
        private final ZoneId zone;

        ZonedView(ManualClock source, ZoneId zone) {
            this.source = source;
            this.zone = Objects.requireNonNull(zone, "zone");
        }

        @Override
        public Instant instant() {
            return source.instant();
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId newZone) {
            return source.withZone(newZone);
        }
    }
}
