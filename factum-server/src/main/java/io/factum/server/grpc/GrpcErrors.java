package io.factum.server.grpc;

import io.factum.api.AccessDeniedException;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.InvalidInputException;
import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.FactumWire;
import io.factum.server.metrics.ServerMetrics;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;

/**
 * Turns store errors into the gRPC statuses and trailers the official clients understand. The
 * clients read the {@code exception} trailer to pick their exception type and the other trailers
 * for its details, so both the code and the trailers are part of the protocol.
 *
 * <p>Factum adds trailers of its own, which the official clients ignore, so that Factum's remote
 * client raises exactly the exception the store raised: {@code factum-error} ({@code
 * invalid-input}, {@code store-closed}, {@code store-failed}), {@code factum-field-bin} and {@code
 * factum-rule-bin} (UTF-8) for invalid input, and {@code factum-stream-bin} (the stream name in
 * UTF-8, which the ASCII {@code stream-name} trailer cannot carry faithfully).
 */
public final class GrpcErrors {

    static final Metadata.Key<String> EXCEPTION = key("exception");
    static final Metadata.Key<String> STREAM_NAME = key("stream-name");
    static final Metadata.Key<String> EXPECTED_VERSION = key("expected-version");
    static final Metadata.Key<String> ACTUAL_VERSION = key("actual-version");
    static final Metadata.Key<String> MAXIMUM_APPEND_SIZE = key("maximum-append-size");
    static final Metadata.Key<String> REQUIRED_METADATA = key("required-metadata-properties");
    static final Metadata.Key<String> LEADER_HOST = key("leader-endpoint-host");
    static final Metadata.Key<String> LEADER_PORT = key("leader-endpoint-port");
    public static final Metadata.Key<String> FACTUM_ERROR = key(FactumWire.ERROR);
    public static final Metadata.Key<byte[]> FACTUM_FIELD = binaryKey(FactumWire.FIELD);
    public static final Metadata.Key<byte[]> FACTUM_RULE = binaryKey(FactumWire.RULE);
    public static final Metadata.Key<byte[]> FACTUM_STREAM = binaryKey(FactumWire.STREAM);
    public static final Metadata.Key<String> CONFLICTING_POSITION = key(FactumWire.CONFLICTING_POSITION);

    private GrpcErrors() {}

    /** The status for any failure thrown while serving a call. */
    public static StatusRuntimeException toStatus(Throwable error) {
        return switch (error) {
            case StatusRuntimeException s -> s;
            case FactumException f -> fromStore(f);
            case IllegalArgumentException e -> invalidArgument(e.getMessage());
            default ->
                Status.INTERNAL
                        .withDescription("internal error: " + error)
                        .withCause(error)
                        .asRuntimeException();
        };
    }

