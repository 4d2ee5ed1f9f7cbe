package io.factum.server.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, deliberately slow password hashes: PBKDF2-HMAC-SHA256 from the JDK, a random 16-byte salt
 * per hash, 32-byte output. The stored form names the algorithm and the iteration count, so that the
 * count can be raised later without invalidating stored hashes:
 *
 * <pre>{@code pbkdf2-sha256$600000$<salt, base64>$<hash, base64>}</pre>
 *
 * <p>600,000 iterations is OWASP's 2023 recommendation for this algorithm; one hash takes about
 * 130 ms on a 2-core test machine, which is why {@link BasicAuthenticator} caches verified
 * credentials. Comparison is constant-time. Thread-safe.
 */
public final class PasswordHasher {

    /** The iteration count for new hashes. */
    public static final int DEFAULT_ITERATIONS = 600_000;

    private static final String ALGORITHM = "pbkdf2-sha256";
    private static final String JCA_NAME = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    /** Fewer would make stored hashes cheap to attack; tests use the minimum to stay fast. */
    public static final int MIN_ITERATIONS = 1_000;

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private final String dummyHash;

    public PasswordHasher(int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException(
                    "password hash iterations: " + iterations + " is below the minimum of " + MIN_ITERATIONS);
        }
        this.iterations = iterations;
        this.dummyHash = hash("factum-dummy-password");
    }

    public static PasswordHasher defaults() {
        return new PasswordHasher(DEFAULT_ITERATIONS);
    }

    /** A new salted hash of {@code password} in the stored form. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return ALGORITHM + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Whether {@code password} matches {@code stored}. A stored value that is not in the format above
     * never matches (and is not an error: a damaged record must not let anyone in).
     */
    public boolean verify(String password, String stored) {
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(ALGORITHM)) {
            return false;
        }
        try {
            int storedIterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            if (storedIterations < MIN_ITERATIONS || salt.length == 0 || expected.length != HASH_BYTES) {
                return false;
            }
            return MessageDigest.isEqual(derive(password, salt, storedIterations), expected);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Spends the time of one verification and fails: used for unknown users, so that the answer's
     * timing does not tell which login names exist.
     */
    public boolean verifyNothing(String password) {
        verify(password, dummyHash);
        return false;
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(JCA_NAME).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            // Every Java 21 runtime ships PBKDF2WithHmacSHA256; its absence is a broken JDK.
            throw new IllegalStateException("the JDK has no " + JCA_NAME, e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }
}
