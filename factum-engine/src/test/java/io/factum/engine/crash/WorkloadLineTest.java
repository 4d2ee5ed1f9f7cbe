package io.factum.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ExpectedVersion;
import io.factum.engine.crash.WorkloadLine.Acked;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import io.factum.engine.crash.WorkloadLine.Submitted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The protocol between the workload child and the test, and the history built from it. */
class WorkloadLineTest {
    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
    private static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");

    @Test
    void everyLineRoundTrips() {
        List<WorkloadLine> lines = List.of(
                new WorkloadLine.Running(4242),
                new Submitted(
                        "r0-w1-7",
                        List.of(
                                new Part("crash-1", ExpectedVersion.exactly(41), List.of(A, B)),
                                new Part("crash-2", ExpectedVersion.noStream(), List.of(C)))),
                new Submitted("r0-w0-1", List.of(new Part("crash-0", ExpectedVersion.any(), List.of(A)))),
                new Submitted("r0-w0-2", List.of(new Part("crash-0", ExpectedVersion.streamExists(), List.of(B)))),
                new Acked(
                        "r0-w1-7",
                        List.of(
                                new PartResult("crash-1", 43, 1001, List.of(A, B)),
                                new PartResult("crash-2", 0, 1002, List.of(C)))),
                new WorkloadLine.Rejected("r0-w0-1", "crash-0", 17),
                new WorkloadLine.Unexpected("r0-w0-2", "StoreFailedException: disk\tfull\nagain"));

        for (WorkloadLine line : lines) {
            String text = line.format();
            assertThat(text).doesNotContain("\n");
            WorkloadLine parsed = WorkloadLine.parse(text).orElseThrow();
            if (line instanceof WorkloadLine.Unexpected) {
                assertThat(parsed)
                        .isEqualTo(new WorkloadLine.Unexpected("r0-w0-2", "StoreFailedException: disk full again"));
            } else {
                assertThat(parsed).isEqualTo(line);
            }
        }
    }

    @Test
    void linesThatAreNotProtocolAreSkipped() {
        assertThat(WorkloadLine.parse("")).isEmpty();
        assertThat(WorkloadLine.parse("SLF4J: no binding")).isEmpty();
        assertThat(WorkloadLine.parse("Q\tsomething")).isEmpty();
    }

    @Test
    void malformedProtocolLinesThrow() {
        assertThatThrownBy(() -> WorkloadLine.parse("S\tb1\tcrash-0|any"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed workload line");
        assertThatThrownBy(() -> WorkloadLine.parse("A\tb1\tcrash-0|x|1|" + A))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkloadLine.parse("R\t1\t2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamNamesThatTheProtocolCannotCarryAreRefused() {
        assertThatThrownBy(() -> new Part("a|b", ExpectedVersion.any(), List.of(A)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Part("a;b", ExpectedVersion.any(), List.of(A)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSplitterDeliversCompleteLinesAndDropsATornTail() {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        byte[] first = "R\t1\nS\tb0\tcrash-0|any|".getBytes(StandardCharsets.UTF_8);
        byte[] second = (A + "\nA\tb0\tcra").getBytes(StandardCharsets.UTF_8);
        splitter.accept(first, first.length);
        splitter.accept(second, second.length);

        assertThat(lines).containsExactly("R\t1", "S\tb0\tcrash-0|any|" + A);
        assertThat(splitter.pending()).isEqualTo("A\tb0\tcra".length());
    }

    @Test
    void theHistoryRefusesWhatTheWorkloadCannotHaveSaid() {
        History history = new History();
        Submitted s = new Submitted("b1", List.of(new Part("crash-0", ExpectedVersion.any(), List.of(A, B))));
        history.accept(s);

        assertThatThrownBy(() -> history.accept(s)).hasMessageContaining("submitted twice");
        assertThatThrownBy(() -> history.accept(
                        new Submitted("b2", List.of(new Part("crash-1", ExpectedVersion.any(), List.of(B))))))
                .hasMessageContaining("already submitted in batch b1");
        assertThatThrownBy(() -> history.accept(new Acked("nope", List.of()))).hasMessageContaining("never submitted");
        assertThatThrownBy(
                        () -> history.accept(new Acked("b1", List.of(new PartResult("crash-0", 1, 1, List.of(B, A))))))
                .hasMessageContaining("does not match submission");
        assertThatThrownBy(() -> history.accept(new Submitted(
                        "b3",
                        List.of(
                                new Part("crash-0", ExpectedVersion.any(), List.of(C)),
                                new Part("crash-0", ExpectedVersion.any(), List.of(UUID.randomUUID()))))))
                .hasMessageContaining("twice");

        history.accept(new Acked("b1", List.of(new PartResult("crash-0", 1, 1, List.of(A, B)))));
        assertThatThrownBy(() -> history.accept(new WorkloadLine.Rejected("b1", "crash-0", 3)))
                .hasMessageContaining("second outcome");
        assertThat(history.batch("b1").map(History.Batch::acked)).isEqualTo(Optional.of(true));
        assertThat(history.event(B)).contains(new History.EventRef("b1", 0, 1));
    }
}
