package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DCB endpoints ask the access policy as the gRPC Dcb service does: a query read needs $all read
 * access, an append write access to every stream, and a conditional append $all read access too.
 */
class HttpDcbSecurityTest {

    @TempDir
    static Path dir;

    static HttpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpTestServer.start(
                dir,
                new ServerSecurity(new HttpSecurityTest.TestUsers(), new HttpSecurityTest.TestPolicy(), true),
                HttpOptions.defaults(),
                ServerLimits.defaults(),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static final String QUERY = "{\"items\":[{\"tags\":[\"acl:x\"]}]}";

    static String append(String stream, boolean conditional) {
        return "{\"appends\":[{\"stream\":\"" + stream + "\",\"events\":[{\"type\":\"T\",\"tags\":[\"acl:x\"]}]}]"
                + (conditional
                        ? ",\"condition\":{\"query\":" + QUERY + ",\"afterPosition\":" + server.store.headPosition()
                                + "}"
                        : "")
                + "}";
    }

    @Test
    void aUserWithoutAllReadAccessMayAppendButNotReadOrConditionByQuery() {
        String user = HttpSecurityTest.OURO;
        assertThat(server.post("/dcb/append", append("acl-user-1", false), "Authorization", user)
                        .status())
                .isEqualTo(201);
        var conditional = server.post("/dcb/append", append("acl-user-2", true), "Authorization", user);
        assertThat(conditional.status()).isEqualTo(403);
        assertThat(conditional.error()).isEqualTo("access-denied");
        assertThat(server.post("/dcb/append", append("private-acl", false), "Authorization", user)
                        .status())
                .isEqualTo(403);
        assertThat(server.post("/dcb/read", "{\"query\":" + QUERY + "}", "Authorization", user)
                        .status())
                .isEqualTo(403);
        assertThat(server.get("/dcb/live?tag=acl:x", "Authorization", user).status())
                .isEqualTo(403);
        assertThat(server.post("/dcb/read", "{\"query\":" + QUERY + "}").status())
                .isEqualTo(401);
    }

    @Test
    void anAdministratorMayDoAll() {
        String admin = HttpSecurityTest.ADMIN;
        assertThat(server.post("/dcb/append", append("acl-admin-1", true), "Authorization", admin)
                        .status())
                .isEqualTo(201);
        var read = server.post("/dcb/read", "{\"query\":" + QUERY + "}", "Authorization", admin);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("events").size()).isGreaterThanOrEqualTo(1);
    }
}