    /**
     * The failure label of a refused append: a store error by its name ({@link
     * ServerMetrics#reason}), a protocol error (already a status) by its status code.
     */
    public static String reason(Throwable error) {
        if (error instanceof StatusRuntimeException status) {
            return status.getStatus().getCode().name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return ServerMetrics.reason(error);
    }

    public static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    private static StatusRuntimeException fromStore(FactumException error) {
        return switch (error) {
            case WrongExpectedVersionException w -> wrongExpectedVersion(w);
            case AppendConditionFailedException c -> appendConditionFailed(c);
            case StreamDeletedException d -> streamDeleted(d.stream());
            case AccessDeniedException a -> accessDenied(a.getMessage());
            case InvalidInputException i -> invalidInput(i);
            case StoreClosedException c ->
                Status.UNAVAILABLE
                        .withDescription("the server is shutting down: " + c.getMessage())
                        .asRuntimeException(factumError(FactumWire.STORE_CLOSED));
            case StoreFailedException f ->
                Status.UNAVAILABLE
                        // The message says what failed and whether reads still work.
                        .withDescription(f.getMessage())
                        .asRuntimeException(factumError(FactumWire.STORE_FAILED));
            case NotLeaderException n -> notLeader(n);
        };
    }

    /**
     * KurrentDB's answer to a write sent to a follower: NOT_FOUND with the {@code not-leader}
     * exception and the leader's endpoint, from which the official clients reconnect to the leader.
     * Without a known leader (an election) the clients see UNAVAILABLE and rediscover.
     */
    public static StatusRuntimeException notLeader(NotLeaderException error) {
        if (error.leader().isEmpty()) {
            return Status.UNAVAILABLE.withDescription(error.getMessage()).asRuntimeException(exception("not-leader"));
        }
        Metadata trailers = exception("not-leader");
        trailers.put(LEADER_HOST, error.leader().get().host());
        trailers.put(LEADER_PORT, Integer.toString(error.leader().get().port()));
        return Status.NOT_FOUND.withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    /** INVALID_ARGUMENT naming the field and the rule, so a remote client can rebuild the exception. */
    public static StatusRuntimeException invalidInput(InvalidInputException error) {
        Metadata trailers = factumError(FactumWire.INVALID_INPUT);
        trailers.put(FACTUM_FIELD, utf8(error.field()));
        trailers.put(FACTUM_RULE, utf8(error.rule()));
        return Status.INVALID_ARGUMENT.withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    public static StatusRuntimeException streamDeleted(String stream) {
        Metadata trailers = exception("stream-deleted");
        trailers.put(STREAM_NAME, stream);
        trailers.put(FACTUM_STREAM, utf8(stream));
        return Status.FAILED_PRECONDITION
                .withDescription("stream '" + stream + "' is deleted")
                .asRuntimeException(trailers);
    }

    public static StatusRuntimeException accessDenied(String message) {
        return Status.PERMISSION_DENIED.withDescription(message).asRuntimeException(exception("access-denied"));
    }

    public static StatusRuntimeException wrongExpectedVersion(WrongExpectedVersionException error) {
        Metadata trailers = exception("wrong-expected-version");
        trailers.put(STREAM_NAME, error.stream());
        trailers.put(FACTUM_STREAM, utf8(error.stream()));
        trailers.put(EXPECTED_VERSION, Long.toString(legacyExpected(error.expected())));
        trailers.put(ACTUAL_VERSION, Long.toString(error.actualVersion()));
        return Status.FAILED_PRECONDITION.withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    /**
     * FAILED_PRECONDITION with Factum's trailers: the error kind and the first conflicting position.
     * KurrentDB has no conditional appends, so no official client meets this status.
     */
    public static StatusRuntimeException appendConditionFailed(AppendConditionFailedException error) {
        Metadata trailers = factumError(FactumWire.APPEND_CONDITION_FAILED);
        trailers.put(CONFLICTING_POSITION, Long.toString(error.conflictingPosition()));
        return Status.FAILED_PRECONDITION.withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    public static StatusRuntimeException maximumAppendSizeExceeded(long limit, String message) {
        Metadata trailers = exception("maximum-append-size-exceeded");
        trailers.put(MAXIMUM_APPEND_SIZE, Long.toString(limit));
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException(trailers);
    }

    /** An event without its {@code type} or {@code content-type} metadata property. */
    public static StatusRuntimeException missingMetadata(String message) {
        Metadata trailers = exception("missing-required-metadata-property");
        trailers.put(REQUIRED_METADATA, "type,content-type");
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException(trailers);
    }

    /** KurrentDB's numeric expected versions: -2 any, -1 no stream, -4 stream exists. */
    static long legacyExpected(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> -2;
            case ExpectedVersion.NoStream n -> -1;
            case ExpectedVersion.StreamExists s -> -4;
            case ExpectedVersion.Exact e -> e.version();
        };
    }

    static Metadata exception(String name) {
        Metadata trailers = new Metadata();
        trailers.put(EXCEPTION, name);
        return trailers;
    }

    private static Metadata factumError(String kind) {
        Metadata trailers = new Metadata();
        trailers.put(FACTUM_ERROR, kind);
        return trailers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Metadata.Key<byte[]> binaryKey(String name) {
        return Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
