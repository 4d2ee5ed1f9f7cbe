package io.factum.engine.crash;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Power-loss tests of the whole engine on a {@link io.factum.engine.fault.SimulatedDisk}: what a
 * SIGKILL cannot test, since the page cache survives it. At a random file operation the power is
 * cut, every write not covered by a completed fsync is dropped (file contents, sizes, new, renamed
 * and deleted names), and the store reopened on what is left must hold every acknowledged append
 * once, and nothing half ({@link PowerLossCampaign}). The seed is printed and carried by every
 * failure; {@code -Dfactum.powerloss.seed=...} replays it.
 */
class PowerLossTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesPowerLoss() throws Exception {
        new PowerLossCampaign(PowerLossCampaign.seedFromProperty(), 200, 5).run();
    }

    @Test
    @Tag("long")
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesManyPowerLosses() throws Exception {
        new PowerLossCampaign(PowerLossCampaign.seedFromProperty(), 5_000, 10).run();
    }
}
