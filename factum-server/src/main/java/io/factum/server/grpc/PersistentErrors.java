package io.factum.server.grpc;

import io.factum.server.persistent.DropReason;
import io.factum.server.persistent.GroupExistsException;
import io.factum.server.persistent.GroupKey;
import io.factum.server.persistent.GroupNotFoundException;
import io.factum.server.persistent.MaximumSubscribersReachedException;
import io.factum.server.persistent.PersistentSubscriptionException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The statuses and trailers of persistent subscription failures, as KurrentDB sends them: the
 * clients (and the .NET client's typed exceptions) read the {@code exception} trailer, and the Java
 * clients' GetInfo turns NOT_FOUND into an empty answer.
 */
final class PersistentErrors {

    static final Metadata.Key<String> GROUP_NAME = Metadata.Key.of("group-name", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REASON = Metadata.Key.of("reason", Metadata.ASCII_STRING_MARSHALLER);

    private PersistentErrors() {}

    static StatusRuntimeException toStatus(Throwable error) {
        if (error instanceof PersistentSubscriptionException e) {
            return switch (e) {
                case GroupNotFoundException n ->
                    status(Status.NOT_FOUND, "persistent-subscription-does-not-exist", n.key(), n.getMessage());
                case GroupExistsException x ->
                    status(Status.ALREADY_EXISTS, "persistent-subscription-exists", x.key(), x.getMessage());
                case MaximumSubscribersReachedException m ->
                    status(Status.FAILED_PRECONDITION, "maximum-subscribers-reached", m.key(), m.getMessage());
            };
        }
        return GrpcErrors.toStatus(error);
    }

    /**
     * How a consumer's call ends when the server drops it. KurrentDB ends it with CANCELLED and the
     * {@code persistent-subscription-dropped} trailer; the persistent subscription clients report
     * that status to the listener (they swallow only their own "user-initiated" cancellation). A
     * server shutdown says UNAVAILABLE, like every other call.
     */
    static StatusRuntimeException dropped(GroupKey key, DropReason reason) {
        if (reason == DropReason.SERVER_STOPPING) {
            return Status.UNAVAILABLE
                    .withDescription("the server is shutting down; reconnect to '" + key.group() + "' later")
                    .asRuntimeException();
        }
        String why =
                switch (reason) {
                    case GROUP_DELETED -> "the group was deleted";
                    case GROUP_UPDATED -> "the group's settings changed";
                    case SUBSYSTEM_RESTARTED -> "the persistent subscriptions subsystem restarted";
                    case STOPPED_BY_CONSUMER -> "the consumer asked to stop";
                    case SERVER_STOPPING -> "the server is shutting down";
                };
        Metadata trailers = trailers("persistent-subscription-dropped", key);
        trailers.put(REASON, reason.name());
        return Status.CANCELLED
                .withDescription("Subscription " + key.group() + " on " + key.stream() + " was dropped: " + why)
                .asRuntimeException(trailers);
    }

    private static StatusRuntimeException status(Status code, String exception, GroupKey key, String message) {
        return code.withDescription(message).asRuntimeException(trailers(exception, key));
    }

    private static Metadata trailers(String exception, GroupKey key) {
        Metadata trailers = GrpcErrors.exception(exception);
        trailers.put(GrpcErrors.STREAM_NAME, ascii(key.stream()));
        trailers.put(GROUP_NAME, ascii(key.group()));
        return trailers;
    }

    /** ASCII metadata refuses other characters; KurrentDB's trailers carry names, so keep what fits. */
    private static String ascii(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
