package io.factum.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.server.security.users.UserStore;
import io.factum.testkit.ManualClock;
import io.factum.testkit.memory.InMemoryEventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {

    private final InMemoryEventStore store = new InMemoryEventStore();
    private final UserStore users = new UserStore(store, new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
    private final ManualClock clock = ManualClock.atDefaultStart();
    private final BasicAuthenticator auth = new BasicAuthenticator(users, clock, Duration.ofSeconds(60), 100);

    static String basic(String login, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noHeaderIsAnonymousAndGoodCredentialsAreTheUserWithItsGroups() {
        users.create("alice", "", List.of("sales"), "pw:with:colons");
        assertThat(auth.authenticate(null)).isEqualTo(Principal.anonymous());
        assertThat(auth.authenticate(basic("alice", "pw:with:colons")))
                .isEqualTo(new Principal.User("alice", Set.of("sales")));
        assertThat(auth.authenticate("basic " + basic("alice", "pw:with:colons").substring(6)))
                .isEqualTo(new Principal.User("alice", Set.of("sales")));
    }

    @Test
    void wrongPasswordsUnknownUsersAndMalformedHeadersAreRefused() {
        users.create("alice", "", List.of(), "pw");
        assertThatThrownBy(() -> auth.authenticate(basic("alice", "nope")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessage("wrong login or password");
        assertThatThrownBy(() -> auth.authenticate(basic("nobody", "pw")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessage("wrong login or password");
        assertThatThrownBy(() -> auth.authenticate("Bearer abc"))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("Basic");
        assertThatThrownBy(() -> auth.authenticate("Basic %%%"))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("base64");
        assertThatThrownBy(
                        () -> auth.authenticate("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("login:password");
        assertThat(auth.cachedEntries()).isZero();
    }

    @Test
    void disabledUsersAreRefusedEvenWhenTheirCredentialsWereCached() {
        users.create("bob", "", List.of(), "pw");
        auth.authenticate(basic("bob", "pw"));
        users.setDisabled("bob", true);
        assertThatThrownBy(() -> auth.authenticate(basic("bob", "pw")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("disabled");
        users.setDisabled("bob", false);
        assertThat(auth.authenticate(basic("bob", "pw"))).isInstanceOf(Principal.User.class);
    }

    @Test
    void aPasswordChangeEndsTheOldPasswordAtOnce() {
        users.create("carol", "", List.of(), "old");
        auth.authenticate(basic("carol", "old"));
        users.resetPassword("carol", "new");
        assertThatThrownBy(() -> auth.authenticate(basic("carol", "old"))).isInstanceOf(AuthenticationException.class);
        assertThat(auth.authenticate(basic("carol", "new"))).isInstanceOf(Principal.User.class);
    }

    @Test
    void cachedCredentialsAreTrustedUntilTheirTimeToLive() {
        users.create("dave", "", List.of(), "pw");
        auth.authenticate(basic("dave", "pw"));
        assertThat(auth.cachedEntries()).isEqualTo(1);
        // A change written around the user store (another node, or by hand) is not announced: the
        // cache keeps answering until the entry expires.
        UserStore other = new UserStore(store, new PasswordHasher(PasswordHasher.MIN_ITERATIONS));
        other.setDisabled("dave", true);
        assertThat(auth.authenticate(basic("dave", "pw"))).isInstanceOf(Principal.User.class);
        clock.advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> auth.authenticate(basic("dave", "pw")))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("disabled");
    }

    @Test
    void theCacheIsBounded() {
        users.create("erin", "", List.of(), "pw");
        var small = new BasicAuthenticator(users, clock, Duration.ofSeconds(60), 3);
        for (int i = 0; i < 3; i++) {
            users.resetPassword("erin", "pw" + i); // each a different key; invalidation empties it
            small.authenticate(basic("erin", "pw" + i));
        }
        users.create("frank", "", List.of(), "a");
        users.create("grace", "", List.of(), "b");
        users.create("heidi", "", List.of(), "c");
        users.create("ivan", "", List.of(), "d");
        small.authenticate(basic("frank", "a"));
        small.authenticate(basic("grace", "b"));
        small.authenticate(basic("heidi", "c"));
        small.authenticate(basic("ivan", "d"));
        assertThat(small.cachedEntries()).isLessThanOrEqualTo(3);
    }

    @Test
    void concurrentCallsWithTheSameCredentialsAllSucceed() throws Exception {
        users.create("judy", "", List.of("g"), "pw");
        List<Callable<Principal>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            calls.add(() -> auth.authenticate(basic("judy", "pw")));
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Principal> result : pool.invokeAll(calls)) {
                assertThat(result.get()).isEqualTo(new Principal.User("judy", Set.of("g")));
            }
        }
        assertThat(auth.cachedEntries()).isEqualTo(1);
    }

    @Test
    void aDamagedRecordLetsNobodyIn() {
        store.append(
                "$user-kim",
                ExpectedVersion.any(),
                List.of(new EventData(
                        UUID.randomUUID(),
                        "$user",
                        "{\"loginName\":\"kim\"}".getBytes(StandardCharsets.UTF_8),
                        new byte[0],
                        ContentType.JSON)));
        assertThatThrownBy(() -> auth.authenticate(basic("kim", ""))).isInstanceOf(AuthenticationException.class);
    }
}
