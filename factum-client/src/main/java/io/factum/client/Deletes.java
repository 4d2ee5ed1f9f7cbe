package io.factum.client;

import io.factum.api.ExpectedVersion;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.TombstoneReq;

/** The options of Delete and Tombstone, whose messages differ only in their type. */
final class Deletes {

    private static final Empty EMPTY = Empty.getDefaultInstance();

    private Deletes() {}

    static DeleteReq.Options deleteOptions(String stream, ExpectedVersion expected) {
        var options = DeleteReq.Options.newBuilder().setStreamIdentifier(WireCodec.stream(stream));
        switch (expected) {
            case ExpectedVersion.Any a -> options.setAny(EMPTY);
            case ExpectedVersion.NoStream n -> options.setNoStream(EMPTY);
            case ExpectedVersion.StreamExists s -> options.setStreamExists(EMPTY);
            case ExpectedVersion.Exact e -> options.setRevision(e.version());
        }
        return options.build();
    }

    static TombstoneReq.Options tombstoneOptions(String stream, ExpectedVersion expected) {
        var options = TombstoneReq.Options.newBuilder().setStreamIdentifier(WireCodec.stream(stream));
        switch (expected) {
            case ExpectedVersion.Any a -> options.setAny(EMPTY);
            case ExpectedVersion.NoStream n -> options.setNoStream(EMPTY);
            case ExpectedVersion.StreamExists s -> options.setStreamExists(EMPTY);
            case ExpectedVersion.Exact e -> options.setRevision(e.version());
        }
        return options.build();
    }
}
