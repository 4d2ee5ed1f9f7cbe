package io.factum.framework;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The registry of a family of events: which class each stored type name stands for, at which
 * schema version the code writes it, how older versions and old names are lifted to the current
 * ones, and optionally the JSON Schema each type and version must match. {@link Builder#build()}
 * checks that every version it knows of has a path to a current one, so a missing upcaster fails
 * the service at start-up rather than on the first old event it reads.
 *
 * @param <E> the events' common type, usually a sealed interface
 */
public final class EventTypes<E> {
    private final Class<E> root;
    private final Map<Class<?>, TypeVersion> byClass;
    private final Map<String, Class<? extends E>> classes;
    private final Map<String, Integer> current;
    private final Map<TypeVersion, Upcaster> steps;
    private final Map<String, String> renames;
    private final Map<TypeVersion, String> schemas;

    private EventTypes(Builder<E> b) {
        this.root = b.root;
        this.byClass = Map.copyOf(b.byClass);
        this.classes = Map.copyOf(b.classes);
        this.current = Map.copyOf(b.current);
        this.steps = Map.copyOf(b.steps);
        this.renames = Map.copyOf(b.renames);
        this.schemas = Map.copyOf(b.schemas);
    }

    /** A registry for events of type {@code root}. */
    public static <E> Builder<E> of(Class<E> root) {
        return new Builder<>(root);
    }

    public Class<E> root() {
        return root;
    }

    /**
     * The stored type and current schema version of an event class.
     *
     * @throws IllegalArgumentException when the class is not registered
     */
    public TypeVersion typeVersionOf(Class<?> eventClass) {
        TypeVersion tv = byClass.get(eventClass);
        if (tv == null) {
            throw new IllegalArgumentException("event class " + eventClass.getName() + " is not registered in the "
                    + root.getSimpleName() + " event types");
        }
        return tv;
    }

    /** The class of a current type and version, or null when {@code tv} is not current. */
    @Nullable
    Class<? extends E> classOf(TypeVersion tv) {
        Integer version = current.get(tv.type());
        return version != null && version == tv.version() ? classes.get(tv.type()) : null;
    }

    /** The JSON Schema events of {@code tv} must match, if one was given. */
    @Nullable
    String schemaOf(TypeVersion tv) {
        return schemas.get(tv);
    }

    /** Every registered class with its current type and version. */
    Map<Class<?>, TypeVersion> currentTypes() {
        return byClass;
    }

    Map<TypeVersion, String> schemas() {
        return schemas;
    }

    /**
     * Lifts a stored event to current types and versions, step by step; an event that is current
     * already comes back as it is.
     *
     * @throws IllegalArgumentException when the type is unknown, the version is newer than the
     *     code's, or an upcaster produced what it did not declare
     */
    public List<Upcasted> upcast(TypeVersion stored, ObjectNode data) {
        List<Upcasted> out = new ArrayList<>(1);
        Deque<Upcasted> work = new ArrayDeque<>();
        work.push(new Upcasted(stored, data));
        int steps = 0;
        while (!work.isEmpty()) {
            if (++steps > 10_000) {
                throw new IllegalArgumentException("upcasting " + stored + " does not end");
            }
            Upcasted next = work.pop();
            List<Upcasted> lifted = step(next);
            if (lifted == null) {
                out.add(next);
            } else {
                for (int i = lifted.size() - 1; i >= 0; i--) {
                    work.push(lifted.get(i)); // keep the split's order
                }
            }
        }
        return out;
    }

    /** One step up from {@code event}, or null when it is current. */
    private @Nullable List<Upcasted> step(Upcasted event) {
        TypeVersion tv = event.typeVersion();
        String renamed = renames.get(tv.type());
        if (renamed != null) {
            return List.of(new Upcasted(new TypeVersion(renamed, tv.version()), event.data()));
        }
        Integer version = current.get(tv.type());
        if (version != null && version == tv.version()) {
            return null;
        }
        if (version != null && tv.version() > version) {
            throw new IllegalArgumentException(
                    tv + " was written by newer code: this code knows " + tv.type() + " up to v" + version);
        }
        Upcaster upcaster = steps.get(tv);
        return switch (upcaster) {
            case null ->
                throw new IllegalArgumentException(
                        version == null ? "unknown event type " + tv.type() : "no upcaster from " + tv);
            case Upcaster.OneToOne one -> {
                ObjectNode data = Objects.requireNonNull(
                        one.change().apply(event.data().deepCopy()), "upcaster of " + tv + " returned null");
                yield List.of(new Upcasted(new TypeVersion(tv.type(), tv.version() + 1), data));
            }
            case Upcaster.OneToMany many -> {
                List<Upcasted> parts =
                        List.copyOf(many.split().apply(event.data().deepCopy()));
                for (Upcasted part : parts) {
                    if (!many.targets().contains(part.typeVersion())) {
                        throw new IllegalArgumentException("the split of " + tv + " produced " + part.typeVersion()
                                + ", which it does not declare (" + many.targets() + ")");
                    }
                }
                yield parts;
            }
        };
    }

    /** The options of a registry; {@link #build()} checks and makes it. */
    public static final class Builder<E> {
        private final Class<E> root;
        private final Map<Class<?>, TypeVersion> byClass = new LinkedHashMap<>();
        private final Map<String, Class<? extends E>> classes = new LinkedHashMap<>();
        private final Map<String, Integer> current = new LinkedHashMap<>();
        private final Map<TypeVersion, Upcaster> steps = new LinkedHashMap<>();
        private final Map<String, String> renames = new LinkedHashMap<>();
        private final Map<TypeVersion, String> schemas = new LinkedHashMap<>();

        private Builder(Class<E> root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** Registers {@code type} under its simple name, at schema version 1. */
        public Builder<E> register(Class<? extends E> type) {
            return register(type, type.getSimpleName(), 1);
        }

        /** Registers {@code type} as the stored type {@code name}, written at {@code version}. */
        public Builder<E> register(Class<? extends E> type, String name, int version) {
            TypeVersion tv = new TypeVersion(name, version);
            if (!root.isAssignableFrom(type)) {
                throw new IllegalArgumentException(type.getName() + " is not a " + root.getName());
            }
            if (byClass.containsKey(type)) {
                throw new IllegalArgumentException(type.getName() + " is registered already, as " + byClass.get(type));
            }
            if (classes.containsKey(name)) {
                throw new IllegalArgumentException("type name " + name + " is taken by "
                        + classes.get(name).getName());
            }
            byClass.put(type, tv);
            classes.put(name, type);
            current.put(name, version);
            return this;
        }

        /**
         * Registers every record (or other concrete class) the sealed root permits, directly or
         * through sealed sub-interfaces, under its simple name at version 1, unless registered
         * already.
         */
        public Builder<E> registerPermitted() {
            if (!root.isSealed()) {
                throw new IllegalArgumentException(root.getName() + " is not sealed: register its events one by one");
            }
            registerPermittedOf(root);
            return this;
        }

        @SuppressWarnings("unchecked")
        private void registerPermittedOf(Class<?> sealed) {
            for (Class<?> sub : sealed.getPermittedSubclasses()) {
                if (sub.isSealed()) {
                    registerPermittedOf(sub);
                } else if (!byClass.containsKey(sub)) {
                    register((Class<? extends E>) sub);
                }
            }
        }

        /** Lifts {@code type} at {@code fromVersion} to {@code fromVersion + 1}, one event to one. */
        public Builder<E> upcast(String type, int fromVersion, UnaryOperator<ObjectNode> change) {
            return step(new Upcaster.OneToOne(new TypeVersion(type, fromVersion), change));
        }

        /**
         * Lifts {@code type} at {@code fromVersion} into several events, each of one of {@code
         * into} (declared, so that {@link #build()} can check where they lead).
         */
        public Builder<E> split(
                String type, int fromVersion, Set<TypeVersion> into, Function<ObjectNode, List<Upcasted>> split) {
            return step(new Upcaster.OneToMany(new TypeVersion(type, fromVersion), into, split));
        }

        private Builder<E> step(Upcaster upcaster) {
            TypeVersion from =
                    upcaster instanceof Upcaster.OneToOne one ? one.from() : ((Upcaster.OneToMany) upcaster).from();
            if (steps.putIfAbsent(from, upcaster) != null) {
                throw new IllegalArgumentException("an upcaster from " + from + " is registered already");
            }
            return this;
        }

        /** Stored events of type {@code oldName}, at any version, are read as {@code newName}. */
        public Builder<E> rename(String oldName, String newName) {
            new TypeVersion(oldName, 1);
            new TypeVersion(newName, 1);
            if (renames.putIfAbsent(oldName, newName) != null) {
                throw new IllegalArgumentException(oldName + " is renamed already, to " + renames.get(oldName));
            }
            return this;
        }

        /**
         * The JSON Schema (any draft; 2020-12 when it names none) that events of {@code type} at
         * {@code version} must match: the framework refuses to append one that does not.
         */
        public Builder<E> schema(String type, int version, String jsonSchema) {
            schemas.put(new TypeVersion(type, version), Objects.requireNonNull(jsonSchema, "jsonSchema"));
            return this;
        }

        /**
         * Checks and makes the registry.
         *
         * @throws IllegalStateException naming every version without a path to a current one,
         *     every rename that conflicts, every cycle
         */
        public EventTypes<E> build() {
            List<String> problems = new ArrayList<>();
            renames.forEach((from, to) -> {
                if (current.containsKey(from)) {
                    problems.add(from + " is renamed to " + to + " but is also a registered type");
                }
            });
            Set<TypeVersion> known = new HashSet<>(steps.keySet());
            steps.values().forEach(step -> known.addAll(step.targets()));
            current.forEach((type, version) -> {
                for (int v = 1; v < version; v++) {
                    known.add(new TypeVersion(type, v));
                }
            });
            renames.values().forEach(to -> known.add(new TypeVersion(to, 1)));
            schemas.keySet().forEach(known::add);
            known.stream()
                    .sorted((a, b) -> a.toString().compareTo(b.toString()))
                    .forEach(tv -> checkPath(tv, new HashSet<>(), problems));
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the " + root.getSimpleName() + " event types do not check:\n  "
                        + String.join("\n  ", problems));
            }
            return new EventTypes<>(this);
        }

        private void checkPath(TypeVersion tv, Set<TypeVersion> seen, List<String> problems) {
            if (!seen.add(tv)) {
                problems.add("upcasting " + tv + " goes round in a circle");
                return;
            }
            String renamed = renames.get(tv.type());
            Integer version = current.get(tv.type());
            if (renamed != null) {
                checkPath(new TypeVersion(renamed, tv.version()), seen, problems);
            } else if (version != null && version == tv.version()) {
                return;
            } else if (version != null && tv.version() > version) {
                problems.add(tv + " is newer than the registered " + tv.type() + " v" + version);
            } else if (!steps.containsKey(tv)) {
                problems.add(
                        version == null
                                ? tv + " leads to no registered type"
                                : tv + " has no upcaster to v" + (tv.version() + 1));
            } else {
                for (TypeVersion next : steps.get(tv).targets()) {
                    checkPath(next, new HashSet<>(seen), problems);
                }
            }
        }
    }
}
