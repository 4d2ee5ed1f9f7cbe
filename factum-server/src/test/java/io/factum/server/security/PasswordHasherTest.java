package io.factum.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    // The minimum count keeps the test fast; the format and the checks are the same at any count.
    private final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);

    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String stored = hasher.hash("correct horse");
        assertThat(hasher.verify("correct horse", stored)).isTrue();
        assertThat(hasher.verify("correct horsE", stored)).isFalse();
        assertThat(hasher.verify("", stored)).isFalse();
    }

    @Test
    void theStoredFormNamesAlgorithmAndCountAndNeverHoldsThePassword() {
        String stored = hasher.hash("s3cret-value");
        assertThat(stored).startsWith("pbkdf2-sha256$1000$").doesNotContain("s3cret-value");
        assertThat(stored.split("\\$")).hasSize(4);
    }

    @Test
    void everyHashHasItsOwnSalt() {
        assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
    }

    @Test
    void theCountStoredWithAHashIsTheOneUsedToVerifyIt() {
        String stored = new PasswordHasher(2000).hash("pw");
        assertThat(stored).startsWith("pbkdf2-sha256$2000$");
        assertThat(hasher.verify("pw", stored)).isTrue();
        String tamperedCount = stored.replace("$2000$", "$1000$");
        assertThat(hasher.verify("pw", tamperedCount)).isFalse();
    }

    @Test
    void damagedOrForeignStoredValuesNeverMatch() {
        String stored = hasher.hash("pw");
        String[] parts = stored.split("\\$");
        assertThat(hasher.verify("pw", "")).isFalse();
        assertThat(hasher.verify("pw", "pw")).isFalse();
        assertThat(hasher.verify("pw", "md5$1000$" + parts[2] + "$" + parts[3])).isFalse();
        assertThat(hasher.verify("pw", parts[0] + "$x$" + parts[2] + "$" + parts[3]))
                .isFalse();
        assertThat(hasher.verify("pw", parts[0] + "$10$" + parts[2] + "$" + parts[3]))
                .isFalse();
        assertThat(hasher.verify("pw", parts[0] + "$1000$!!$" + parts[3])).isFalse();
        assertThat(hasher.verify("pw", parts[0] + "$1000$" + parts[2] + "$" + parts[3].substring(2)))
                .isFalse();
    }

    @Test
    void verifyNothingAlwaysFails() {
        assertThat(hasher.verifyNothing("factum-dummy-password")).isFalse();
    }

    @Test
    void tooFewIterationsAreRefused() {
        assertThatThrownBy(() -> new PasswordHasher(999))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("999");
    }
}
