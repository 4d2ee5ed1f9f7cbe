package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.QueryReadResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked examples of docs/dcb.md, run against the engine: the code there is this code. Each
 * rule spans entities (no single stream holds it), is decided from a query read, and is made safe
 * by the append condition; each is raced by concurrent deciders.
 */
class DcbExamplesTest {

    @TempDir
    Path dir;

    EmbeddedEventStore store;

    @BeforeEach
    void open() throws Exception {
        store = EmbeddedEventStore.open(EngineOptions.defaults(dir));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    /** Thrown when a decision's rule refuses the command. */
    static final class RuleViolated extends RuntimeException {
        RuleViolated(String message) {
            super(message);
        }
    }

    // ---- unique usernames (docs/dcb.md) ----

    /** Registers a user under a username no current user holds; a released name can be taken again. */
    static void register(EventStore store, String userId, String username) {
        Query claims = Query.of(List.of("UserRegistered", "UsernameReleased"), List.of("username:" + username));
        QueryReadResult read = store.readByQuery(claims, 0, Direction.FORWARDS, 1000);
        boolean taken =
                !read.events().isEmpty() && read.events().getLast().type().equals("UserRegistered");
        if (taken) {
            throw new RuleViolated("username " + username + " is taken");
        }
        EventData registered = EventData.json(
                        "UserRegistered", "{\"user\":\"" + userId + "\",\"username\":\"" + username + "\"}")
                .withTags("username:" + username, "user:" + userId);
        store.appendMulti(
                List.of(new StreamAppend("user-" + userId, ExpectedVersion.noStream(), List.of(registered))),
                Optional.of(AppendCondition.noneMatchingAfter(claims, read.headPosition())));
    }

    @Test
    void aUsernameIsTakenOnceUntilReleased() {
        register(store, "u1", "ada");
        assertThatThrownBy(() -> register(store, "u2", "ada")).isInstanceOf(RuleViolated.class);

        store.append(
                "user-u1",
                ExpectedVersion.exactly(0),
                List.of(EventData.json("UsernameReleased", "{}").withTags("username:ada", "user:u1")));
        register(store, "u2", "ada");

        assertThat(store.readByQuery(Query.tagged("username:ada"), 0, Direction.FORWARDS, 10)
                        .events())
                .extracting(RecordedEvent::stream, RecordedEvent::type)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("user-u1", "UserRegistered"),
                        org.assertj.core.groups.Tuple.tuple("user-u1", "UsernameReleased"),
                        org.assertj.core.groups.Tuple.tuple("user-u2", "UserRegistered"));
    }

    @Test
    void racingRegistrationsOfOneUsernameHaveOneWinner() throws Exception {
        int racers = 8;
        List<Outcome> outcomes = race(racers, i -> () -> register(store, "racer-" + i, "grace"));

        assertThat(outcomes.stream().filter(o -> o == Outcome.WON)).hasSize(1);
        assertThat(outcomes.stream().filter(o -> o == Outcome.LOST_RACE || o == Outcome.REFUSED))
                .hasSize(racers - 1);
        assertThat(store.readByQuery(Query.tagged("username:grace"), 0, Direction.FORWARDS, 100)
                        .events())
                .hasSize(1);
    }

    // ---- course capacity (docs/dcb.md) ----

    /** Subscribes a student to a course if the course has a free place and the student takes fewer than 3 courses. */
    static void subscribe(EventStore store, String student, String course) {
        Query relevant = Query.of(
                QueryItem.types("CourseDefined", "CourseCapacityChanged", "StudentSubscribed")
                        .withTags("course:" + course),
                QueryItem.types("StudentSubscribed").withTags("student:" + student));
        QueryReadResult read = store.readByQuery(relevant, 0, Direction.FORWARDS, 1000);
        int capacity = 0;
        int taken = 0;
        int studentCourses = 0;
        for (RecordedEvent e : read.events()) {
            switch (e.type()) {
                case "CourseDefined", "CourseCapacityChanged" -> capacity = Integer.parseInt(new String(e.data()));
                case "StudentSubscribed" -> {
                    if (e.tags().contains("course:" + course)) {
                        taken++;
                    }
                    if (e.tags().contains("student:" + student)) {
                        studentCourses++;
                    }
                }
                default -> throw new IllegalStateException("unexpected " + e.type());
            }
        }
        if (taken >= capacity) {
            throw new RuleViolated("course " + course + " is full (" + capacity + " places)");
        }
        if (studentCourses >= 3) {
            throw new RuleViolated("student " + student + " already takes 3 courses");
        }
        EventData subscribed =
                EventData.json("StudentSubscribed", "{}").withTags("course:" + course, "student:" + student);
        store.appendMulti(
                List.of(new StreamAppend("student-" + student, ExpectedVersion.any(), List.of(subscribed))),
                Optional.of(AppendCondition.noneMatchingAfter(relevant, read.headPosition())));
    }

    static void defineCourse(EventStore store, String course, int capacity) {
        store.append(
                "course-" + course,
                ExpectedVersion.noStream(),
                List.of(EventData.json("CourseDefined", Integer.toString(capacity))
                        .withTags("course:" + course)));
    }

    @Test
    void aStudentTakesAtMostThreeCourses() {
        for (String c : List.of("c1", "c2", "c3", "c4")) {
            defineCourse(store, c, 10);
        }
        subscribe(store, "s1", "c1");
        subscribe(store, "s1", "c2");
        subscribe(store, "s1", "c3");

        assertThatThrownBy(() -> subscribe(store, "s1", "c4"))
                .isInstanceOf(RuleViolated.class)
                .hasMessageContaining("3 courses");
    }

    @Test
    void racingStudentsFillACourseExactlyToItsCapacity() throws Exception {
        defineCourse(store, "cs101", 5);
        int students = 12;
        List<Outcome> outcomes = race(students, i -> () -> subscribeRetrying(store, "s" + i, "cs101"));

        assertThat(outcomes.stream().filter(o -> o == Outcome.WON)).hasSize(5);
        assertThat(outcomes.stream().filter(o -> o == Outcome.REFUSED)).hasSize(students - 5);
        assertThat(store.readByQuery(
                                Query.of(List.of("StudentSubscribed"), List.of("course:cs101")),
                                0,
                                Direction.FORWARDS,
                                100)
                        .events())
                .hasSize(5);
    }

    /** A lost race only means the decision was made on old facts: decide again on new ones. */
    static void subscribeRetrying(EventStore store, String student, String course) {
        while (true) {
            try {
                subscribe(store, student, course);
                return;
            } catch (AppendConditionFailedException e) {
                // Someone subscribed in between: read again and re-decide.
            }
        }
    }

    // ---- racing ----

    enum Outcome {
        WON,
        LOST_RACE,
        REFUSED
    }

    interface Decision {
        void run();
    }

    private static List<Outcome> race(int n, java.util.function.IntFunction<Decision> decisions) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Decision d = decisions.apply(i);
                Callable<Outcome> task = () -> {
                    start.await();
                    try {
                        d.run();
                        return Outcome.WON;
                    } catch (AppendConditionFailedException e) {
                        return Outcome.LOST_RACE;
                    } catch (RuleViolated e) {
                        return Outcome.REFUSED;
                    }
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
