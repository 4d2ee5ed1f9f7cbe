package io.factum.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.factum.api.AccessDeniedException;
import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.FactumException;
import io.factum.api.InvalidInputException;
import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.FactumWire;
import io.factum.protocol.v2.streams.errors.StreamDeletedErrorDetails;
import io.factum.protocol.v2.streams.errors.StreamRevisionConflictErrorDetails;
import io.factum.protocol.v2.streams.errors.StreamTombstonedErrorDetails;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a failed call back into the contract's exception. The server's Factum trailers make the
 * result as precise as the store's own exception (same field, rule and stream); without them (a
 * KurrentDB server) the KurrentDB trailers and v2 error details are used.
 */
final class ErrorMapper {

    static final Metadata.Key<String> EXCEPTION = ascii("exception");
    static final Metadata.Key<String> STREAM_NAME = ascii("stream-name");
    static final Metadata.Key<String> EXPECTED_VERSION = ascii("expected-version");
    static final Metadata.Key<String> ACTUAL_VERSION = ascii("actual-version");
    static final Metadata.Key<String> MAXIMUM_APPEND_SIZE = ascii("maximum-append-size");
    static final Metadata.Key<String> LEADER_HOST = ascii("leader-endpoint-host");
    static final Metadata.Key<String> LEADER_PORT = ascii("leader-endpoint-port");
    static final Metadata.Key<String> FACTUM_ERROR = ascii(FactumWire.ERROR);
    static final Metadata.Key<byte[]> FACTUM_FIELD = binary(FactumWire.FIELD);
    static final Metadata.Key<byte[]> FACTUM_RULE = binary(FactumWire.RULE);
    static final Metadata.Key<byte[]> FACTUM_STREAM = binary(FactumWire.STREAM);
    static final Metadata.Key<String> CONFLICTING_POSITION = ascii(FactumWire.CONFLICTING_POSITION);

    private final String target;

    ErrorMapper(String target) {
        this.target = target;
    }

    /**
     * @param stream the stream the call was about, named when the server's answer does not say
     */
    FactumException map(StatusRuntimeException error, String stream) {
        return map(error, stream, Optional.empty());
    }

    /**
     * @param stream the stream the call was about, named when the server's answer does not say
     * @param condition the condition of the append that failed, if it had one
     */
    FactumException map(StatusRuntimeException error, String stream, Optional<AppendCondition> condition) {
        Status status = error.getStatus();
        Metadata trailers = error.getTrailers() != null ? error.getTrailers() : new Metadata();
        String description = Optional.ofNullable(status.getDescription())
                .orElse(status.getCode().name());
        Optional<FactumException> fromDetails = fromV2Details(error);
        if (fromDetails.isPresent()) {
            return fromDetails.get();
        }
        String factumError = trailers.get(FACTUM_ERROR);
        if (FactumWire.INVALID_INPUT.equals(factumError)) {
            return invalidInput(trailers, description);
        }
        if (FactumWire.APPEND_CONDITION_FAILED.equals(factumError)) {
            return conditionFailed(trailers, condition, description);
        }
        if (FactumWire.STORE_CLOSED.equals(factumError)) {
            return new StoreClosedException(target + ": " + description);
        }
        if (FactumWire.STORE_FAILED.equals(factumError)) {
            return new StoreFailedException(target + ": " + description);
        }
        String exception = trailers.get(EXCEPTION);
        if ("not-leader".equals(exception)) {
            return notLeader(trailers, description);
        }
        String named = streamOf(trailers).orElse(stream);
        if ("stream-deleted".equals(exception)) {
            return new StreamDeletedException(named);
        }
        if ("wrong-expected-version".equals(exception)) {
            return wrongExpectedVersion(trailers, named, error);
        }
        if ("maximum-append-size-exceeded".equals(exception)) {
            String limit =
                    Optional.ofNullable(trailers.get(MAXIMUM_APPEND_SIZE)).orElse("?");
            return new InvalidInputException(
                    "events", new Verbatim("the append"), "exceeds the server's limit of " + limit + " bytes");
        }
        return switch (status.getCode()) {
            case PERMISSION_DENIED -> new AccessDeniedException(target + ": access denied: " + description);
            case UNAUTHENTICATED -> new AccessDeniedException(target + ": not authenticated: " + description);
            case INVALID_ARGUMENT -> new InvalidInputException("request", new Verbatim("rejected"), description);
            case UNIMPLEMENTED -> unimplemented(description);
            case UNAVAILABLE -> new StoreFailedException("server " + target + " is unavailable: " + description, error);
            case DEADLINE_EXCEEDED ->
                new StoreFailedException("server " + target + " did not answer in time: " + description, error);
            default ->
                new StoreFailedException(
                        "server " + target + " failed the call (" + status.getCode() + "): " + description, error);
        };
    }

