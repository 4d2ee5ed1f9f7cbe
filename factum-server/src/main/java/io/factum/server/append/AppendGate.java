package io.factum.server.append;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one way into the store's append path for every transport. It owns the rules an append meets
 * before the store sees it and what is counted after:
 *
 * <ul>
 *   <li>sizes, checked as a call's events arrive through an {@link AppendBudget};
 *   <li>access: write access to every stream appended to, and for a conditional append also read
 *       access to {@code $all}, because the condition's query spans streams and its failure names
 *       the position of a matching event in any of them;
 *   <li>the store call itself: {@link EventStore#append} for one stream without a condition (every
 *       backend has it), {@link EventStore#appendMulti} otherwise;
 *   <li>the metrics: every acknowledged append in {@code factum_appends_total} and every refusal in
 *       {@code factum_append_failures_total}, by transport and API.
 * </ul>
 *
 * <p>The result is an {@link AppendOutcome}; each transport writes it in its own wire form. Errors a
 * transport finds in its own protocol before it calls {@link #append} (a malformed message, a size
 * limit) are reported with {@link #refused} so that they are counted too. Thread-safe.
 */
public final class AppendGate {

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;

    public AppendGate(EventStore store, AccessPolicy policy, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
    }

    public StoreLimits limits() {
        return store.limits();
    }

    /** A new size budget for one call. */
    public AppendBudget budget() {
        return new AppendBudget(store.limits());
    }

    /**
     * The same write check {@link #append} makes, for a transport that learns the stream before its
     * events and would rather not receive them for nothing.
     *
     * @throws io.factum.api.AccessDeniedException when {@code who} may not write {@code stream}
     */
    public void checkWrite(Principal who, String stream) {
        policy.checkStream(who, StreamAccess.WRITE, stream);
    }

    /**
     * Checks access, appends atomically and counts the outcome. Never throws for a refused append:
     * the refusal is the outcome.
     *
     * @param parts one per stream, each stream at most once; at least one
     */
    public AppendOutcome append(
            AppendRoute route, Principal who, List<StreamAppend> parts, Optional<AppendCondition> condition) {
        try {
            checkShape(parts);
            for (StreamAppend part : parts) {
                policy.checkStream(who, StreamAccess.WRITE, part.stream());
            }
            if (condition.isPresent()) {
                policy.checkReadAll(who);
            }
            List<AppendResult> results = store(parts, condition);
            count(route, parts, results);
            return new AppendOutcome.Appended(results);
        } catch (RuntimeException e) {
            metrics.appendFailed(route, ServerMetrics.reason(e));
            return new AppendOutcome.Refused(e);
        }
    }

    /**
     * Counts an append the transport refused before calling {@link #append}.
     *
     * @param reason the failure label, as {@link ServerMetrics#reason} names store errors
     */
    public void refused(AppendRoute route, String reason) {
        metrics.appendFailed(route, reason);
    }

    /** Counts an append the transport refused before calling {@link #append}, by its error. */
    public void refused(AppendRoute route, Throwable error) {
        metrics.appendFailed(route, ServerMetrics.reason(error));
    }

    private List<AppendResult> store(List<StreamAppend> parts, Optional<AppendCondition> condition) {
        if (parts.size() == 1 && condition.isEmpty()) {
            StreamAppend only = parts.getFirst();
            return List.of(store.append(only.stream(), only.expected(), only.events()));
        }
        return store.appendMulti(parts, condition);
    }

    private static void checkShape(List<StreamAppend> parts) {
        if (parts.isEmpty()) {
            throw new InvalidInputException("appends", "[]", "an append needs at least one stream");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            Integer earlier = seen.putIfAbsent(parts.get(i).stream(), i);
            if (earlier != null) {
                throw new InvalidInputException(
                        "appends[" + i + "].stream",
                        parts.get(i).stream(),
                        "appears twice in one append (first as appends[" + earlier + "]); a stream may appear once");
            }
        }
    }

    private void count(AppendRoute route, List<StreamAppend> parts, List<AppendResult> results) {
        int events = 0;
        long bytes = 0;
        boolean written = false;
        for (int i = 0; i < parts.size(); i++) {
            if (results.get(i).written()) {
                written = true;
                for (EventData event : parts.get(i).events()) {
                    events++;
                    bytes += event.sizeBytes();
                }
            }
        }
        if (written) {
            metrics.appended(route, events, bytes);
        }
    }
}
