package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.framework.process.ProcessManagerRunner;
import io.factum.framework.tools.CausalTrace;
import io.factum.framework.tools.Replay;
import io.factum.testkit.memory.InMemoryEventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The causal trace of a correlation id and the replay of an entity. */
class ToolsTest {
    final InMemoryEventStore store = new InMemoryEventStore();

    @AfterEach
    void close() {
        store.close();
    }

    StreamCommandHandler<Account.Command, Account.State, Account.Event> accounts() {
        return StreamCommandHandler.builder(store, new Account.Decide(), new Account.Codec(), Account::stream)
                .build();
    }

    @Test
    void aTransferTracesFromItsRequestThroughTheProcessesCommandsToTheirEvents() throws Exception {
        accounts().handle(CommandEnvelope.of(new Account.Open("a")));
        accounts().handle(CommandEnvelope.of(new Account.Deposit("a", 100)));
        accounts().handle(CommandEnvelope.of(new Account.Open("b")));
        var handler = accounts();
        try (var runner = ProcessManagerRunner.builder(
                        store,
                        "transfer",
                        new Transfers.Process(),
                        new Transfers.EventsCodec(),
                        JsonSnapshotCodec.of(Transfers.State.class, 1),
                        Transfers.commandCodec(),
                        handler::handle)
                .filter(EventFilter.eventTypeRegex("^(TransferRequested|Withdrawn|Deposited)$"))
                .build()
                .start()) {
            store.append(
                    "transfer-t1",
                    ExpectedVersion.noStream(),
                    List.of(EventData.json(
                            UUID.randomUUID(),
                            "TransferRequested",
                            "{\"transferId\":\"t1\",\"from\":\"a\",\"to\":\"b\",\"amount\":30}",
                            "{\"$correlationId\":\"t1\"}")));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!runner.process("t1").map(v -> v.done()).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        CausalTrace.Result trace = CausalTrace.of(store, "t1", p -> {});

        assertThat(trace.roots()).hasSize(1);
        CausalTrace.EventNode request = (CausalTrace.EventNode) trace.roots().getFirst();
        assertThat(request.event().type()).isEqualTo("TransferRequested");
        CausalTrace.CommandNode debit =
                (CausalTrace.CommandNode) request.children().getFirst();
        assertThat(debit.sentBy()).isEqualTo("process-transfer-t1");
        CausalTrace.EventNode withdrawn =
                (CausalTrace.EventNode) debit.children().getFirst();
        assertThat(withdrawn.event().type()).isEqualTo("Withdrawn");
        assertThat(withdrawn.event().stream()).isEqualTo("account-a");
        assertThat(withdrawn.gap()).isNotNull();
        assertThat(withdrawn.gap().isNegative()).isFalse();
        CausalTrace.CommandNode credit =
                (CausalTrace.CommandNode) withdrawn.children().getFirst();
        CausalTrace.EventNode deposited =
                (CausalTrace.EventNode) credit.children().getFirst();
        assertThat(deposited.event().stream()).isEqualTo("account-b");
        assertThat(deposited.children()).isEmpty();
        assertThat(CausalTrace.of(store, "nobody", p -> {}).events()).isEmpty();
    }

    @Test
    void replayShowsTheStateAfterEachEventUpToAVersion() {
        var handler = accounts();
        handler.handle(CommandEnvelope.of(new Account.Open("r")));
        handler.handle(CommandEnvelope.of(new Account.Deposit("r", 10)));
        handler.handle(CommandEnvelope.of(new Account.Withdraw("r", 4)));
        List<Replay.Step<Account.State>> steps = new ArrayList<>();

        long all = Replay.replay(
                store, "account-r", new Account.Decide(), new Account.Codec(), Replay.Until.end(), steps::add);
        long two = Replay.replay(
                store, "account-r", new Account.Decide(), new Account.Codec(), new Replay.Until(1, null), s -> {});

        assertThat(all).isEqualTo(3);
        assertThat(two).isEqualTo(2);
        assertThat(steps)
                .extracting(Replay.Step::state)
                .containsExactly(new Account.State(true, 0), new Account.State(true, 10), new Account.State(true, 6));
        store.append("account-r", ExpectedVersion.any(), List.of(EventData.json("Deposited", "not json")));
        assertThatThrownBy(() -> Replay.replay(
                        store, "account-r", new Account.Decide(), new Account.Codec(), Replay.Until.end(), s -> {}))
                .hasMessageContaining("event 3 of account-r (type Deposited) does not decode");
    }
}
