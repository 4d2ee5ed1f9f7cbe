package io.factum.cli;

import io.factum.api.RecordedEvent;
import java.io.PrintWriter;

/** One JSON object per event and line (see {@link Payloads#toJson}). Not thread-safe. */
final class EventJsonLines implements EventOutput {
    private final PrintWriter out;

    EventJsonLines(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void event(RecordedEvent event) {
        out.println(Json.compact(Payloads.toJson(event)));
        out.flush();
    }

    @Override
    public void finish() {
        out.flush();
    }
}
