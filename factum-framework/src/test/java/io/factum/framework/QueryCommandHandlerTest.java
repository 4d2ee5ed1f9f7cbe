package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.framework.Course.Enroll;
import io.factum.framework.Course.Enrolled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The DCB handler against the in-memory reference store and the embedded engine. */
class QueryCommandHandlerTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    abstract static class Cases extends OnEachStore {

        QueryCommandHandler<Enroll, Course.State, Enrolled> handler(
                Decider<Enroll, Course.State, Enrolled> decider, RetryPolicy retry) {
            return QueryCommandHandler.builder(store, decider, new Course.Codec(), Course::query)
                    .streamOf(Course::stream)
                    .tagsOf(Course::tags)
                    .retry(retry)
                    .random(() -> new SplittableRandom(1))
                    .pause(pauses::add)
                    .build();
        }

        QueryCommandHandler<Enroll, Course.State, Enrolled> handler(int seats) {
            return handler(new Course.Decide(seats), RetryPolicy.DEFAULT);
        }

        List<RecordedEvent> enrolled(String course) {
            return store.readByQuery(Query.tagged("course:" + course), 0, Direction.FORWARDS, 1000)
                    .events();
        }

        @Test
        void aDecisionReadsItsQueryAndItsEventsAreStoredInTheirStreamWithTheirTags() {
            var handler = handler(2);
            CommandEnvelope<Enroll> enroll = CommandEnvelope.of(new Enroll("cs101", "ada"));

            assertThat(handler.handle(enroll))
                    .isEqualTo(new CommandResult.Applied<>(List.of(new Enrolled("cs101", "ada")), 0, 0, 1));
            RecordedEvent event = enrolled("cs101").get(0);
            assertThat(event.stream()).isEqualTo("student-ada");
            assertThat(event.tags()).containsExactly("course:cs101", "student:ada");
            assertThat(event.eventId()).isEqualTo(CommandMetadata.eventId(enroll.commandId(), 0));
            assertThat(event.metadataAsString()).contains("\"$causationId\":\"" + enroll.commandId() + "\"");
            assertThat(handler.handle(CommandEnvelope.of(new Enroll("cs101", "ada"))))
                    .isEqualTo(new CommandResult.Rejected<>(new Course.AlreadyEnrolled("ada")));
        }

        @Test
        void theRuleHoldsAcrossEntitiesWhenDecidersRaceForTheLastSeats() throws Exception {
            var handler = QueryCommandHandler.builder(store, new Course.Decide(3), new Course.Codec(), Course::query)
                    .streamOf(Course::stream)
                    .tagsOf(Course::tags)
                    .retry(new RetryPolicy(1000, Duration.ZERO, Duration.ofMillis(1)))
                    .build();
            ConcurrentLinkedQueue<CommandResult<Enrolled>> results = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                String student = "s" + t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        results.add(handler.handle(CommandEnvelope.of(new Enroll("cs101", student))));
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join(Duration.ofMinutes(1));
            }

            assertThat(errors).isEmpty();
            assertThat(results.stream().filter(r -> r instanceof CommandResult.Applied))
                    .hasSize(3);
            assertThat(results.stream()
                            .filter(r -> r instanceof CommandResult.Rejected<Enrolled> rejected
                                    && rejected.error().equals(new Course.Full("cs101", 3))))
                    .hasSize(7);
            assertThat(enrolled("cs101")).hasSize(3);
        }

        @Test
        void aMatchingWriteAfterTheReadMakesItDecideAgain() {
            AtomicInteger decisions = new AtomicInteger();
            Course.Decide plain = new Course.Decide(1);
            Decider<Enroll, Course.State, Enrolled> racing = new Decider<>() {
                @Override
                public Course.State initialState() {
                    return plain.initialState();
                }

                @Override
                public Decision<Enrolled> decide(Enroll command, Course.State state) {
                    if (decisions.incrementAndGet() == 1) {
                        handler(1).handle(CommandEnvelope.of(new Enroll(command.course(), "rival")));
                    }
                    return plain.decide(command, state);
                }

                @Override
                public Course.State evolve(Course.State state, Enrolled event) {
                    return plain.evolve(state, event);
                }
            };

            assertThat(handler(racing, RetryPolicy.DEFAULT).handle(CommandEnvelope.of(new Enroll("cs101", "ada"))))
                    .isEqualTo(new CommandResult.Rejected<>(new Course.Full("cs101", 1)));
            assertThat(decisions).hasValue(2);
            assertThat(pauses).hasSize(1);
            assertThat(enrolled("cs101")).extracting(RecordedEvent::stream).containsExactly("student-rival");
        }

        @Test
        void theSameCommandDeliveredTwiceIsStoredOnce() {
            var handler = handler(5);
            CommandEnvelope<Enroll> enroll = new CommandEnvelope<>(UUID.randomUUID(), new Enroll("cs101", "ada"), "c");
            handler.handle(enroll);
            handler.handle(CommandEnvelope.of(new Enroll("cs101", "bob")));

            assertThat(handler.handle(enroll)).isEqualTo(new CommandResult.AlreadyApplied<>(0));
            assertThat(enrolled("cs101")).hasSize(2);
        }

        @Test
        void aHandlerWithoutItsStreamOrTagsIsRefusedByName() {
            assertThatThrownBy(() -> QueryCommandHandler.builder(
                                    store, new Course.Decide(1), new Course.Codec(), Course::query)
                            .tagsOf(Course::tags)
                            .build())
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("streamOf");
            assertThatThrownBy(() -> QueryCommandHandler.builder(
                                    store, new Course.Decide(1), new Course.Codec(), Course::query)
                            .streamOf(Course::stream)
                            .build())
                    .hasMessageContaining("tagsOf");
        }
    }
}