    /**
     * Whether the call failed for want of a node to answer it (connection refused or lost, the
     * channel shutting down) rather than with the node's answer: UNAVAILABLE without KurrentDB's
     * or Factum's error trailers. A server whose store closed or failed answers UNAVAILABLE too,
     * but names its error, and that answer is final.
     */
    static boolean unreachable(StatusRuntimeException error) {
        if (error.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        Metadata trailers = error.getTrailers();
        return trailers == null || (trailers.get(EXCEPTION) == null && trailers.get(FACTUM_ERROR) == null);
    }

    /**
     * KurrentDB's answer from a node that cannot take a write: NOT_FOUND with the leader's client
     * endpoint in trailers, or UNAVAILABLE without one (an election, no majority). An endpoint that
     * does not parse counts as unknown: the client then asks gossip instead.
     */
    private NotLeaderException notLeader(Metadata trailers, String description) {
        String message = "server " + target + " is not the leader: " + description;
        String host = trailers.get(LEADER_HOST);
        String port = trailers.get(LEADER_PORT);
        if (host == null || host.isBlank() || port == null) {
            return new NotLeaderException(message, Optional.empty());
        }
        try {
            int number = Integer.parseInt(port.strip());
            if (number < 1 || number > 65535) {
                return new NotLeaderException(message, Optional.empty());
            }
            return new NotLeaderException(message, Optional.of(new NotLeaderException.Endpoint(host, number)));
        } catch (NumberFormatException e) {
            return new NotLeaderException(message, Optional.empty());
        }
    }

    /** The condition comes from the request: the server names only the conflicting position. */
    private FactumException conditionFailed(
            Metadata trailers, Optional<AppendCondition> condition, String description) {
        String position = trailers.get(CONFLICTING_POSITION);
        if (condition.isEmpty() || position == null) {
            return WireCodec.protocol("a failed append condition for an append without one, or without "
                    + FactumWire.CONFLICTING_POSITION + " (" + description + ")");
        }
        try {
            return new AppendConditionFailedException(condition.get(), Long.parseLong(position));
        } catch (NumberFormatException e) {
            return WireCodec.protocol(FactumWire.CONFLICTING_POSITION + " '" + position + "'");
        }
    }

    /** A server without the call, such as KurrentDB asked for Factum's DCB service. */
    private FactumException unimplemented(String description) {
        String hint = description.contains("factum.dcb.")
                ? ": tags, reads and subscriptions by query and conditional appends need a Factum server"
                : "";
        return new StoreFailedException(
                "server " + target + " does not implement the call (" + description + ")" + hint);
    }

    /** The v2 protocol's typed error details, as KurrentDB 25.1 and Factum send them. */
    private static Optional<FactumException> fromV2Details(StatusRuntimeException error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return Optional.empty();
        }
        try {
            for (Any detail : status.getDetailsList()) {
                if (detail.is(StreamRevisionConflictErrorDetails.class)) {
                    var d = detail.unpack(StreamRevisionConflictErrorDetails.class);
                    long actual = d.getActualRevision() < 0 ? -1 : d.getActualRevision();
                    return Optional.of(new WrongExpectedVersionException(
                            d.getStream(), WireCodec.fromRaw(d.getExpectedRevision()), actual));
                }
                if (detail.is(StreamTombstonedErrorDetails.class)) {
                    return Optional.of(new StreamDeletedException(
                            detail.unpack(StreamTombstonedErrorDetails.class).getStream()));
                }
                if (detail.is(StreamDeletedErrorDetails.class)) {
                    return Optional.of(new StreamDeletedException(
                            detail.unpack(StreamDeletedErrorDetails.class).getStream()));
                }
            }
        } catch (InvalidProtocolBufferException e) {
            return Optional.of(WireCodec.protocol("an unreadable error detail: " + e.getMessage()));
        }
        return Optional.empty();
    }

    private FactumException wrongExpectedVersion(Metadata trailers, String stream, StatusRuntimeException error) {
        try {
            long expected = Long.parseLong(
                    Optional.ofNullable(trailers.get(EXPECTED_VERSION)).orElse(""));
            String actualText =
                    Optional.ofNullable(trailers.get(ACTUAL_VERSION)).orElse("");
            long actual = actualText.isEmpty() ? -1 : Long.parseLong(actualText);
            return new WrongExpectedVersionException(stream, WireCodec.fromRaw(expected), actual < 0 ? -1 : actual);
        } catch (NumberFormatException e) {
            return new StoreFailedException(
                    "server " + target + " reported a conflict without readable versions: " + error.getMessage(),
                    error);
        }
    }

    /**
     * Rebuilds the store's exception: its message is {@code invalid <field> <value>: <rule>}, where
     * the value is quoted when it was text; the field and the rule travel as trailers, so the value
     * is what lies between them, and the rebuilt exception has exactly the store's message.
     */
    static InvalidInputException invalidInput(Metadata trailers, String description) {
        String field = utf8(trailers.get(FACTUM_FIELD)).orElse("request");
        String rule = utf8(trailers.get(FACTUM_RULE)).orElse(description);
        String prefix = "invalid " + field + " ";
        String suffix = ": " + rule;
        if (!description.startsWith(prefix)
                || !description.endsWith(suffix)
                || description.length() < prefix.length() + suffix.length()) {
            return new InvalidInputException(field, new Verbatim("rejected"), rule);
        }
        String value = description.substring(prefix.length(), description.length() - suffix.length());
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return new InvalidInputException(field, value.substring(1, value.length() - 1), rule);
        }
        return new InvalidInputException(field, new Verbatim(value), rule);
    }

    private static Optional<String> streamOf(Metadata trailers) {
        return utf8(trailers.get(FACTUM_STREAM)).or(() -> Optional.ofNullable(trailers.get(STREAM_NAME)));
    }

    private static Optional<String> utf8(byte[] bytes) {
        return Optional.ofNullable(bytes).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** A value shown as is in an exception message (not quoted as text is). */
    record Verbatim(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Metadata.Key<String> ascii(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    private static Metadata.Key<byte[]> binary(String name) {
        return Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
    }
}
