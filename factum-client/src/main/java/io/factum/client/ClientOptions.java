package io.factum.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How to reach a Factum (or KurrentDB) server.
 *
 * @param host the server's host name or address
 * @param port its gRPC port (KurrentDB's 2113 by default)
 * @param tls transport security
 * @param credentials Basic credentials sent with every call, if any
 * @param deadline how long one operation (an append, a read page, a delete) may take
 */
public record ClientOptions(
        String host, int port, TlsOptions tls, Optional<Credentials> credentials, Duration deadline) {

    public static final int DEFAULT_PORT = 2113;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /** The URL schemes {@link #parse} accepts; they all mean the same. */
    public static final Set<String> SCHEMES = Set.of("factum", "kurrentdb", "kdb", "esdb");

    /** KurrentDB connection-string settings that only matter for clusters; accepted and ignored. */
    private static final Set<String> IGNORED = Set.of(
            "nodepreference",
            "maxdiscoverattempts",
            "discoveryinterval",
            "gossiptimeout",
            "keepaliveinterval",
            "keepalivetimeout",
            "connectionname",
            "throwonappendfailure");

    /**
     * @param enabled TLS on (KurrentDB's default) or plaintext HTTP/2
     * @param verifyCert check the server's certificate (never turn off outside development)
     * @param caFile PEM file of the certificate authorities to trust instead of the JDK's
     */
    public record TlsOptions(boolean enabled, boolean verifyCert, Optional<Path> caFile) {
        public TlsOptions {
            Objects.requireNonNull(caFile, "caFile");
        }

        public static TlsOptions plaintext() {
            return new TlsOptions(false, true, Optional.empty());
        }
    }

    /** A user name and password, sent as HTTP Basic authorization. */
    public record Credentials(String username, String password) {
        public Credentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isEmpty()) {
                throw new IllegalArgumentException("the user name must not be empty");
            }
            if (username.contains(":")) {
                throw new IllegalArgumentException("the user name must not contain ':' (Basic authorization)");
            }
        }

        @Override
        public String toString() {
            return "Credentials[" + username + ", password hidden]";
        }
    }

    public ClientOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(deadline, "deadline");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive, not " + deadline);
        }
    }

    /** A plaintext connection without credentials (a development server on this machine). */
    public static ClientOptions plaintext(String host, int port) {
        return new ClientOptions(host, port, TlsOptions.plaintext(), Optional.empty(), DEFAULT_DEADLINE);
    }

    public ClientOptions withCredentials(String username, String password) {
        return new ClientOptions(host, port, tls, Optional.of(new Credentials(username, password)), deadline);
    }

    public ClientOptions withTls(TlsOptions newTls) {
        return new ClientOptions(host, port, newTls, credentials, deadline);
    }

    public ClientOptions withDeadline(Duration newDeadline) {
        return new ClientOptions(host, port, tls, credentials, newDeadline);
    }

    /** {@code host:port}, for messages. */
    public String target() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parses a connection URL: {@code scheme://[user:password@]host[:port][/][?key=value&...]} with
     * a scheme of {@link #SCHEMES}. Settings (names case-insensitive, as in KurrentDB): {@code
     * tls} (default {@code true}), {@code tlsVerifyCert} (default {@code true}), {@code tlsCaFile}
     * (a PEM file), {@code defaultDeadline} (milliseconds, default 10000). The cluster settings of
     * KurrentDB connection strings ({@code nodePreference}, {@code gossipTimeout}...) are accepted
     * and ignored; any other setting is an error, so that a typo does not go unnoticed.
     *
     * @throws IllegalArgumentException naming what is wrong with the URL
     */
    public static ClientOptions parse(String url) {
        return UrlParser.parse(url);
    }

    /** The parsing behind {@link #parse}: one URL, one host (Factum servers are single nodes here). */
    private static final class UrlParser {

        static ClientOptions parse(String url) {
            Objects.requireNonNull(url, "url");
            int schemeEnd = url.indexOf("://");
            if (schemeEnd < 0) {
                throw bad(url, "expected scheme://host[:port], e.g. kurrentdb://localhost:2113?tls=false");
            }
            String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (scheme.endsWith("+discover")) {
                throw bad(url, "cluster discovery (" + scheme + ") is not supported; name one server");
            }
            if (!SCHEMES.contains(scheme)) {
                throw bad(url, "unknown scheme '" + scheme + "'; use factum://, kurrentdb://, kdb:// or esdb://");
            }
            String rest = url.substring(schemeEnd + 3);
            String query = "";
            int q = rest.indexOf('?');
            if (q >= 0) {
                query = rest.substring(q + 1);
                rest = rest.substring(0, q);
            }
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            Optional<Credentials> credentials = Optional.empty();
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                credentials = Optional.of(credentials(url, rest.substring(0, at)));
                rest = rest.substring(at + 1);
            }
            if (rest.contains(",")) {
                throw bad(url, "several hosts (a cluster) are not supported; name one server");
            }
            if (rest.contains("/")) {
                throw bad(url, "a path is not allowed after the host");
            }
            HostPort hostPort = hostPort(url, rest);
            ClientOptions options = new ClientOptions(
                    hostPort.host(),
                    hostPort.port(),
                    new TlsOptions(true, true, Optional.empty()),
                    credentials,
                    DEFAULT_DEADLINE);
            return settings(url, options, query);
        }

        private record HostPort(String host, int port) {}

        private static HostPort hostPort(String url, String text) {
            String host = text;
            String port = "";
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw bad(url, "unclosed '[' in the IPv6 address");
                }
                host = text.substring(1, close);
                String after = text.substring(close + 1);
                if (!after.isEmpty() && !after.startsWith(":")) {
                    throw bad(url, "expected ':port' after the IPv6 address");
                }
                port = after.isEmpty() ? "" : after.substring(1);
            } else {
                int colon = text.lastIndexOf(':');
                if (colon >= 0) {
                    host = text.substring(0, colon);
                    port = text.substring(colon + 1);
                }
            }
            if (host.isEmpty()) {
                throw bad(url, "the host is missing");
            }
            if (port.isEmpty()) {
                return new HostPort(host, DEFAULT_PORT);
            }
            return new HostPort(host, (int) number(url, "port", port, 1, 65535));
        }

        private static Credentials credentials(String url, String userInfo) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw bad(url, "credentials must be user:password@");
            }
            String user = decode(url, userInfo.substring(0, colon));
            String password = decode(url, userInfo.substring(colon + 1));
            if (user.isEmpty()) {
                throw bad(url, "the user name is empty");
            }
            return new Credentials(user, password);
        }

        private static ClientOptions settings(String url, ClientOptions options, String query) {
            ClientOptions out = options;
            boolean tls = true;
            boolean verify = true;
            Optional<Path> caFile = Optional.empty();
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw bad(url, "setting '" + pair + "' has no value (key=value)");
                }
                String key = pair.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = decode(url, pair.substring(eq + 1));
                switch (key) {
                    case "tls" -> tls = bool(url, "tls", value);
                    case "tlsverifycert" -> verify = bool(url, "tlsVerifyCert", value);
                    case "tlscafile" -> caFile = Optional.of(Path.of(value));
                    case "defaultdeadline" ->
                        out = out.withDeadline(
                                Duration.ofMillis(number(url, "defaultDeadline", value, 1, Integer.MAX_VALUE)));
                    default -> {
                        if (!IGNORED.contains(key)) {
                            throw bad(
                                    url,
                                    "unknown setting '" + pair.substring(0, eq)
                                            + "'; known: tls, tlsVerifyCert, tlsCaFile, defaultDeadline");
                        }
                    }
                }
            }
            return out.withTls(new TlsOptions(tls, verify, caFile));
        }

        private static boolean bool(String url, String key, String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(url, key + "=" + value + " is not true or false");
            };
        }

        private static long number(String url, String key, String value, long min, long max) {
            try {
                long n = Long.parseLong(value);
                if (n < min || n > max) {
                    throw bad(url, key + " " + value + " is not between " + min + " and " + max);
                }
                return n;
            } catch (NumberFormatException e) {
                throw bad(url, key + " '" + value + "' is not a number");
            }
        }

        private static String decode(String url, String text) {
            try {
                return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw bad(url, "bad percent-encoding in '" + text + "'");
            }
        }

        private static IllegalArgumentException bad(String url, String problem) {
            return new IllegalArgumentException("invalid server URL '" + redact(url) + "': " + problem);
        }

        /** Never repeat a password in an error message. */
        private static String redact(String url) {
            int schemeEnd = url.indexOf("://");
            int at = url.lastIndexOf('@');
            if (schemeEnd < 0 || at < schemeEnd) {
                return url;
            }
            String userInfo = url.substring(schemeEnd + 3, at);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            return url.substring(0, schemeEnd + 3) + user + ":***" + url.substring(at);
        }
    }
}
