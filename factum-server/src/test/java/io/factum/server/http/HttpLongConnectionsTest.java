package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 connections outlive gRPC's handshake timeout. gRPC counts a connection as unready until
 * an HTTP/2 handshake that HTTP/1.1 never makes, and used to cut every one of them that long after
 * it opened: live event streams after 10 s, and a long request in the middle.
 */
class HttpLongConnectionsTest {

    static final Duration HANDSHAKE = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    HttpTestServer start() throws Exception {
        return HttpTestServer.start(
                dir,
                ServerSecurity.disabled(),
                HttpOptions.defaults().withHeartbeatInterval(Duration.ofMillis(300)),
                new ServerLimits(17 << 20, 1000, 200, HANDSHAKE, Duration.ofHours(1)),
                Clock.systemUTC());
    }

    @Test
    void aLiveStreamKeepsDeliveringPastTheHandshakeTimeout() throws Exception {
        try (HttpTestServer server = start();
                SseClient sse = SseClient.open(
                        server.client,
                        server.request("/streams/long/live").GET().build())) {
            assertThat(sse.next("caught-up", WAIT).event()).isEqualTo("caught-up");
            Thread.sleep(HANDSHAKE.multipliedBy(3).toMillis());
            assertThat(server.post("/streams/long", HttpStreamsApiTest.events(0, 1))
                            .status())
                    .isEqualTo(201);
            assertThat(sse.next("event", WAIT).id()).isEqualTo("0");
        }
    }

    @Test
    void stoppingTheServerStillEndsALiveStream() throws Exception {
        HttpTestServer server = start();
        try (SseClient sse = SseClient.open(
                server.client, server.request("/streams/$all/live").GET().build())) {
            assertThat(sse.next("caught-up", WAIT).event()).isEqualTo("caught-up");
            Thread.sleep(HANDSHAKE.multipliedBy(2).toMillis());
            server.close();
            assertThatThrownBy(() -> {
                        while (true) {
                            sse.next(WAIT);
                        }
                    })
                    .isInstanceOf(SseClient.StreamEndedException.class);
        }
    }
}
