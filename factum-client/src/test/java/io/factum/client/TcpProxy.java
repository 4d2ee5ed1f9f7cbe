package io.factum.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on loopback that can lose the server's answers: while {@link #mute} is on, what
 * the client sends still reaches the server, but what the server sends back is read and dropped.
 * So a test can have a call carried out on the server and unanswered on the client, then {@link
 * #close} to cut the connection, as a node that fails after storing a write but before replying.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean muted;

    private TcpProxy(ServerSocket listener, int upstreamPort) {
        this.listener = listener;
        this.upstreamPort = upstreamPort;
    }

    static TcpProxy start(int listenPort, int upstreamPort) throws IOException {
        TcpProxy proxy = new TcpProxy(new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress()), upstreamPort);
        Thread.ofVirtual().name("proxy-accept").start(proxy::accept);
        return proxy;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on, drops what the server sends. */
    void mute() {
        muted = true;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server, false));
                Thread.ofVirtual().start(() -> pump(server, client, true));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!(answers && muted)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the other side or close() ended it
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Stops listening and cuts every connection. */
    @Override
    public void close() {
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
