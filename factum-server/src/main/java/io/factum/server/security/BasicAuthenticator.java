package io.factum.server.security;

import io.factum.server.security.users.StoredUser;
import io.factum.server.security.users.UserRecord;
import io.factum.server.security.users.UserStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * HTTP Basic authentication ({@code authorization: Basic base64(login:password)}) against the users
 * of a {@link UserStore}.
 *
 * <p>Verifying a password costs one PBKDF2 hash (about 130 ms), so:
 *
 * <ul>
 *   <li>verified credentials are cached briefly ({@link CredentialCache}), and dropped when their
 *       user changes;
 *   <li>concurrent calls with the same credentials wait for one verification instead of each
 *       hashing (64 writers starting at once cost one hash, not 64);
 *   <li>at most half the processors hash at once, so a flood of wrong passwords queues on cheap
 *       virtual threads instead of taking every CPU from authenticated work.
 * </ul>
 *
 * <p>An unknown login costs the same hash as a wrong password, so the timing does not reveal which
 * logins exist; a disabled user is reported as disabled only after its password was verified.
 * Thread-safe.
 */
public final class BasicAuthenticator implements Authenticator {

    /** How long verified credentials are trusted without hashing again. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(1);
    /** Most cached credentials. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    private final UserStore users;
    private final CredentialCache cache;
    private final Map<String, CompletableFuture<Principal.User>> inFlight = new ConcurrentHashMap<>();
    private final Semaphore hashing =
            new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));

    public BasicAuthenticator(UserStore users, Clock clock, Duration ttl, int maxEntries) {
        this.users = users;
        this.cache = new CredentialCache(clock, ttl, maxEntries);
        users.onChange(cache::invalidate);
    }

    public BasicAuthenticator(UserStore users, Clock clock) {
        this(users, clock, DEFAULT_TTL, DEFAULT_MAX_ENTRIES);
    }

    @Override
    public Principal authenticate(@Nullable String authorization) {
        if (authorization == null) {
            return Principal.anonymous();
        }
        String key = CredentialCache.key(authorization);
        Optional<Principal.User> cached = cache.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Credentials credentials = parse(authorization);
        CompletableFuture<Principal.User> mine = new CompletableFuture<>();
        CompletableFuture<Principal.User> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return await(running);
        }
        try {
            long generation = cache.generation();
            Principal.User user = verify(credentials);
            cache.put(key, user, generation);
            mine.complete(user);
            return user;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Number of cached credentials (for tests and metrics). */
    int cachedEntries() {
        return cache.size();
    }

    private record Credentials(String login, String password) {}

    static Credentials parse(String authorization) {
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Basic")) {
            throw new AuthenticationException("unsupported authorization scheme: only Basic is accepted");
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder()
                            .decode(authorization.substring(space + 1).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("malformed Basic credentials: not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new AuthenticationException("malformed Basic credentials: expected login:password");
        }
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private Principal.User verify(Credentials credentials) {
        Optional<StoredUser> stored = users.find(credentials.login());
        boolean matches;
        hashing.acquireUninterruptibly();
        try {
            matches = stored.isPresent()
                    ? users.hasher()
                            .verify(
                                    credentials.password(),
                                    stored.get().record().passwordHash())
                    : users.hasher().verifyNothing(credentials.password());
        } finally {
            hashing.release();
        }
        if (!matches) {
            throw new AuthenticationException("wrong login or password");
        }
        UserRecord record = stored.orElseThrow().record();
        if (record.disabled()) {
            throw new AuthenticationException("user '" + record.loginName() + "' is disabled");
        }
        return new Principal.User(record.loginName(), java.util.Set.copyOf(record.groups()));
    }

    private static Principal.User await(CompletableFuture<Principal.User> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
