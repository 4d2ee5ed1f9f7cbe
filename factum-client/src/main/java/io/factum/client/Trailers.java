package io.factum.client;

import io.factum.protocol.FactumWire;
import io.grpc.Metadata;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Factum's trailers on successful calls (see {@code FactumWire}); absent from other servers. */
final class Trailers {

    static final Metadata.Key<String> WRITTEN = key(FactumWire.WRITTEN);
    static final Metadata.Key<String> NEXT_POSITION = key(FactumWire.NEXT_POSITION);
    static final Metadata.Key<String> END_OF_ALL = key(FactumWire.END_OF_ALL);

    private Trailers() {}

    /** Whether each stream's events were written; empty when the server did not say. */
    static Optional<List<Boolean>> written(Metadata trailers, int parts) {
        String text = trailers.get(WRITTEN);
        if (text == null) {
            return Optional.empty();
        }
        List<Boolean> values = Arrays.stream(text.split(",", -1))
                .map(String::strip)
                .map(Boolean::parseBoolean)
                .toList();
        if (values.size() != parts) {
            throw WireCodec.protocol(FactumWire.WRITTEN + " '" + text + "' for " + parts + " streams");
        }
        return Optional.of(values);
    }

    static OptionalLong nextPosition(Metadata trailers) {
        String text = trailers.get(NEXT_POSITION);
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw WireCodec.protocol(FactumWire.NEXT_POSITION + " '" + text + "'");
        }
    }

    static Optional<Boolean> endOfAll(Metadata trailers) {
        return Optional.ofNullable(trailers.get(END_OF_ALL)).map(Boolean::parseBoolean);
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
