package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StoreLimits;
import io.factum.api.SubscribeFrom;
import io.factum.testkit.ManualClock;
import io.factum.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that does not keep up makes the client hold at most one undelivered message: the
 * client asks the server for the next message only after the listener handled the previous one.
 */
class SubscriptionFlowControlTest {

    @AfterEach
    void stop() throws Exception {
        ServedStore.closeAll();
    }

    @Test
    void aBlockedListenerLeavesAtMostOneMessageWaitingInTheClient() throws Exception {
        ServedStore served = ServedStore.start(ManualClock.atDefaultStart(), StoreLimits.defaults());
        try (RemoteEventStore remote = served.connect()) {
            CountDownLatch release = new CountDownLatch(1);
            RecordingListener listener = new RecordingListener((subscription, event) -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            RemoteSubscription<?, ?> subscription =
                    (RemoteSubscription<?, ?>) remote.subscribeToStream("busy", SubscribeFrom.start(), listener);
            int total = 0;
            for (int i = 0; i < 50; i++) {
                List<EventData> batch = new ArrayList<>();
                for (int j = 0; j < 20; j++) {
                    batch.add(EventData.binary("Blob", new byte[1024]));
                }
                served.engine.append("busy", ExpectedVersion.any(), batch);
                total += batch.size();
            }

            // A client that asked for more would fill its inbox within milliseconds on loopback.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            int most = 0;
            while (System.nanoTime() < until) {
                most = Math.max(most, subscription.undelivered());
                Thread.sleep(1);
            }
            release.countDown();

            assertThat(most)
                    .as("messages waiting in the client while the listener was blocked")
                    .isLessThanOrEqualTo(1);
            assertThat(listener.awaitEvents(total, Duration.ofSeconds(30))).hasSize(total);
            assertThat(listener.violations()).isEmpty();
        }
    }
}
