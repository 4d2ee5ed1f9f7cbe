package io.factum.cluster.fault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScratchPerfTest {
    static String v(CheckResult r) {
        return r instanceof CheckResult.Unknown u ? u.reason() : r.getClass().getSimpleName();
    }

    @Test
    void measure() {
        double[][] shapes = {{16, 0.05}, {16, 0.2}, {32, 0.05}, {32, 0.2}};
        for (double[] shape : shapes) {
            for (long seed = 1; seed <= 4; seed++) {
                for (boolean fin : new boolean[] {true, false}) {
                    Random random = new Random(seed);
                    List<Operation> h = RandomHistories.linearizable(
                            random, new RandomHistories.Shape("s", (int) shape[0], 2000, 0.4, shape[1], fin));
                    long t = System.nanoTime();
                    CheckResult r = LinearizabilityChecker.check(h, Duration.ofSeconds(20));
                    System.out.printf(
                            "clients %d unknown %.2f seed %d final %b: %d ms %s%n",
                            (int) shape[0], shape[1], seed, fin, (System.nanoTime() - t) / 1_000_000, v(r));
                    for (RandomHistoryTest.Corruption c : RandomHistoryTest.Corruption.values()) {
                        Optional<List<Operation>> bad = RandomHistoryTest.corrupt(h, c, new Random(seed));
                        if (bad.isEmpty()) continue;
                        t = System.nanoTime();
                        r = LinearizabilityChecker.check(bad.get(), Duration.ofSeconds(20));
                        System.out.printf("   %s: %d ms %s%n", c, (System.nanoTime() - t) / 1_000_000, v(r));
                    }
                }
            }
        }
    }
}
