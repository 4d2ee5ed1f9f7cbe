package io.factum.framework;

import io.factum.api.Query;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A course with a fixed number of seats: a rule over all of a course's enrollments (DCB). */
final class Course {
    private Course() {}

    record Enroll(String course, String student) {}

    record Enrolled(String course, String student) {}

    record State(Set<String> students) {}

    record Full(String course, int seats) implements DomainError {
        @Override
        public String message() {
            return "course " + course + " has all " + seats + " seats taken";
        }
    }

    record AlreadyEnrolled(String student) implements DomainError {
        @Override
        public String message() {
            return student + " is enrolled already";
        }
    }

    record Decide(int seats) implements Decider<Enroll, State, Enrolled> {
        @Override
        public State initialState() {
            return new State(Set.of());
        }

        @Override
        public Decision<Enrolled> decide(Enroll command, State state) {
            if (state.students().contains(command.student())) {
                return Decision.reject(new AlreadyEnrolled(command.student()));
            }
            return state.students().size() >= seats
                    ? Decision.reject(new Full(command.course(), seats))
                    : Decision.accept(new Enrolled(command.course(), command.student()));
        }

        @Override
        public State evolve(State state, Enrolled event) {
            Set<String> students = new HashSet<>(state.students());
            students.add(event.student());
            return new State(Set.copyOf(students));
        }
    }

    /** Data: "course/student". */
    static final class Codec implements EventCodec<Enrolled> {
        @Override
        public String typeOf(Enrolled event) {
            return "Enrolled";
        }

        @Override
        public byte[] encode(Enrolled event) {
            return (event.course() + "/" + event.student()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Enrolled decode(String type, byte[] data) {
            String[] parts = new String(data, StandardCharsets.UTF_8).split("/", 2);
            if (!type.equals("Enrolled") || parts.length != 2) {
                throw new IllegalArgumentException("not an enrollment: " + type);
            }
            return new Enrolled(parts[0], parts[1]);
        }

        @Override
        public boolean isJson() {
            return false;
        }
    }

    static Query query(Enroll command) {
        return Query.tagged("course:" + command.course());
    }

    static String stream(Enroll command) {
        return "student-" + command.student();
    }

    static List<String> tags(Enrolled event) {
        return List.of("course:" + event.course(), "student:" + event.student());
    }
}
