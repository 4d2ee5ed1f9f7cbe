package io.factum.cluster;

import io.factum.api.InvalidInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One node of a cluster: its id, the host the others and the clients reach it at, the port it
 * serves clients on (gRPC and HTTP) and the port it replicates on (Raft).
 */
public record ClusterMember(String id, String host, int clientPort, int raftPort) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    public ClusterMember {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidInputException(
                    "node id", id, "must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit");
        }
        if (host == null || host.isBlank()) {
            throw new InvalidInputException("host", host, "node " + id + " needs a host");
        }
        checkPort(id, "client port", clientPort);
        checkPort(id, "replication port", raftPort);
        if (clientPort == raftPort) {
            throw new InvalidInputException(
                    "ports", clientPort, "node " + id + " needs different client and replication ports");
        }
    }

    private static void checkPort(String id, String what, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidInputException(what, port, "node " + id + ": a port is 1 to 65535");
        }
    }

    /** {@code host:raftPort}, where the other nodes replicate to this one. */
    public String raftAddress() {
        return host + ":" + raftPort;
    }

    /** {@code id=host:clientPort:raftPort}, as {@link #parseAll} reads it. */
    @Override
    public String toString() {
        return id + "=" + host + ":" + clientPort + ":" + raftPort;
    }

    /**
     * Reads {@code n1=HOST:CLIENT_PORT:RAFT_PORT,n2=...}: every member of the cluster, each once,
     * with distinct ids and distinct addresses.
     */
    public static List<ClusterMember> parseAll(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException(
                    "--cluster", spec, "name every member: n1=HOST:CLIENT_PORT:RAFT_PORT,n2=...");
        }
        List<ClusterMember> members = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (String part : spec.split(",")) {
            ClusterMember m = parse(part.trim());
            if (!ids.add(m.id())) {
                throw new InvalidInputException("--cluster", spec, "names node " + m.id() + " twice");
            }
            if (!addresses.add(m.host() + ":" + m.clientPort()) || !addresses.add(m.raftAddress())) {
                throw new InvalidInputException(
                        "--cluster", spec, "gives two nodes the same host and port (" + m + ")");
            }
            members.add(m);
        }
        return List.copyOf(members);
    }

    /** Reads one {@code id=host:clientPort:raftPort}. */
    public static ClusterMember parse(String spec) {
        int eq = spec.indexOf('=');
        int lastColon = spec.lastIndexOf(':');
        int colon = lastColon < 0 ? -1 : spec.lastIndexOf(':', lastColon - 1);
        if (eq <= 0 || colon <= eq + 1 || lastColon <= colon) {
            throw new InvalidInputException(
                    "member", spec, "expected id=HOST:CLIENT_PORT:RAFT_PORT, like n1=127.0.0.1:2113:3113");
        }
        String host = spec.substring(eq + 1, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ClusterMember(
                spec.substring(0, eq),
                host,
                port(spec, spec.substring(colon + 1, lastColon)),
                port(spec, spec.substring(lastColon + 1)));
    }

    private static int port(String spec, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("member", spec, "'" + text + "' is not a port number");
        }
    }
}
