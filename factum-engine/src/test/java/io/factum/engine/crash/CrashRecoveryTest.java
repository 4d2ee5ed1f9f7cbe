package io.factum.engine.crash;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 tests of the embedded engine with real processes: a child JVM appends from 8 threads and
 * is killed with SIGKILL at a random moment, round after round on the same data directory; after
 * each kill the store is reopened here and checked against every submission and acknowledgement the
 * children wrote ({@link HistoryChecker}). Seeds and per-round figures go to stdout (surefire:
 * {@code target/surefire-reports/*-output.txt}).
 *
 * <p>Linux only: the test relies on {@link Process#destroyForcibly()} sending SIGKILL, and checks
 * it through the exit status 137.
 */
@EnabledOnOs(OS.LINUX)
class CrashRecoveryTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesRepeatedKills(@TempDir Path dir) throws Exception {
        new CrashCampaign(dir, CrashCampaign.seedFromProperty(), CrashCampaign.roundsFromProperty(20), 20).run();
    }

    @Test
    @Tag("long")
    @Timeout(value = 90, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesManyKills(@TempDir Path dir) throws Exception {
        // A fresh store every 25 rounds bounds the data (about 150 MB) and the checker's memory.
        new CrashCampaign(dir, CrashCampaign.seedFromProperty(), CrashCampaign.roundsFromProperty(200), 25).run();
    }
}
