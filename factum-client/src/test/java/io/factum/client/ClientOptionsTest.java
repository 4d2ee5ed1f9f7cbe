package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

    @Test
    void everySchemeMeansTheSame() {
        for (String scheme : new String[] {"factum", "kurrentdb", "kdb", "esdb", "KurrentDB"}) {
            ClientOptions options = ClientOptions.parse(scheme + "://db.example.com:3113?tls=false");

            assertThat(options.host()).isEqualTo("db.example.com");
            assertThat(options.port()).isEqualTo(3113);
            assertThat(options.tls().enabled()).isFalse();
        }
    }

    @Test
    void defaultsAreKurrentDbs() {
        ClientOptions options = ClientOptions.parse("kurrentdb://localhost");

        assertThat(options.port()).isEqualTo(2113);
        assertThat(options.tls()).isEqualTo(new ClientOptions.TlsOptions(true, true, Optional.empty()));
        assertThat(options.credentials()).isEmpty();
        assertThat(options.deadline()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void credentialsAreUrlDecoded() {
        ClientOptions options = ClientOptions.parse("esdb://ad%40min:p%3Ass+w@localhost:2113/?tls=false");

        assertThat(options.credentials()).contains(new ClientOptions.Credentials("ad@min", "p:ss+w"));
        assertThat(options.credentials().orElseThrow().toString()).doesNotContain("p:ss+w");
    }

    @Test
    void settingsAreCaseInsensitiveAndClusterSettingsAreIgnored() {
        ClientOptions options = ClientOptions.parse("factum://[::1]:2114?TLS=true&tlsVerifyCert=false"
                + "&tlsCaFile=/etc/ca.pem&defaultDeadline=2500&nodePreference=leader&keepAliveInterval=10000");

        assertThat(options.host()).isEqualTo("::1");
        assertThat(options.port()).isEqualTo(2114);
        assertThat(options.target()).isEqualTo("[::1]:2114");
        assertThat(options.tls())
                .isEqualTo(new ClientOptions.TlsOptions(true, false, Optional.of(Path.of("/etc/ca.pem"))));
        assertThat(options.deadline()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void badUrlsAreRefusedNamingTheProblemWithoutThePassword() {
        assertBad("localhost:2113", "expected scheme://host");
        assertBad("http://localhost", "unknown scheme 'http'");
        assertBad("esdb+gossip://localhost", "unknown scheme 'esdb+gossip'");
        assertBad("kurrentdb://a:2113,,b:2113", "an empty entry in the host list");
        assertBad("kurrentdb://localhost:99999", "port 99999 is not between 1 and 65535");
        assertBad("kurrentdb://localhost:abc", "port 'abc' is not a number");
        assertBad("kurrentdb://localhost?tls=maybe", "tls=maybe is not true or false");
        assertBad("kurrentdb://localhost?tsl=false", "unknown setting 'tsl'");
        assertBad("kurrentdb://localhost?defaultDeadline=0", "defaultDeadline 0 is not between");
        assertBad("kurrentdb://:2113", "the host is missing");
        assertBad("kurrentdb://admin@localhost", "user:password@");
        assertThatThrownBy(() -> ClientOptions.parse("kurrentdb://admin:hunter2@localhost?x=1"))
                .hasMessageContaining("admin:***@localhost")
                .hasMessageNotContaining("hunter2");
    }

    private static void assertBad(String url, String problem) {
        assertThatThrownBy(() -> ClientOptions.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(problem);
    }
}
