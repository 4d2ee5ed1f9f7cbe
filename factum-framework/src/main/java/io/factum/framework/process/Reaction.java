package io.factum.framework.process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a process does in reply to an event, a deadline or a refused command: its new state, the
 * commands to send, the deadlines to schedule and cancel, and whether it is finished. Immutable;
 * each method returns a new reaction. Start one with {@link ProcessManager#reaction(Object)}.
 */
public record Reaction<S, C>(S state, List<C> commands, List<Deadline> schedule, Set<String> cancel, boolean done) {
    public Reaction {
        Objects.requireNonNull(state, "state");
        commands = List.copyOf(commands);
        schedule = List.copyOf(schedule);
        cancel = Set.copyOf(cancel);
    }

    static <S, C> Reaction<S, C> of(S state) {
        return new Reaction<>(state, List.of(), List.of(), Set.of(), false);
    }

    @SafeVarargs
    public final Reaction<S, C> send(C... more) {
        List<C> all = new ArrayList<>(commands);
        all.addAll(List.of(more));
        return new Reaction<>(state, all, schedule, cancel, done);
    }

    public Reaction<S, C> schedule(Deadline deadline) {
        List<Deadline> all = new ArrayList<>(schedule);
        all.add(deadline);
        return new Reaction<>(state, commands, all, cancel, done);
    }

    public Reaction<S, C> cancel(String deadlineId) {
        Set<String> all = new LinkedHashSet<>(cancel);
        all.add(deadlineId);
        return new Reaction<>(state, commands, schedule, all, done);
    }

    /** The process is finished: later events for it are ignored, its deadlines cancelled. */
    public Reaction<S, C> finish() {
        return new Reaction<>(state, commands, schedule, cancel, true);
    }
}
