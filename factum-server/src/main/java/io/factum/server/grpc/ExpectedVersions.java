package io.factum.server.grpc;

import io.factum.api.ExpectedVersion;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.TombstoneReq;

/** The protocol's several encodings of an expected version, in and out. */
final class ExpectedVersions {

    private ExpectedVersions() {}

    static ExpectedVersion of(AppendReq.Options options) {
        return switch (options.getExpectedStreamRevisionCase()) {
            case REVISION -> ProtoCodec.exact(options.getRevision(), "options.revision");
            case NO_STREAM -> ExpectedVersion.noStream();
            case ANY -> ExpectedVersion.any();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXPECTEDSTREAMREVISION_NOT_SET -> throw missing();
        };
    }

    static ExpectedVersion of(DeleteReq.Options options) {
        return switch (options.getExpectedStreamRevisionCase()) {
            case REVISION -> ProtoCodec.exact(options.getRevision(), "options.revision");
            case NO_STREAM -> ExpectedVersion.noStream();
            case ANY -> ExpectedVersion.any();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXPECTEDSTREAMREVISION_NOT_SET -> throw missing();
        };
    }

    static ExpectedVersion of(TombstoneReq.Options options) {
        return switch (options.getExpectedStreamRevisionCase()) {
            case REVISION -> ProtoCodec.exact(options.getRevision(), "options.revision");
            case NO_STREAM -> ExpectedVersion.noStream();
            case ANY -> ExpectedVersion.any();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXPECTEDSTREAMREVISION_NOT_SET -> throw missing();
        };
    }

    /** Both the current form and the form of servers before 20.6.1, as KurrentDB sends them. */
    static AppendResp.WrongExpectedVersion wrongExpectedVersion(WrongExpectedVersionException error) {
        var out = AppendResp.WrongExpectedVersion.newBuilder();
        Empty empty = Empty.getDefaultInstance();
        long actual = error.actualVersion();
        if (actual < 0) {
            out.setCurrentNoStream(empty).setNoStream2060(empty);
        } else {
            out.setCurrentRevision(actual).setCurrentRevision2060(actual);
        }
        switch (error.expected()) {
            case ExpectedVersion.Any a -> out.setExpectedAny(empty).setAny2060(empty);
            case ExpectedVersion.NoStream n -> out.setExpectedNoStream(empty);
            case ExpectedVersion.StreamExists s ->
                out.setExpectedStreamExists(empty).setStreamExists2060(empty);
            case ExpectedVersion.Exact e -> out.setExpectedRevision(e.version()).setExpectedRevision2060(e.version());
        }
        return out.build();
    }

    private static RuntimeException missing() {
        return GrpcErrors.invalidArgument(
                "options.expected_stream_revision is required (revision, no_stream, any or" + " stream_exists)");
    }
}
