package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.testkit.memory.InMemoryEventStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JacksonEventCodecTest {

    /** A ledger whose events changed over time; the records are the current versions. */
    sealed interface LedgerEvent {}

    record Opened(String owner) implements LedgerEvent {}

    /** v1 {"amount":5}; v2 added the currency (EUR before); v3 counts cents. */
    record Deposited(long cents, String currency) implements LedgerEvent {}

    /** Stored as "MoneyWithdrawn" before it was renamed. */
    record Withdrawn(long cents) implements LedgerEvent {}

    static EventTypes.Builder<LedgerEvent> history() {
        return EventTypes.of(LedgerEvent.class)
                .register(Deposited.class, "Deposited", 3)
                .registerPermitted()
                .upcast("Deposited", 1, data -> data.put("currency", "EUR"))
                .upcast("Deposited", 2, data -> {
                    long amount = data.remove("amount").asLong();
                    return data.put("cents", amount * 100);
                })
                .rename("MoneyWithdrawn", "Withdrawn")
                // An early event said two things at once: opened, with a first deposit.
                .split(
                        "OpenedWithDeposit",
                        1,
                        Set.of(new TypeVersion("Opened", 1), new TypeVersion("Deposited", 2)),
                        data -> List.of(
                                Upcasted.of(
                                        "Opened",
                                        1,
                                        data.objectNode()
                                                .put("owner", data.get("owner").asText())),
                                Upcasted.of(
                                        "Deposited",
                                        2,
                                        data.objectNode()
                                                .put(
                                                        "amount",
                                                        data.get("amount").asLong())
                                                .put("currency", "EUR"))));
    }

    final JacksonEventCodec<LedgerEvent> codec = JacksonEventCodec.of(history().build());

    private List<LedgerEvent> decode(String type, int version, String json) {
        return codec.decode(type, version, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsGoOutAsJsonUnderTheirRegisteredNameAndVersionAndComeBack() {
        Deposited deposited = new Deposited(250, "USD");
        assertThat(codec.typeOf(deposited)).isEqualTo("Deposited");
        assertThat(codec.schemaVersionOf(deposited)).isEqualTo(3);
        assertThat(codec.typeOf(new Opened("ann"))).isEqualTo("Opened");
        assertThat(codec.schemaVersionOf(new Opened("ann"))).isEqualTo(1);
        assertThat(new String(codec.encode(deposited), StandardCharsets.UTF_8))
                .isEqualTo("{\"cents\":250,\"currency\":\"USD\"}");
        assertThat(decode("Deposited", 3, "{\"cents\":250,\"currency\":\"USD\",\"addedLater\":1}"))
                .as("a field this code does not know is ignored")
                .containsExactly(deposited);
    }

    @Test
    void oldVersionsAreLiftedThroughEveryStepToTheCurrentOne() {
        assertThat(decode("Deposited", 1, "{\"amount\":5}")).containsExactly(new Deposited(500, "EUR"));
        assertThat(decode("Deposited", 2, "{\"amount\":7,\"currency\":\"GBP\"}"))
                .containsExactly(new Deposited(700, "GBP"));
    }

    @Test
    void aRenamedTypeIsReadUnderItsNewName() {
        assertThat(decode("MoneyWithdrawn", 1, "{\"cents\":40}")).containsExactly(new Withdrawn(40));
    }

    @Test
    void oneOldEventCanBecomeSeveralAndEachIsLiftedFurther() {
        assertThat(decode("OpenedWithDeposit", 1, "{\"owner\":\"ann\",\"amount\":3}"))
                .containsExactly(new Opened("ann"), new Deposited(300, "EUR"));
    }

    @Test
    void eventsTheCodeCannotReadAreRefusedWithTheReason() {
        assertThatThrownBy(() -> decode("Deposited", 4, "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Deposited v4 was written by newer code")
                .hasMessageContaining("up to v3");
        assertThatThrownBy(() -> decode("Closed", 1, "{}")).hasMessageContaining("unknown event type Closed");
        assertThatThrownBy(() -> decode("Deposited", 1, "[1]"))
                .hasMessageContaining("Deposited v1 is not a JSON object");
        var openedOnly = JacksonEventCodec.of(
                EventTypes.of(LedgerEvent.class).register(Opened.class).build());
        assertThatThrownBy(() -> openedOnly.encode(new Withdrawn(1)))
                .hasMessageContaining("Withdrawn is not registered in the LedgerEvent event types");
    }

    @Test
    void buildingChecksThatEveryKnownVersionHasAPathToACurrentOne() {
        assertThatThrownBy(() -> EventTypes.of(LedgerEvent.class)
                        .register(Deposited.class, "Deposited", 3)
                        .registerPermitted()
                        .upcast("Deposited", 1, data -> data)
                        .split("Old", 1, Set.of(new TypeVersion("Gone", 1)), data -> List.of())
                        .rename("A", "B")
                        .rename("B", "A")
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Deposited v2 has no upcaster to v3")
                .hasMessageContaining("Gone v1 leads to no registered type")
                .hasMessageContaining("goes round in a circle");
        assertThatThrownBy(() -> EventTypes.of(LedgerEvent.class)
                        .registerPermitted()
                        .rename("Opened", "Withdrawn")
                        .build())
                .hasMessageContaining("Opened is renamed to Withdrawn but is also a registered type");
        assertThat(history().build().root()).isEqualTo(LedgerEvent.class);
    }

    @Test
    void anUpcasterThatProducesWhatItDidNotDeclareIsCaught() {
        EventTypes<LedgerEvent> types = EventTypes.of(LedgerEvent.class)
                .registerPermitted()
                .split(
                        "Old",
                        1,
                        Set.of(new TypeVersion("Opened", 1)),
                        data -> List.of(Upcasted.of("Withdrawn", 1, data)))
                .build();
        assertThatThrownBy(() -> types.upcast(
                        new TypeVersion("Old", 1),
                        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()))
                .hasMessageContaining("produced Withdrawn v1, which it does not declare");
    }

    @Test
    void anEventThatBreaksItsJsonSchemaIsRefusedNamingTheField() {
        var strict = JacksonEventCodec.of(history().schema("Deposited", 3, """
                        {"type": "object",
                         "required": ["cents", "currency"],
                         "properties": {"cents": {"type": "integer", "minimum": 1},
                                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
                        """).build());

        assertThat(strict.encode(new Deposited(1, "EUR"))).isNotEmpty();
        assertThatThrownBy(() -> strict.encode(new Deposited(0, "euro")))
                .isInstanceOf(EventSchemaViolationException.class)
                .hasMessageContaining("Deposited v3 does not match its schema")
                .hasMessageContaining("/cents: must have a minimum value of 1")
                .hasMessageContaining("/currency")
                .satisfies(e -> assertThat(((EventSchemaViolationException) e).violations())
                        .hasSize(2));
        assertThatThrownBy(() -> JacksonEventCodec.of(
                        history().schema("Opened", 1, "{not json").build()))
                .hasMessageContaining("the JSON Schema of Opened v1 does not parse");
    }

    /** The ledger's decider: the balance in cents, by currency ignored. */
    static final class Ledger implements Decider<Long, Long, LedgerEvent> {
        @Override
        public Long initialState() {
            return 0L;
        }

        @Override
        public Decision<LedgerEvent> decide(Long cents, Long balance) {
            return Decision.accept(new Deposited(cents, "EUR"));
        }

        @Override
        public Long evolve(Long balance, LedgerEvent event) {
            return switch (event) {
                case Deposited d -> balance + d.cents();
                case Withdrawn w -> balance - w.cents();
                case Opened o -> balance;
            };
        }
    }

    /** A store whose ledger-1 starts with an OpenedWithDeposit of 3, then holds {@code more}. */
    private static InMemoryEventStore oldLedger(EventData... more) {
        var store = new InMemoryEventStore();
        List<EventData> events = new java.util.ArrayList<>();
        events.add(EventData.json(UUID.randomUUID(), "OpenedWithDeposit", "{\"owner\":\"ann\",\"amount\":3}", "{}"));
        events.addAll(List.of(more));
        store.append("ledger-1", ExpectedVersion.noStream(), events);
        return store;
    }

    @Test
    void theHandlerStoresTheSchemaVersionAndFoldsOldEventsLifted() {
        var store = oldLedger(
                EventData.json(UUID.randomUUID(), "MoneyWithdrawn", "{\"cents\":50}", "{}"),
                EventData.json(UUID.randomUUID(), "Deposited", "{\"amount\":1}", "{\"$schemaVersion\":1}"));
        var strict = JacksonEventCodec.of(history()
                .schema("Deposited", 3, "{\"properties\": {\"cents\": {\"minimum\": 1}}}")
                .build());
        var handler = StreamCommandHandler.builder(store, new Ledger(), strict, cents -> "ledger-1")
                .build();

        assertThat(handler.load("ledger-1")).isEqualTo(new EntityState<>(350L, 2));
        handler.handle(CommandEnvelope.of(25L));
        RecordedEvent stored = ((ReadStreamResult.Found) store.readStream("ledger-1", 3, Direction.FORWARDS, 1))
                .events()
                .getFirst();
        assertThat(stored.metadataAsString()).contains("\"$schemaVersion\":3");
        assertThat(handler.load("ledger-1")).isEqualTo(new EntityState<>(375L, 3));

        assertThatThrownBy(() -> handler.handle(CommandEnvelope.of(0L)))
                .isInstanceOf(EventSchemaViolationException.class)
                .hasMessageContaining("/cents: must have a minimum value of 1");
        assertThat(handler.load("ledger-1").version()).as("nothing stored").isEqualTo(3);
    }

    @Test
    void aMigrationWithTheUpcastingTransformWritesCurrentVersionsOnly() {
        var store = oldLedger(
                EventData.json(UUID.randomUUID(), "Deposited", "{\"amount\":1}", "{\"$correlationId\":\"x\"}"));
        var transform =
                new UpcastingTransform<>(codec, s -> s.startsWith("ledger-") ? "ledger2-" + s.substring(7) : null);

        var report = io.factum.framework.migration.Migration.builder(store, "bake", transform)
                .build()
                .run();

        assertThat(report.written()).isEqualTo(3);
        List<RecordedEvent> copied =
                ((ReadStreamResult.Found) store.readStream("ledger2-1", 0, Direction.FORWARDS, 10)).events();
        assertThat(copied).extracting(RecordedEvent::type).containsExactly("Opened", "Deposited", "Deposited");
        assertThat(copied.get(2).dataAsString()).isEqualTo("{\"cents\":100,\"currency\":\"EUR\"}");
        assertThat(copied.get(2).metadataAsString()).contains("\"$correlationId\":\"x\"", "\"$schemaVersion\":3");
        assertThat(copied.get(0).metadataAsString()).doesNotContain("$schemaVersion");
        var handler = StreamCommandHandler.builder(store, new Ledger(), codec, cents -> "ledger2-1")
                .build();
        assertThat(handler.load("ledger2-1")).isEqualTo(new EntityState<>(400L, 2));
    }
}
