package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ReadStreamOptions;
import io.factum.protocol.serverfeatures.ServerFeaturesGrpc;
import io.factum.protocol.shared.Empty;
import io.factum.server.CertsCommand;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * TLS with certificates from {@code factum certs}, on a non-loopback bind (0.0.0.0), where TLS and
 * authentication are mandatory; and the configurations the server refuses to start with.
 */
class TlsServerTest {

    static final String PASSWORD = "tls-admin-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    static Path certs;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        certs = dir.resolve("certs");
        int code = new CommandLine(new CertsCommand()).execute("--out", certs.toString());
        assertThat(code).isZero();
        server = ServerProcess.start(
                dir.resolve("data"),
                0,
                Map.of("FACTUM_ADMIN_PASSWORD", PASSWORD),
                "--host",
                "0.0.0.0",
                "--tls-cert",
                certs.resolve("node.crt").toString(),
                "--tls-key",
                certs.resolve("node.key").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static EventStoreDBClient tlsClient(String userInfo) {
        return EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow("esdb://" + userInfo + "localhost:"
                + server.port() + "?tls=true&tlsCaFile=" + certs.resolve("ca.crt")));
    }

    @Test
    void theOfficialClientConnectsWithTheDevelopmentCa() throws Exception {
        assertThat(server.output()).contains("TLS on, authentication on");
        EventStoreDBClient client = tlsClient("admin:" + PASSWORD + "@");
        try {
            String stream = "tls-" + UUID.randomUUID();
            client.appendToStream(
                            stream,
                            EventData.builderAsJson("A", "{}".getBytes(StandardCharsets.UTF_8))
                                    .build())
                    .get(30, TimeUnit.SECONDS);
            assertThat(client.readStream(stream, ReadStreamOptions.get())
                            .get(30, TimeUnit.SECONDS)
                            .getEvents())
                    .hasSize(1);
        } finally {
            client.shutdown().get();
        }
    }

    /** The HTTP API shares the TLS port: ALPN gives HTTP/1.1 to clients that offer it. */
    @Test
    void theHttpApiIsServedOverTlsOnTheSamePort() throws Exception {
        var trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(certs.resolve("ca.crt"))) {
            trust.setCertificateEntry(
                    "factum-dev-ca",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var trustManagers =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, trustManagers.getTrustManagers(), null);
        var http = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
        String auth = "Basic "
                + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String stream = "https-" + UUID.randomUUID();
        var base = java.net.URI.create("https://localhost:" + server.port());

        var append = http.send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/streams/" + stream))
                        .header("Authorization", auth)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "[{\"type\":\"Placed\",\"data\":{\"n\":1}}]"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(append.statusCode()).as(append.body()).isEqualTo(201);
        assertThat(append.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);

        EventStoreDBClient grpc = tlsClient("admin:" + PASSWORD + "@");
        try {
            var read = grpc.readStream(stream, com.eventstore.dbclient.ReadStreamOptions.get())
                    .get();
            assertThat(read.getEvents()).singleElement().satisfies(e -> assertThat(
                            e.getOriginalEvent().getEventType())
                    .isEqualTo("Placed"));
        } finally {
            grpc.shutdown().get();
        }

        var ready = http.send(
                java.net.http.HttpRequest.newBuilder(base.resolve("/health/ready"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        var plain = java.net.http.HttpClient.newHttpClient();
        assertThatThrownBy(() -> plain.send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://localhost:" + server.port() + "/health/ready"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()))
                .as("plaintext HTTP on the TLS port")
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void authenticationIsOnByDefaultAwayFromLoopback() throws Exception {
        EventStoreDBClient client = tlsClient("");
        try {
            StatusRuntimeException e = SecureServerTest.failure(
                    () -> client.readStream("x", ReadStreamOptions.get()).get(30, TimeUnit.SECONDS));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        } finally {
            client.shutdown().get();
        }
    }

    @Test
    void aPlaintextClientIsRefused() throws Exception {
        ManagedChannel plaintext = NettyChannelBuilder.forAddress("localhost", server.port())
                .usePlaintext()
                .build();
        try {
            StatusRuntimeException e = SecureServerTest.failure(() -> ServerFeaturesGrpc.newBlockingStub(plaintext)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getSupportedMethods(Empty.getDefaultInstance()));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        } finally {
            plaintext.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNonLoopbackBindWithoutTlsIsRefused() throws Exception {
        ServerProcess.Exit exit = ServerProcess.runToExit(dir.resolve("refused"), 0, Map.of(), "--host", "0.0.0.0");
        assertThat(exit.code()).isEqualTo(2);
        assertThat(exit.output())
                .contains("refusing to start")
                .contains("needs TLS")
                .contains("--insecure");
    }

    @Test
    void authenticationWithoutAnAdministratorOrPasswordIsRefused() throws Exception {
        ServerProcess.Exit exit = ServerProcess.runToExit(dir.resolve("no-admin"), 0, Map.of(), "--auth");
        assertThat(exit.code()).isEqualTo(2);
        assertThat(exit.output()).contains("FACTUM_ADMIN_PASSWORD").contains("--admin-password-file");
    }

    @Test
    void theAdministratorAndItsPasswordSurviveARestartWithoutThePasswordSource() throws Exception {
        Path data = dir.resolve("restart");
        Path passwordFile = dir.resolve("admin-password");
        Files.writeString(passwordFile, "from-a-file\n");
        ServerProcess first =
                ServerProcess.start(data, 0, Map.of(), "--auth", "--admin-password-file", passwordFile.toString());
        first.close();
        try (ServerProcess second = ServerProcess.start(data, 0, Map.of(), "--auth")) {
            EventStoreDBClient client = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(
                    "esdb://admin:from-a-file@localhost:" + second.port() + "?tls=false"));
            try {
                client.appendToStream(
                                "restarted",
                                EventData.builderAsJson("A", "{}".getBytes(StandardCharsets.UTF_8))
                                        .build())
                        .get(30, TimeUnit.SECONDS);
            } finally {
                client.shutdown().get();
            }
        }
    }
}
