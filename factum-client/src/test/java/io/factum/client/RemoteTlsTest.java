package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.server.grpc.StoreInfoService;
import io.factum.server.grpc.StreamsService;
import io.factum.server.security.AccessPolicy;
import io.factum.testkit.ManualClock;
import io.factum.testkit.memory.InMemoryEventStore;
import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with a CA file: the Factum services behind a TLS-only gRPC server whose certificate (made
 * here with the JDK's keytool, valid for 127.0.0.1) no public authority signed. The client trusts
 * it only when given the certificate as its CA file.
 */
class RemoteTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    static Server server;
    static Path caFile;

    @BeforeAll
    static void start() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        caFile = dir.resolve("ca.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-keystore",
                keyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                caFile.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD.toCharArray());
        var store = new InMemoryEventStore(ManualClock.atDefaultStart(), StoreLimits.defaults());
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(keyManagers))
                        .build())
                .addService(new StreamsService(store, AccessPolicy.unrestricted(), java.time.Clock.systemUTC()))
                .addService(new StoreInfoService(store))
                .build()
                .start();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void appendsAndReadsOverTlsWithTheCaFile() {
        String url = "factum://127.0.0.1:" + server.getPort() + "?tlsCaFile=" + caFile;
        try (RemoteEventStore store = RemoteEventStore.connect(url)) {
            store.append("secure", ExpectedVersion.noStream(), List.of(EventData.json("Sealed", "{}")));

            ReadStreamResult read = store.readStream("secure", 0, Direction.FORWARDS, 10);

            assertThat(read.events()).singleElement().satisfies(e -> assertThat(e.type())
                    .isEqualTo("Sealed"));
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        String url = "factum://127.0.0.1:" + server.getPort();

        assertThatThrownBy(() -> RemoteEventStore.connect(url)).isInstanceOf(StoreFailedException.class);
    }

    @Test
    void plaintextAgainstATlsServerFails() {
        String url = "factum://127.0.0.1:" + server.getPort() + "?tls=false&defaultDeadline=3000";

        assertThatThrownBy(() -> RemoteEventStore.connect(url)).isInstanceOf(StoreFailedException.class);
    }

    @Test
    void aMissingCaFileIsABadSetting() {
        String url = "factum://127.0.0.1:" + server.getPort() + "?tlsCaFile=" + dir.resolve("missing.pem");

        assertThatThrownBy(() -> RemoteEventStore.connect(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.pem");
    }
}
