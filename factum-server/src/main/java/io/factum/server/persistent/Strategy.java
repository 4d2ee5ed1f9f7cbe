package io.factum.server.persistent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Chooses the consumer of one message. Called with the group's lock held; consumers are in
 * connection order. Implementations are not thread-safe.
 */
sealed interface Strategy permits Strategy.RoundRobin, Strategy.DispatchToSingle, Strategy.Pinned {

    /** The outcome of a choice. */
    sealed interface Choice permits To, Skip, Stop {}

    /** Send it to this consumer. */
    record To(Consumer consumer) implements Choice {}

    /** Not now (its consumer is busy); later messages may still go. */
    record Skip() implements Choice {}

    /** Nobody has room: stop dispatching until a slot frees up. */
    record Stop() implements Choice {}

    Choice choose(Message message, List<Consumer> consumers);

    /** A consumer left; forget what was tied to it. */
    default void removed(Consumer consumer) {}

    static Strategy of(ConsumerStrategy strategy) {
        return switch (strategy) {
            case ROUND_ROBIN -> new RoundRobin();
            case DISPATCH_TO_SINGLE -> new DispatchToSingle();
            case PINNED -> new Pinned(event -> event.stream());
            case PINNED_BY_CORRELATION -> new Pinned(Pinned::correlationOrStream);
        };
    }

    /** Each message to the next consumer in turn that has room. */
    final class RoundRobin implements Strategy {
        private int next;

        @Override
        public Choice choose(Message message, List<Consumer> consumers) {
            int n = consumers.size();
            for (int i = 0; i < n; i++) {
                int index = (next + i) % n;
                Consumer candidate = consumers.get(index);
                if (candidate.hasSlot()) {
                    next = (index + 1) % n;
                    return new To(candidate);
                }
            }
            return new Stop();
        }
    }

    /** Fill the first consumer, then the next: the others are standbys. */
    final class DispatchToSingle implements Strategy {
        @Override
        public Choice choose(Message message, List<Consumer> consumers) {
            for (Consumer candidate : consumers) {
                if (candidate.hasSlot()) {
                    return new To(candidate);
                }
            }
            return new Stop();
        }
    }

    /**
     * Messages with the same key (stream name, or correlation id) always to the same consumer while
     * it stays connected: the key hashes into one of {@value #BUCKETS} buckets, and each bucket is
     * given to the consumer with the fewest buckets when first needed. A message whose consumer is
     * full waits, so one key's messages are never handed to two consumers at once.
     */
    final class Pinned implements Strategy {
        static final int BUCKETS = 1024;
        private static final ObjectMapper JSON = new ObjectMapper();

        private final Function<RecordedEvent, String> keyOf;
        private final Consumer[] owners = new Consumer[BUCKETS];
        private final Map<Consumer, Integer> bucketCounts = new HashMap<>();

        Pinned(Function<RecordedEvent, String> keyOf) {
            this.keyOf = keyOf;
        }

        @Override
        public Choice choose(Message message, List<Consumer> consumers) {
            int bucket = bucket(keyOf.apply(message.target()));
            Consumer owner = owners[bucket];
            if (owner == null || owner.gone) {
                owner = leastLoaded(consumers);
                owners[bucket] = owner;
                bucketCounts.merge(owner, 1, Integer::sum);
            }
            return owner.hasSlot() ? new To(owner) : new Skip();
        }

        @Override
        public void removed(Consumer consumer) {
            bucketCounts.remove(consumer);
            for (int i = 0; i < BUCKETS; i++) {
                if (owners[i] == consumer) {
                    owners[i] = null;
                }
            }
        }

        private Consumer leastLoaded(List<Consumer> consumers) {
            Consumer best = consumers.getFirst();
            for (Consumer candidate : consumers) {
                if (bucketCounts.getOrDefault(candidate, 0) < bucketCounts.getOrDefault(best, 0)) {
                    best = candidate;
                }
            }
            return best;
        }

        static int bucket(String key) {
            // String.hashCode spreads poorly in its low bits for similar names ("order-1",
            // "order-2"); a murmur-style finaliser mixes them before taking the bucket.
            int h = key.hashCode();
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return h & (BUCKETS - 1);
        }

        static String correlationOrStream(RecordedEvent event) {
            if (event.metadata().length > 0) {
                try {
                    JsonNode id = JSON.readTree(event.metadata()).get("$correlationId");
                    if (id != null && id.isTextual()) {
                        return id.asText();
                    }
                } catch (IOException e) {
                    // Metadata that is not JSON has no correlation id: pin by stream instead.
                }
            }
            return event.stream();
        }
    }
}
