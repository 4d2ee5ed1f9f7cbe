package io.factum.server.append;

import io.factum.api.AppendResult;
import java.util.List;

/** What became of an append, before any transport writes it in its wire form. */
public sealed interface AppendOutcome {

    /**
     * The store acknowledged the append.
     *
     * @param results one per stream part, in request order
     */
    record Appended(List<AppendResult> results) implements AppendOutcome {
        public Appended {
            results = List.copyOf(results);
        }

        /** Whether anything was stored (false for an idempotent retry or an empty append). */
        public boolean written() {
            return results.stream().anyMatch(AppendResult::written);
        }
    }

    /**
     * The append was refused and nothing was stored: by the access policy ({@code
     * AccessDeniedException}), by the store's rules ({@code WrongExpectedVersionException}, {@code
     * StreamDeletedException}, {@code AppendConditionFailedException}, {@code
     * InvalidInputException}), or because the store is closed or failed.
     */
    record Refused(RuntimeException error) implements AppendOutcome {}
}
