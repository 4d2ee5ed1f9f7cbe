package io.factum.engine.internal.store;

import io.factum.api.AppendResult;
import io.factum.api.FactumException;
import io.factum.api.RecordedEvent;
import java.util.List;

/** What the decider made of a command. */
public sealed interface Decision {

    /** Write these records (one frame); answer with these results once durable. */
    record Write(List<RecordedEvent> records, List<AppendResult> results) implements Decision {
        public Write {
            records = List.copyOf(records);
            results = List.copyOf(results);
        }
    }

    /** Nothing to write (idempotent retry, empty append); answer with these results. */
    record NoWrite(List<AppendResult> results) implements Decision {
        public NoWrite {
            results = List.copyOf(results);
        }
    }

    /** The command fails; nothing is written. */
    record Rejected(FactumException error) implements Decision {}
}
