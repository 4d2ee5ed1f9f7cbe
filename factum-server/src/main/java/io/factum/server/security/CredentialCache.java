package io.factum.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recently verified credentials, so that a password hash (slow by design) is computed once per
 * client and period rather than once per call. Keys are SHA-256 digests of the whole {@code
 * authorization} value: the cache never holds a password in clear, and a different password is a
 * different key.
 *
 * <p>Entries live {@code ttl} at most and are dropped at once, for their login, when a user changes
 * (password, groups, disabled, deleted). A verification that started before a change never stores its
 * (now stale) answer: every change bumps a generation that {@link #put} compares. The size is bounded;
 * when full, expired entries are dropped, and if that is not enough, all of them (the next calls
 * verify again: slower, never wrong). Thread-safe.
 */
final class CredentialCache {

    private record Entry(Principal.User principal, long expiresAtMillis) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final Clock clock;
    private final long ttlMillis;
    private final int maxEntries;

    CredentialCache(Clock clock, Duration ttl, int maxEntries) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
        this.maxEntries = maxEntries;
    }

    static String key(String authorization) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(authorization.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    Optional<Principal.User> get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (clock.millis() >= entry.expiresAtMillis()) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.principal());
    }

    /** The generation to pass to {@link #put}: read it before reading the user. */
    long generation() {
        return generation.get();
    }

    void put(String key, Principal.User principal, long generationBefore) {
        if (entries.size() >= maxEntries) {
            long now = clock.millis();
            entries.values().removeIf(e -> now >= e.expiresAtMillis());
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(key, new Entry(principal, clock.millis() + ttlMillis));
        if (generation.get() != generationBefore) {
            // A user changed while this verification ran: its answer may be stale.
            entries.remove(key);
        }
    }

    /** Forgets every entry of {@code loginName}. */
    void invalidate(String loginName) {
        generation.incrementAndGet();
        entries.values().removeIf(e -> e.principal().name().equals(loginName));
    }

    int size() {
        return entries.size();
    }
}
