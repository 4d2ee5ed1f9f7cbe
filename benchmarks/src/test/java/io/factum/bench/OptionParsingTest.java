package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class OptionParsingTest {

    private static <T extends ScenarioCommand> T parse(T command, String... args) {
        CommandLine cmd = BenchMain.configure(new CommandLine(command));
        cmd.parseArgs(args);
        command.common.validate(cmd);
        command.validate(cmd);
        return command;
    }

    @Test
    void appendDefaultsAreTheIssuesSetUp() {
        AppendCommand a = parse(new AppendCommand());

        assertThat(a.writer.writers).isEqualTo(64);
        assertThat(a.writer.threads).isEqualTo(ThreadKind.PLATFORM);
        assertThat(a.sharedStreams).isZero();
        assertThat(a.durability).isEqualTo(Durability.FSYNC);
        assertThat(a.timing.duration).isEqualTo(Duration.ofSeconds(10));
        assertThat(a.limit.events).isEqualTo(-1);
        assertThat(a.common.eventSize).isEqualTo(200);
        assertThat(a.common.data).isEmpty();
        assertThat(a.common.keep).isFalse();
        assertThat(a.common.ceilingWriteSize).isEqualTo(1L << 30);
    }

    @Test
    void appendOptionsAreParsed() {
        AppendCommand a = parse(
                new AppendCommand(),
                "--writers",
                "8",
                "--threads",
                "virtual",
                "--shared-streams",
                "4",
                "--duration",
                "3s",
                "--events",
                "10k",
                "--durability",
                "no_fsync",
                "--event-size",
                "1k",
                "--data",
                "/tmp/x",
                "--keep",
                "--json",
                "r.jsonl");

        assertThat(a.writer.writers).isEqualTo(8);
        assertThat(a.writer.threads).isEqualTo(ThreadKind.VIRTUAL);
        assertThat(a.sharedStreams).isEqualTo(4);
        assertThat(a.timing.duration).isEqualTo(Duration.ofSeconds(3));
        assertThat(a.limit.events).isEqualTo(10_000);
        assertThat(a.durability).isEqualTo(Durability.NO_FSYNC);
        assertThat(a.common.eventSize).isEqualTo(1024);
        assertThat(a.common.data).contains(Path.of("/tmp/x"));
        assertThat(a.common.keep).isTrue();
        assertThat(a.common.json).contains(Path.of("r.jsonl"));
    }

    @Test
    void badValuesAreRejectedNamingTheOptionAndTheLimit() {
        assertThatThrownBy(() -> parse(new AppendCommand(), "--writers", "0"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--writers 0");
        assertThatThrownBy(() -> parse(new AppendCommand(), "--event-size", "10"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--event-size 10")
                .hasMessageContaining(String.valueOf(Payloads.MIN_EVENT_BYTES));
        assertThatThrownBy(() -> parse(new AppendCommand(), "--threads", "green"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("green");
        assertThatThrownBy(() -> parse(new ReadAllCommand(), "--events", "0"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--events 0");
        assertThatThrownBy(() -> parse(new AppendBatchCommand(), "--batch-size", "-1"))
                .isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> parse(new IndexMemoryCommand(), "--events", "100", "--many-streams", "101"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--many-streams 101");
        assertThatThrownBy(() -> parse(new IndexMemoryCommand(), "--streams", "5k", "--many-streams", "5k"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> parse(new DcbCommand(), "--events", "500", "--matches", "501"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--matches 501");
        assertThatThrownBy(() -> parse(new DcbCommand(), "--tags", "0"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--tags 0");
        assertThatThrownBy(() -> parse(new SubscribeCommand(), "--calibration", "0s"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--calibration");
    }

    @Test
    void dcbDefaultsAreTheIssuesSetUp() {
        DcbCommand d = parse(new DcbCommand());

        assertThat(d.writer.writers).isEqualTo(64);
        assertThat(d.tags).isEqualTo(10_000);
        assertThat(d.load.events).isEqualTo(10_000_000);
        assertThat(d.matches).isEqualTo(1000);
    }

    @Test
    void restartDefaultsToAQuickTwoMillionEvents() {
        assertThat(parse(new RestartCommand()).load.events).isEqualTo(2_000_000);
        assertThat(parse(new RestartCommand(), "--events", "10m").load.events).isEqualTo(10_000_000);
    }

    @Test
    void indexMemoryDerivesItsStreamCountsFromTheEvents() {
        IndexMemoryCommand im = parse(new IndexMemoryCommand(), "--events", "50k");

        assertThat(im.parameters())
                .containsEntry("--events", "50_000")
                .containsEntry("--streams", "50")
                .containsEntry("--many-streams", "5_000");
    }

    /** Every scenario's parameters, fed back as options, give the same parameters. */
    @Test
    void parametersParseBackToThemselves() {
        List<ScenarioCommand> configured = List.of(
                parse(new AppendCommand(), "--writers", "3", "--threads", "virtual", "--events", "7", "--warmup", "0s"),
                parse(new AppendBatchCommand(), "--batch-size", "10", "--duration", "1500ms"),
                parse(new ReadAllCommand(), "--events", "12345", "--passes", "3"),
                parse(new ReadStreamCommand(), "--stream-length", "10"),
                parse(new SubscribeCommand(), "--rate", "5000", "--writers", "2"),
                parse(new RestartCommand(), "--events", "2k"),
                parse(new IndexMemoryCommand(), "--events", "1m", "--streams", "7"),
                parse(
                        new DcbCommand(),
                        "--tags",
                        "50",
                        "--events",
                        "20k",
                        "--matches",
                        "30",
                        "--reads",
                        "9",
                        "--load-append-size",
                        "3"),
                parse(new CeilingsCommand(), "--event-size", "300", "--ceiling-write-size", "8m"));
        for (ScenarioCommand first : configured) {
            Map<String, String> params = new LinkedHashMap<>(first.parameters());
            params.putAll(first.common.parameters());
            List<String> args = new ArrayList<>();
            params.forEach((k, v) -> args.addAll(List.of(k, v)));

            ScenarioCommand second = parse(newInstance(first), args.toArray(String[]::new));

            Map<String, String> again = new LinkedHashMap<>(second.parameters());
            again.putAll(second.common.parameters());
            assertThat(again).as(first.name()).isEqualTo(params);
        }
    }

    @Test
    void allHandsDurationToTimedScenariosAndEventsToSizedOnes() {
        AllCommand all = new AllCommand();
        BenchMain.configure(new CommandLine(all)).parseArgs("--duration", "1s", "--events", "5000");

        List<ScenarioCommand> scenarios = all.scenarios();

        assertThat(scenarios)
                .extracting(ScenarioCommand::name)
                .containsExactly(
                        "ceilings",
                        "append",
                        "append-batch",
                        "read-all",
                        "read-stream",
                        "subscribe",
                        "restart",
                        "index-memory",
                        "dcb");
        for (ScenarioCommand s : scenarios) {
            Map<String, String> p = s.parameters();
            switch (s.name()) {
                case "append", "append-batch", "subscribe" -> {
                    assertThat(p).as(s.name()).containsEntry("--duration", "1s");
                    assertThat(p).as(s.name()).doesNotContainKey("--events");
                }
                case "read-all", "read-stream", "restart", "index-memory" ->
                    assertThat(p).as(s.name()).containsEntry("--events", "5_000");
                case "dcb" -> assertThat(p).containsEntry("--duration", "1s").containsEntry("--events", "5_000");
                default -> assertThat(p).as(s.name()).isEmpty();
            }
        }
    }

    private static ScenarioCommand newInstance(ScenarioCommand c) {
        try {
            return c.getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void clusterDefaultsAreTheIssuesSetUpAndBadValuesAreNamed() {
        ClusterBenchCommand c = parse(new ClusterBenchCommand());
        assertThat(c.writers).isEqualTo(64);
        assertThat(c.batchSize).isEqualTo(1000);
        assertThat(c.phases).containsExactly(ClusterBenchCommand.Phase.values());

        ClusterBenchCommand some = parse(new ClusterBenchCommand(), "--phases", "failover,catchup", "--failovers", "5");
        assertThat(some.runs(ClusterBenchCommand.Phase.FAILOVER)).isTrue();
        assertThat(some.runs(ClusterBenchCommand.Phase.APPEND)).isFalse();
        assertThat(some.failovers).isEqualTo(5);

        assertThatThrownBy(() -> parse(new ClusterBenchCommand(), "--failovers", "0"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--failovers 0");
        assertThatThrownBy(() -> parse(new ClusterBenchCommand(), "--batch-size", "20000"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--batch-size 20000");
    }
}
