package io.factum.server;

import io.factum.server.security.ServerSecurity;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * How a server listens and whom it lets in.
 *
 * @param host the address to bind; a loopback address allows running without TLS and auth
 * @param port the port, 0 for any free port
 * @param limits connection and message limits
 * @param security authentication and access control
 * @param clock time for protocol timestamps
 * @param tls server TLS; empty for plaintext (HTTP/2 with prior knowledge)
 */
public record ServerOptions(
        String host, int port, ServerLimits limits, ServerSecurity security, Clock clock, Optional<TlsConfig> tls) {

    public static final int DEFAULT_PORT = 2113;

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tls, "tls");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
    }

    /** Plaintext options. */
    public ServerOptions(String host, int port, ServerLimits limits, ServerSecurity security, Clock clock) {
        this(host, port, limits, security, clock, Optional.empty());
    }

    /** Loopback, the default port, default limits, no security (development). */
    public static ServerOptions localDevelopment(int port) {
        return new ServerOptions(
                "127.0.0.1", port, ServerLimits.defaults(), ServerSecurity.disabled(), Clock.systemUTC());
    }
}
