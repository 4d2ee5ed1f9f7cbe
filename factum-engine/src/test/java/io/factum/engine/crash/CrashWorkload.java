package io.factum.engine.crash;

import io.factum.api.Direction;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.WrongExpectedVersionException;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.crash.WorkloadLine.Part;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The child process of {@link CrashRecoveryTest}: opens the store in a data directory with
 * {@link #options} (fsync on) and appends from several threads until it is killed, reporting every
 * submission and every outcome in the {@link WorkloadLine} protocol.
 *
 * <p>Arguments, as {@code key=value}: {@code dir} (required), {@code out} (required: the protocol
 * file), {@code tag} (required, unique per round: prefixes batch ids), {@code seed}, {@code
 * writers} (default 8), {@code streams} (default 6), {@code lifetimeMs} (default 120000: the child
 * halts by itself after this, so that it never outlives a test that lost track of it; it also
 * halts when its parent exits).
 *
 * <p>The protocol goes to a file, not to stdout: the JDK's pipe from a child process is not
 * reliable once the child is killed (the process reaper closes the stream under a concurrent
 * reader, which then fails with "Stream closed" and loses the last lines; measured here in 11 of
 * 40 kills). A {@code write(2)} to a file that returned is in the page cache, which a SIGKILL does
 * not touch. Stdout carries only the {@code R} line, so that the test can await it.
 *
 * <p>Writer {@code w} appends single events when {@code w % 3 == 0}, batches of 2 to 50 events
 * when {@code w % 3 == 1}, and atomic multi-stream appends when {@code w % 3 == 2}. Streams come
 * from a small shared set so that expected-version conflicts are frequent. Expectations are mostly
 * the exact version the writers last saw (shared, updated from acks and from conflicts), sometimes
 * {@code any} or {@code streamExists}.
 *
 * <p>The submit line is written BEFORE the store is called, and the ack line after it returns,
 * each with a single {@code write} under a lock. So every append the store saw has a submit line
 * (complete, unless the kill tore it, in which case the store never saw the append), and every
 * ack line was given by the store.
 */
public final class CrashWorkload {
    private static final int EXIT_PROTOCOL_FAILED = 3;
    private static final int EXIT_ORPHANED = 4;
    private static final int EXIT_LIFETIME = 5;

    private final EmbeddedEventStore store;
    private final List<String> streams;
    private final String tag;
    private final FileOutputStream protocol;
    private final Map<String, Long> knownVersions = new ConcurrentHashMap<>();

    private CrashWorkload(EmbeddedEventStore store, List<String> streams, String tag, FileOutputStream protocol) {
        this.store = store;
        this.streams = streams;
        this.tag = tag;
        this.protocol = protocol;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parseArgs(args);
        guardLifetime(Long.parseLong(a.getOrDefault("lifetimeMs", "120000")));
        Path dir = Path.of(required(a, "dir"));
        String tag = required(a, "tag");
        long seed = Long.parseLong(a.getOrDefault("seed", "1"));
        int writers = Integer.parseInt(a.getOrDefault("writers", "8"));
        List<String> streams = streamNames(Integer.parseInt(a.getOrDefault("streams", "6")));

        FileOutputStream protocol = new FileOutputStream(required(a, "out"), true);
        EmbeddedEventStore store = EmbeddedEventStore.open(options(dir));
        CrashWorkload workload = new CrashWorkload(store, streams, tag, protocol);
        workload.learnVersions();
        WorkloadLine running = new WorkloadLine.Running(ProcessHandle.current().pid());
        workload.print(running);
        new FileOutputStream(FileDescriptor.out).write((running.format() + "\n").getBytes(StandardCharsets.UTF_8));
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Random random = new Random(seed * 1_000_003L + w);
            threads.add(Thread.ofPlatform().name("writer-" + w).start(() -> workload.run(writer, random)));
        }
        for (Thread t : threads) {
            t.join();
        }
        // Only reached when every writer stopped on an unexpected error; the test reports it.
        store.close();
    }

    /**
     * The options of the child and of the test's reopen: the defaults (fsync on) except 1 MiB
     * segments and 4,096-entry index memtables. With the 256 MiB default segments and 1 Mi-entry
     * memtables, a 20-round run (about 100 MB, 300,000 events) would never roll a segment nor
     * flush an index file, so no kill could land in those code paths; with these it rolls about a
     * hundred segments and flushes about seventy index files.
     */
    static EngineOptions options(Path dir) {
        return EngineOptions.defaults(dir).withSegmentSizeBytes(1 << 20).withIndexMemtableEntries(4096);
    }

    static List<String> streamNames(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("crash-" + i);
        }
        return names;
    }

    private void learnVersions() {
        for (String s : streams) {
            ReadStreamResult r = store.readStream(s, Long.MAX_VALUE, Direction.BACKWARDS, 1);
            long v = r instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : ExpectedVersion.NO_STREAM_VERSION;
            knownVersions.put(s, v);
        }
    }

    private void run(int writer, Random random) {
        for (long seq = 0; ; seq++) {
            String batchId = tag + "-w" + writer + "-" + seq;
            List<Part> parts =
                    switch (writer % 3) {
                        case 0 -> List.of(part(random, pickStreams(random, 1).getFirst(), 1));
                        case 1 -> List.of(part(random, pickStreams(random, 1).getFirst(), 2 + random.nextInt(49)));
                        default -> multiParts(random);
                    };
            if (!appendOnce(new WorkloadLine.Submitted(batchId, parts))) {
                return;
            }
        }
    }

    /** Submits one batch and prints its outcome; false when the writer must stop. */
    private boolean appendOnce(WorkloadLine.Submitted batch) {
        print(batch);
        try {
            WorkloadLine.Acked acked = EventPayload.append(store, batch);
            acked.results().forEach(r -> knownVersions.merge(r.stream(), r.lastVersion(), Math::max));
            print(acked);
            return true;
        } catch (WrongExpectedVersionException e) {
            knownVersions.merge(e.stream(), e.actualVersion(), Math::max);
            print(new WorkloadLine.Rejected(batch.batchId(), e.stream(), e.actualVersion()));
            return true;
        } catch (RuntimeException e) {
            print(new WorkloadLine.Unexpected(batch.batchId(), e.toString()));
            return false;
        }
    }

    private List<Part> multiParts(Random random) {
        List<String> chosen = pickStreams(random, 2 + random.nextInt(2));
        List<Part> parts = new ArrayList<>();
        for (String s : chosen) {
            parts.add(part(random, s, 1 + random.nextInt(10)));
        }
        return parts;
    }

    private Part part(Random random, String stream, int events) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return new Part(stream, expectation(random, stream), ids);
    }

    /** 60% the last version seen (so conflicts happen), 30% any, 10% streamExists. */
    private ExpectedVersion expectation(Random random, String stream) {
        int dice = random.nextInt(10);
        if (dice < 6) {
            long known = knownVersions.getOrDefault(stream, ExpectedVersion.NO_STREAM_VERSION);
            return known < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(known);
        }
        return dice < 9 ? ExpectedVersion.any() : ExpectedVersion.streamExists();
    }

    private List<String> pickStreams(Random random, int count) {
        List<String> pool = new ArrayList<>(streams);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < count && !pool.isEmpty(); i++) {
            chosen.add(pool.remove(random.nextInt(pool.size())));
        }
        return chosen;
    }

    /** One write(2) per line, under a lock, so lines from different writers never interleave. */
    private void print(WorkloadLine line) {
        byte[] bytes = (line.format() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (protocol) {
            try {
                protocol.write(bytes);
            } catch (IOException e) {
                // Without its protocol the run cannot be checked: stop at once, the test reports it.
                Runtime.getRuntime().halt(EXIT_PROTOCOL_FAILED);
            }
        }
    }

    private static void guardLifetime(long lifetimeMs) {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit()
                .thenRun(() -> Runtime.getRuntime().halt(EXIT_ORPHANED)));
        Thread.ofPlatform().daemon().name("lifetime").start(() -> {
            try {
                Thread.sleep(lifetimeMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(EXIT_LIFETIME);
        });
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> map = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("argument '" + arg + "' is not key=value");
            }
            map.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return map;
    }

    private static String required(Map<String, String> args, String key) {
        String value = args.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return value;
    }
}
