package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AccessDeniedException;
import io.factum.server.ServerLimits;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.AuthenticationException;
import io.factum.server.security.Authenticator;
import io.factum.server.security.Principal;
import io.factum.server.security.ServerSecurity;
import io.factum.server.security.StreamAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP authentication and access control go through the same Authenticator and AccessPolicy as gRPC:
 * 401 with a challenge for missing or wrong credentials, 403 for a known user who is denied, health
 * always anonymous.
 */
class HttpSecurityTest {

    @TempDir
    static Path requiredDir;

    @TempDir
    static Path optionalDir;

    /** Authentication required. */
    static HttpTestServer required;

    /** Authentication optional: anonymous callers may do what the policy lets them. */
    static HttpTestServer optional;

    @BeforeAll
    static void start() throws Exception {
        required = HttpTestServer.start(
                requiredDir,
                new ServerSecurity(new TestUsers(), new TestPolicy(), true),
                HttpOptions.defaults(),
                ServerLimits.defaults(),
                Clock.systemUTC());
        optional = HttpTestServer.start(
                optionalDir,
                new ServerSecurity(new TestUsers(), new TestPolicy(), false),
                HttpOptions.defaults(),
                ServerLimits.defaults(),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (required != null) {
            required.close();
        }
        if (optional != null) {
            optional.close();
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static final String ADMIN = basic("admin", "changeit");
    static final String OURO = basic("ouro", "secret");

    /** admin:changeit is an administrator, ouro:secret a user; anything else is refused. */
    static final class TestUsers implements Authenticator {
        @Override
        public Principal authenticate(@Nullable String authorization) {
            if (authorization == null) {
                return Principal.anonymous();
            }
            if (authorization.equals(ADMIN)) {
                return new Principal.User("admin", Set.of(Principal.ADMINS));
            }
            if (authorization.equals(OURO)) {
                return new Principal.User("ouro", Set.of());
            }
            throw new AuthenticationException("bad username or password");
        }
    }

    /** Admins may do anything; users may use streams not named private-*; anonymous may read public-*. */
    static final class TestPolicy implements AccessPolicy {
        @Override
        public void checkStream(Principal who, StreamAccess access, String stream) {
            boolean allowed =
                    switch (who) {
                        case Principal.User u when u.isAdmin() -> true;
                        case Principal.User u -> !stream.startsWith("private-");
                        case Principal.Anonymous a -> access == StreamAccess.READ && stream.startsWith("public-");
                    };
            if (!allowed) {
                throw new AccessDeniedException(who.displayName() + " may not " + access + " " + stream);
            }
        }

        @Override
        public void checkReadAll(Principal who) {
            checkAdmin(who, "read $all");
        }

        @Override
        public void checkAdmin(Principal who, String operation) {
            if (!(who instanceof Principal.User u && u.isAdmin())) {
                throw new AccessDeniedException(who.displayName() + " may not " + operation);
            }
        }
    }

    static void assertUnauthorized(HttpTestServer.Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.header("www-authenticate")).startsWith("Basic realm=\"factum\"");
    }

    @Test
    void healthIsAnonymousEvenWhenAuthenticationIsRequired() {
        assertThat(required.get("/health/live").status()).isEqualTo(200);
        assertThat(required.get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void infoAndMetricsNeedAUserWhenAuthenticationIsRequired() {
        assertUnauthorized(required.get("/info"));
        assertUnauthorized(required.get("/metrics"));
        assertThat(required.get("/info", "Authorization", OURO).status()).isEqualTo(200);
        assertThat(required.get("/metrics", "Authorization", OURO).status()).isEqualTo(200);
        assertThat(required.get("/info", "Authorization", OURO)
                        .json()
                        .get("authentication")
                        .asText())
                .isEqualTo("required");
        assertThat(optional.get("/metrics").status()).isEqualTo(200);
    }

    @Test
    void missingOrWrongCredentialsAre401() {
        var missing = required.post("/streams/orders", "[{\"type\":\"A\"}]");
        assertUnauthorized(missing);
        assertThat(missing.error()).isEqualTo("unauthenticated");
        var wrong = required.get("/streams/orders", "Authorization", basic("ouro", "nope"));
        assertUnauthorized(wrong);
        assertThat(wrong.json().get("message").asText()).contains("bad username or password");
        assertUnauthorized(optional.get("/streams/public-x", "Authorization", "Basic !!!"));
    }

    @Test
    void aKnownUserWhoIsDeniedGets403AndNothingChanges() {
        var denied = required.post("/streams/private-payroll", "[{\"type\":\"A\"}]", "Authorization", OURO);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.error()).isEqualTo("access-denied");
        assertThat(required.get("/streams/private-payroll", "Authorization", ADMIN)
                        .status())
                .isEqualTo(404);
        assertThat(required.get("/streams/$all", "Authorization", OURO).status())
                .isEqualTo(403);
        assertThat(required.get("/streams/$all/live", "Authorization", OURO).status())
                .isEqualTo(403);
        assertThat(required.get("/streams/x/metadata", "Authorization", OURO).status())
                .isEqualTo(200);
        assertThat(required.delete("/streams/private-payroll", "Authorization", OURO)
                        .status())
                .isEqualTo(403);
    }

    @Test
    void permittedUsersWork() {
        var appended = required.post("/streams/orders-1", "[{\"type\":\"A\"}]", "Authorization", OURO);
        assertThat(appended.status()).isEqualTo(201);
        assertThat(required.get("/streams/orders-1", "Authorization", OURO).status())
                .isEqualTo(200);
        assertThat(required.get("/streams/$all", "Authorization", ADMIN).status())
                .isEqualTo(200);
    }

    @Test
    void anonymousCallersAreAskedToLogInWhenThePolicyDeniesThem() {
        optional.post("/streams/public-news", "[{\"type\":\"A\"}]", "Authorization", OURO);
        assertThat(optional.get("/streams/public-news").status()).isEqualTo(200);
        var denied = optional.post("/streams/public-news", "[{\"type\":\"A\"}]");
        assertUnauthorized(denied);
        assertThat(denied.error()).isEqualTo("access-denied");
        assertUnauthorized(optional.get("/streams/$all"));
    }
}
