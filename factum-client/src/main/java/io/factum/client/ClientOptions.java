package io.factum.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to reach a Factum (or KurrentDB) server or cluster.
 *
 * <p>A single node is one seed. A cluster is named by several seeds, any of its nodes: the client
 * connects to the first seed that answers, sends writes to the leader (following the server's
 * not-leader answer, or asking the seeds' gossip who leads) and serves reads from whichever node it
 * is connected to. The seeds are only where the search for the leader starts; they need not list
 * every member, since gossip names the others.
 *
 * @param seeds the nodes to try, in order; at least one, each once
 * @param tls transport security, the same for every node
 * @param credentials Basic credentials sent with every call to every node, if any
 * @param deadline how long one operation (an append, a read page, a delete) may take, including
 *     the search for a new leader and the retry on it
 */
public record ClientOptions(
        List<Endpoint> seeds, TlsOptions tls, Optional<Credentials> credentials, Duration deadline) {

    public static final int DEFAULT_PORT = 2113;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /**
     * The URL schemes {@link #parse} accepts; they all mean the same, and so do their {@code
     * +discover} variants.
     */
    public static final Set<String> SCHEMES = Set.of("factum", "kurrentdb", "kdb", "esdb");

    /**
     * KurrentDB connection-string settings that tune the official clients' discovery, keepalive or
     * naming; accepted and ignored. This client always writes to the leader and reads from the node
     * it is connected to, whatever {@code nodePreference} says.
     */
    private static final Set<String> IGNORED = Set.of(
            "nodepreference",
            "maxdiscoverattempts",
            "discoveryinterval",
            "gossiptimeout",
            "keepaliveinterval",
            "keepalivetimeout",
            "connectionname",
            "throwonappendfailure");

    /** Where a node serves clients: a host name or address and its gRPC port. */
    public record Endpoint(String host, int port) {
        public Endpoint {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("the host must not be empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
            }
        }

        /** {@code host:port}, an IPv6 address in brackets. */
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

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
        Objects.requireNonNull(seeds, "seeds");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(deadline, "deadline");
        seeds = List.copyOf(seeds);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("name at least one server (host and port)");
        }
        Set<Endpoint> seen = new HashSet<>();
        for (Endpoint seed : seeds) {
            if (!seen.add(seed)) {
                throw new IllegalArgumentException("the server " + seed + " is named twice");
            }
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the deadline must be positive, not " + deadline);
        }
    }

    /** One server (a single node, or one node of a cluster to start from). */
    public ClientOptions(String host, int port, TlsOptions tls, Optional<Credentials> credentials, Duration deadline) {
        this(List.of(new Endpoint(host, port)), tls, credentials, deadline);
    }

    /** A plaintext connection without credentials (a development server on this machine). */
    public static ClientOptions plaintext(String host, int port) {
        return new ClientOptions(host, port, TlsOptions.plaintext(), Optional.empty(), DEFAULT_DEADLINE);
    }

    /** The first seed's host: the only server's, for a single node. */
    public String host() {
        return seeds.getFirst().host();
    }

    /** The first seed's port. */
    public int port() {
        return seeds.getFirst().port();
    }

    public ClientOptions withSeeds(List<Endpoint> newSeeds) {
        return new ClientOptions(newSeeds, tls, credentials, deadline);
    }

    public ClientOptions withCredentials(String username, String password) {
        return new ClientOptions(seeds, tls, Optional.of(new Credentials(username, password)), deadline);
    }

    public ClientOptions withTls(TlsOptions newTls) {
        return new ClientOptions(seeds, newTls, credentials, deadline);
    }

    public ClientOptions withDeadline(Duration newDeadline) {
        return new ClientOptions(seeds, tls, credentials, newDeadline);
    }

    /** {@code host:port}, or the seeds separated by commas, for messages. */
    public String target() {
        return seeds.stream().map(Endpoint::toString).collect(Collectors.joining(","));
    }

    /**
     * Parses a connection URL: {@code scheme://[user:password@]host[:port][,host[:port]...][/][?key=value&...]}
     * with a scheme of {@link #SCHEMES}, optionally followed by {@code +discover} (as in {@code
     * kurrentdb+discover://h1:2113,h2:2113}); with or without it, several hosts are seeds of one
     * cluster and a single host is one server (whose gossip is asked when it cannot take a write).
     * Settings (names case-insensitive, as in KurrentDB): {@code tls} (default {@code true}), {@code
     * tlsVerifyCert} (default {@code true}), {@code tlsCaFile} (a PEM file), {@code defaultDeadline}
     * (milliseconds, default 10000). The discovery and keepalive settings of KurrentDB connection
     * strings ({@code nodePreference}, {@code gossipTimeout}...) are accepted and ignored; any other
     * setting is an error, so that a typo does not go unnoticed.
     *
     * @throws IllegalArgumentException naming what is wrong with the URL
     */
    public static ClientOptions parse(String url) {
        return UrlParser.parse(url);
    }

    /** The parsing behind {@link #parse}: one URL, one or more hosts. */
    private static final class UrlParser {

        private static final String DISCOVER = "+discover";

        static ClientOptions parse(String url) {
            Objects.requireNonNull(url, "url");
            int schemeEnd = url.indexOf("://");
            if (schemeEnd < 0) {
                throw bad(url, "expected scheme://host[:port], e.g. kurrentdb://localhost:2113?tls=false");
            }
            String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            String base = scheme.endsWith(DISCOVER) ? scheme.substring(0, scheme.length() - DISCOVER.length()) : scheme;
            if (!SCHEMES.contains(base)) {
                throw bad(
                        url,
                        "unknown scheme '" + scheme + "'; use factum://, kurrentdb://, kdb:// or esdb://"
                                + " (each also with +discover)");
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
            if (rest.contains("/")) {
                throw bad(url, "a path is not allowed after the host");
            }
            List<Endpoint> seeds = seeds(url, rest);
            ClientOptions options = new ClientOptions(
                    seeds, new TlsOptions(true, true, Optional.empty()), credentials, DEFAULT_DEADLINE);
            return settings(url, options, query);
        }

        /** {@code host[:port]} separated by commas, each named once. */
        private static List<Endpoint> seeds(String url, String hosts) {
            String[] parts = hosts.split(",", -1);
            List<Endpoint> seeds = new ArrayList<>(parts.length);
            for (String part : parts) {
                if (parts.length > 1 && part.isEmpty()) {
                    throw bad(url, "an empty entry in the host list '" + hosts + "'");
                }
                Endpoint seed = endpoint(url, part);
                if (seeds.contains(seed)) {
                    throw bad(url, "the host " + seed + " is named twice");
                }
                seeds.add(seed);
            }
            return seeds;
        }

        private static Endpoint endpoint(String url, String text) {
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
                return new Endpoint(host, DEFAULT_PORT);
            }
            return new Endpoint(host, (int) number(url, "port", port, 1, 65535));
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
