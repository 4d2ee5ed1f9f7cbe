package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.framework.Decider;
import io.factum.framework.Decision;
import io.factum.framework.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code factum trace} and {@code factum replay} on an embedded data directory. */
class TraceAndReplayTest extends EmbeddedCliCase {
    private static EventData event(UUID id, String type, String metadata) {
        return EventData.json(id, type, "{}", metadata);
    }

    @Test
    void traceShowsTheTreeOfCausesAcrossStreamsAndProcesses() throws IOException {
        UUID placed = UUID.randomUUID();
        UUID taken = UUID.randomUUID();
        String command = UUID.randomUUID().toString();
        withStore(store -> {
            store.append(
                    "order-1",
                    ExpectedVersion.any(),
                    List.of(event(placed, "OrderPlaced", "{\"$correlationId\":\"c-1\"}")));
            store.append(
                    "other-1",
                    ExpectedVersion.any(),
                    List.of(event(UUID.randomUUID(), "Noise", "{\"$correlationId\":\"c-2\"}")));
            store.append(
                    "process-order-c-1",
                    ExpectedVersion.any(),
                    List.of(EventData.json(
                            UUID.randomUUID(),
                            "$step",
                            "{\"input\":\"event:" + placed + "\",\"commands\":[{\"id\":\"" + command
                                    + "\",\"type\":\"TakePayment\"}]}",
                            "{\"$correlationId\":\"c-1\"}")));
            store.append(
                    "payment-1",
                    ExpectedVersion.any(),
                    List.of(event(
                            taken,
                            "PaymentTaken",
                            "{\"$correlationId\":\"c-1\",\"$causationId\":\"" + command + "\"}")));
            store.append(
                    "mail-1",
                    ExpectedVersion.any(),
                    List.of(event(
                            UUID.randomUUID(),
                            "MailSent",
                            "{\"$correlationId\":\"c-1\",\"$causationId\":\"" + taken + "\"}")));
        });

        CliHarness.Run run = factum("trace", "c-1");

        assertThat(run.exitCode).as(run.toString()).isZero();
        List<String> lines = run.outLines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).matches("correlation c-1: 3 events in 3 streams, \\S+ to \\S+ \\(\\d+ ms\\)");
        assertThat(lines.get(1)).startsWith("OrderPlaced  order-1@0  ");
        assertThat(lines.get(2)).isEqualTo("└─ command " + command + " (sent by process-order-c-1)");
        assertThat(lines.get(3)).matches("   └─ PaymentTaken  payment-1@0  \\+\\d+ ms");
        assertThat(lines.get(4)).matches("      └─ MailSent  mail-1@0  \\+\\d+ ms");

        CliHarness.Run json = factum("--json", "trace", "c-1");
        assertThat(json.outLines())
                .singleElement()
                .asString()
                .contains(
                        "\"correlationId\":\"c-1\"",
                        "\"events\":3",
                        "\"kind\":\"command\"",
                        "\"sentBy\":\"process-order-c-1\"");

        CliHarness.Run none = factum("trace", "c-404");
        assertThat(none.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(none.err.toString()).contains("no event has the correlation id 'c-404'");
    }

    @Test
    void replayPrintsEachEventWithTheStateAfterItUpToAVersionOrATime() throws IOException {
        withStore(store -> {
            for (int n : new int[] {5, 7, 11}) {
                store.append("tally-1", ExpectedVersion.any(), List.of(EventData.json("Added", "{\"n\":" + n + "}")));
            }
        });

        CliHarness.Run run = factum("replay", "tally-1", "--decider", Tally.class.getName());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).hasSize(6);
        assertThat(run.outLines().get(0)).matches("@0  Added  \\S+  \\{\"n\":5}");
        assertThat(run.outLines().get(1)).isEqualTo("    state: 5");
        assertThat(run.outLines().get(5)).isEqualTo("    state: 23");

        assertThat(factum("replay", "tally-1", "--decider", Tally.class.getName(), "--until", "1")
                        .outLines())
                .hasSize(4)
                .last()
                .isEqualTo("    state: 12");
        assertThat(factum(
                                "--json",
                                "replay",
                                "tally-1",
                                "--decider",
                                Tally.class.getName(),
                                "--until",
                                "2000-01-01T00:00:00Z")
                        .err
                        .toString())
                .contains("stream 'tally-1' has no events up to 2000-01-01T00:00:00Z");
        assertThat(factum("replay", "tally-1", "--decider", Tally.class.getName(), "--until", "soon")
                        .err
                        .toString())
                .contains("invalid --until 'soon'");
        assertThat(factum("replay", "tally-1", "--decider", NoCodec.class.getName())
                        .err
                        .toString())
                .contains("has no public static codec() returning an EventCodec: give --codec CLASS");
        assertThat(factum("replay", "tally-1", "--decider", "com.example.Missing")
                        .err
                        .toString())
                .contains("--decider: class com.example.Missing not found");
    }

    /** Sums the numbers added. */
    public static final class Tally implements Decider<Object, Long, Long> {
        @Override
        public Long initialState() {
            return 0L;
        }

        @Override
        public Decision<Long> decide(Object command, Long state) {
            return Decision.accept();
        }

        @Override
        public Long evolve(Long state, Long event) {
            return state + event;
        }

        public static EventCodec<Long> codec() {
            return new EventCodec<>() {
                @Override
                public String typeOf(Long event) {
                    return "Added";
                }

                @Override
                public byte[] encode(Long event) {
                    return ("{\"n\":" + event + "}").getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public Long decode(String type, byte[] data) {
                    String json = new String(data, StandardCharsets.UTF_8);
                    return Long.parseLong(json.replaceAll("[^0-9]", ""));
                }
            };
        }
    }

    /** A decider without a codec. */
    public static final class NoCodec implements Decider<Object, Long, Long> {
        @Override
        public Long initialState() {
            return 0L;
        }

        @Override
        public Decision<Long> decide(Object command, Long state) {
            return Decision.accept();
        }

        @Override
        public Long evolve(Long state, Long event) {
            return state;
        }
    }
}
