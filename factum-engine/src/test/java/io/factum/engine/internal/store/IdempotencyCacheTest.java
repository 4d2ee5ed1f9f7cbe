package io.factum.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyCacheTest {

    @Test
    void findsAnIdOnlyForTheStreamItWasWrittenTo() {
        IdempotencyCache cache = new IdempotencyCache(100);
        UUID id = UUID.randomUUID();
        cache.remember(id, "order-1", 7);

        assertThat(cache.versionOf(id, "order-1")).isEqualTo(7);
        assertThat(cache.versionOf(id, "order-2")).isEqualTo(-1);
        assertThat(cache.versionOf(UUID.randomUUID(), "order-1")).isEqualTo(-1);
    }

    @Test
    void rememberingTheSameIdAgainMovesIt() {
        IdempotencyCache cache = new IdempotencyCache(100);
        UUID id = UUID.randomUUID();
        cache.remember(id, "a", 1);
        cache.remember(id, "a", 9);

        assertThat(cache.versionOf(id, "a")).isEqualTo(9);
    }

    @Test
    void keepsAtLeastTheNewestHalfOfItsCapacityAndForgetsTheOldest() {
        int capacity = 1000;
        IdempotencyCache cache = new IdempotencyCache(capacity);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 10 * capacity; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            cache.remember(id, "s", i);
        }
        for (int i = ids.size() - capacity / 2; i < ids.size(); i++) {
            assertThat(cache.versionOf(ids.get(i), "s")).as("recent id %d", i).isEqualTo(i);
        }
        long oldRemembered = ids.subList(0, ids.size() - capacity).stream()
                .filter(id -> cache.versionOf(id, "s") >= 0)
                .count();
        assertThat(oldRemembered)
                .as("ids older than the capacity are forgotten")
                .isZero();
    }

    @Test
    void theNilIdAndAZeroCapacityRememberNothing() {
        IdempotencyCache cache = new IdempotencyCache(100);
        UUID nil = new UUID(0, 0);
        cache.remember(nil, "s", 3);
        assertThat(cache.versionOf(nil, "s")).isEqualTo(-1);

        IdempotencyCache none = new IdempotencyCache(0);
        UUID id = UUID.randomUUID();
        none.remember(id, "s", 3);
        assertThat(none.versionOf(id, "s")).isEqualTo(-1);
    }
}
