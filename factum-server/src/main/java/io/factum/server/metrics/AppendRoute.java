package io.factum.server.metrics;

/**
 * The API an append arrived through: the {@code transport} and {@code api} labels of the append
 * counters. Every way into the store's append path has one, so that no append goes uncounted.
 */
public enum AppendRoute {
    /** KurrentDB v1 {@code Streams.Append}. */
    GRPC_APPEND(Transport.GRPC, "append"),
    /** KurrentDB v1 {@code Streams.BatchAppend}. */
    GRPC_BATCH_APPEND(Transport.GRPC, "batch-append"),
    /** KurrentDB v2 {@code StreamsService.AppendSession}. */
    GRPC_APPEND_SESSION(Transport.GRPC, "append-session"),
    /** Factum's {@code factum.dcb.v1.Dcb.Append}. */
    GRPC_DCB(Transport.GRPC, "dcb"),
    /** {@code POST /streams/{stream}}. */
    HTTP_STREAM(Transport.HTTP, "stream"),
    /** {@code POST /dcb/append}. */
    HTTP_DCB(Transport.HTTP, "dcb");

    private final Transport transport;
    private final String api;

    AppendRoute(Transport transport, String api) {
        this.transport = transport;
        this.api = api;
    }

    public Transport transport() {
        return transport;
    }

    /** The {@code api} label value. */
    public String api() {
        return api;
    }
}
