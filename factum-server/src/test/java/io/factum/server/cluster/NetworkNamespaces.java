package io.factum.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private network the test builds for itself: one network namespace per node, each joined by a
 * veth pair to a bridge in the test's own namespace (where the clients run), on a /24 of its own.
 * A partition is made with blackhole routes inside the namespaces, so the nodes on either side stop
 * hearing each other while the clients still reach every node: a cut leader keeps its clients and
 * must still not acknowledge anything. Everything is deleted on {@link #close()}.
 *
 * <p>Needs root (or CAP_NET_ADMIN) and iproute2. Where that is missing the test is skipped with the
 * reason, except on CI ({@code CI=true}), where it fails: a partition test that silently never runs
 * protects nothing.
 */
final class NetworkNamespaces implements AutoCloseable {
    private final String tag;
    private final int size;
    private final String subnet;
    private final List<String> created = new ArrayList<>();
    private final List<String[]> blackholes = new ArrayList<>();

    private NetworkNamespaces(String tag, int size, String subnet) {
        this.tag = tag;
        this.size = size;
        this.subnet = subnet;
    }

    /** Skips the calling test (fails it on CI) unless namespaces can be made here. */
    static void requireAvailable() {
        Optional<String> reason = unavailableReason();
        if (reason.isEmpty()) {
            return;
        }
        String message = "a partition test needs network namespaces ('ip netns add', veth, a bridge), which this"
                + " machine does not permit: " + reason.get() + ". Run the tests as root, or in a VM or container"
                + " with CAP_NET_ADMIN.";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message);
    }

    private static Optional<String> unavailableReason() {
        NetworkNamespaces probe = new NetworkNamespaces(newTag(), 0, "");
        try {
            probe.run("ip", "netns", "add", probe.namespace(1));
            probe.run("ip", "netns", "del", probe.namespace(1));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private static String newTag() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
    }

    /** Builds {@code size} namespaces on a bridge; the test's namespace is {@code .1}, node i is {@code .(10+i)}. */
    static NetworkNamespaces create(int size) throws IOException, InterruptedException {
        int third = ThreadLocalRandom.current().nextInt(100, 250);
        NetworkNamespaces net = new NetworkNamespaces(newTag(), size, "10.231." + third);
        try {
            net.build();
        } catch (IOException | RuntimeException | InterruptedException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws IOException, InterruptedException {
        String bridge = bridge();
        run("ip", "link", "add", bridge, "type", "bridge");
        created.add("link:" + bridge);
        run("ip", "addr", "add", subnet + ".1/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        for (int i = 1; i <= size; i++) {
            String ns = namespace(i);
            String veth = "fv" + tag + i;
            run("ip", "netns", "add", ns);
            created.add("netns:" + ns);
            run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            created.add("link:" + veth);
            run("ip", "link", "set", veth, "master", bridge);
            run("ip", "link", "set", veth, "up");
            run("ip", "netns", "exec", ns, "ip", "addr", "add", address(i) + "/24", "dev", "eth0");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    int size() {
        return size;
    }

    String address(int node) {
        return subnet + "." + (10 + node);
    }

    String namespace(int node) {
        return "fn" + tag + node;
    }

    private String bridge() {
        return "fb" + tag;
    }

    /** The command, run inside node {@code i}'s namespace. */
    List<String> wrap(int node, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Cuts node {@code i} off from every other node (clients still reach all of them). */
    void isolate(int node) throws IOException, InterruptedException {
        for (int other = 1; other <= size; other++) {
            if (other == node) {
                continue;
            }
            blackhole(node, address(other));
            blackhole(other, address(node));
        }
    }

    private void blackhole(int inNode, String to) throws IOException, InterruptedException {
        run("ip", "netns", "exec", namespace(inNode), "ip", "route", "add", "blackhole", to + "/32");
        blackholes.add(new String[] {namespace(inNode), to});
    }

    /** Removes every partition. */
    void heal() throws IOException, InterruptedException {
        for (String[] b : blackholes) {
            run("ip", "netns", "exec", b[0], "ip", "route", "del", "blackhole", b[1] + "/32");
        }
        blackholes.clear();
    }

    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            String what = created.get(i);
            String name = what.substring(what.indexOf(':') + 1);
            try {
                if (what.startsWith("netns:")) {
                    run("ip", "netns", "del", name);
                } else {
                    runQuietly("ip", "link", "del", name); // a veth goes with its namespace
                }
            } catch (IOException | RuntimeException e) {
                // best effort: the next run uses other names
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void runQuietly(String... command) throws IOException, InterruptedException {
        new ProcessBuilder(command).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 10 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
        }
    }
}
