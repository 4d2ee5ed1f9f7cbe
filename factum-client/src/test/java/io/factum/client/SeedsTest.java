package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Connection strings and options that name several nodes of a cluster. */
class SeedsTest {

    private static ClientOptions.Endpoint at(String host, int port) {
        return new ClientOptions.Endpoint(host, port);
    }

    @Test
    void severalHostsAreSeedsInTheirOrderWithOrWithoutDiscover() {
        for (String scheme : new String[] {
            "factum", "kurrentdb", "kdb", "esdb", "factum+discover", "kurrentdb+discover", "ESDB+Discover"
        }) {
            ClientOptions options = ClientOptions.parse(scheme + "://h1:2113,h2,[::1]:2115?tls=false");

            assertThat(options.seeds()).containsExactly(at("h1", 2113), at("h2", 2113), at("::1", 2115));
            assertThat(options.host()).isEqualTo("h1");
            assertThat(options.port()).isEqualTo(2113);
            assertThat(options.target()).isEqualTo("h1:2113,h2:2113,[::1]:2115");
            assertThat(options.tls().enabled()).isFalse();
        }
    }

    @Test
    void credentialsAndSettingsApplyToEverySeed() {
        ClientOptions options = ClientOptions.parse("kurrentdb+discover://admin:changeit@n1:2113,n2:2113,n3:2113"
                + "?defaultDeadline=1500&nodePreference=leader");

        assertThat(options.seeds()).hasSize(3);
        assertThat(options.credentials()).contains(new ClientOptions.Credentials("admin", "changeit"));
        assertThat(options.deadline()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aSingleHostIsStillOneSeedAndADiscoverSchemeWithOneHostIsToo() {
        assertThat(ClientOptions.parse("factum://localhost:2113?tls=false").seeds())
                .containsExactly(at("localhost", 2113));
        assertThat(ClientOptions.parse("esdb+discover://localhost").seeds()).containsExactly(at("localhost", 2113));
        assertThat(ClientOptions.plaintext("localhost", 2113).seeds()).containsExactly(at("localhost", 2113));
    }

    @Test
    void badHostListsAreRefused() {
        assertThatThrownBy(() -> ClientOptions.parse("factum://h1:2113,"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an empty entry in the host list");
        assertThatThrownBy(() -> ClientOptions.parse("factum://h1:2113,h1:2113"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the host h1:2113 is named twice");
        assertThatThrownBy(() -> ClientOptions.parse("factum://h1:2113,h2:0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 0 is not between 1 and 65535");
        assertThatThrownBy(() -> ClientOptions.plaintext("h1", 2113).withSeeds(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one server");
        assertThatThrownBy(() -> new ClientOptions(
                        List.of(at("h1", 1), at("h1", 1)),
                        ClientOptions.TlsOptions.plaintext(),
                        Optional.empty(),
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("named twice");
    }
}
