package io.factum.engine.crash;

import io.factum.api.ExpectedVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One line of the protocol {@link CrashWorkload} writes to its protocol file, and that the test
 * parses back.
 *
 * <p>Format: fields separated by a tab; the first field is a one-letter tag. Parts of a batch are
 * separated by {@code ;}, the fields of a part by {@code |}, event ids by {@code ,}. Stream names
 * therefore must not contain tab, {@code ;}, {@code |} or {@code ,} (the workload's never do).
 *
 * <pre>
 * R  pid                                  the store is open, writers are starting
 * S  batch  stream|expected|id,id;...     an append is about to be submitted (printed BEFORE the call)
 * A  batch  stream|lastVersion|lastPosition|id,id;...   the append was acknowledged
 * X  batch  stream  actualVersion         the append failed with a wrong expected version
 * U  batch  message                       the append failed unexpectedly (a bug somewhere)
 * </pre>
 *
 * <p>{@code expected} is {@code any}, {@code none}, {@code exists} or an exact version.
 */
sealed interface WorkloadLine
        permits WorkloadLine.Running,
                WorkloadLine.Submitted,
                WorkloadLine.Acked,
                WorkloadLine.Rejected,
                WorkloadLine.Unexpected {

    /** The line as printed, without the newline. */
    String format();

    /** The store is open in the child. */
    record Running(long pid) implements WorkloadLine {
        @Override
        public String format() {
            return "R\t" + pid;
        }
    }

    /** One stream's part of a submitted batch. */
    record Part(String stream, ExpectedVersion expected, List<UUID> ids) {
        public Part {
            checkStreamName(stream);
            ids = List.copyOf(ids);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("a part needs at least one event id");
            }
        }
    }

    /** An append about to be made; the child prints it before calling the store. */
    record Submitted(String batchId, List<Part> parts) implements WorkloadLine {
        public Submitted {
            checkBatchId(batchId);
            parts = List.copyOf(parts);
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a batch needs at least one part");
            }
        }

        /** Every event id of the batch, in submission (and so position) order. */
        List<UUID> allIds() {
            List<UUID> ids = new ArrayList<>();
            parts.forEach(p -> ids.addAll(p.ids()));
            return ids;
        }

        @Override
        public String format() {
            List<String> fields = new ArrayList<>();
            for (Part p : parts) {
                fields.add(p.stream() + "|" + formatExpected(p.expected()) + "|" + joinIds(p.ids()));
            }
            return "S\t" + batchId + "\t" + String.join(";", fields);
        }
    }

    /** One stream's result of an acknowledged batch, as the store returned it. */
    record PartResult(String stream, long lastVersion, long lastPosition, List<UUID> ids) {
        public PartResult {
            checkStreamName(stream);
            ids = List.copyOf(ids);
        }
    }

    /** The store acknowledged the batch. */
    record Acked(String batchId, List<PartResult> results) implements WorkloadLine {
        public Acked {
            checkBatchId(batchId);
            results = List.copyOf(results);
        }

        @Override
        public String format() {
            List<String> fields = new ArrayList<>();
            for (PartResult r : results) {
                fields.add(r.stream() + "|" + r.lastVersion() + "|" + r.lastPosition() + "|" + joinIds(r.ids()));
            }
            return "A\t" + batchId + "\t" + String.join(";", fields);
        }
    }

    /** The store refused the batch with a wrong expected version: nothing of it may be stored. */
    record Rejected(String batchId, String stream, long actualVersion) implements WorkloadLine {
        public Rejected {
            checkBatchId(batchId);
            checkStreamName(stream);
        }

        @Override
        public String format() {
            return "X\t" + batchId + "\t" + stream + "\t" + actualVersion;
        }
    }

    /** The append failed in a way the workload does not expect; the test fails the round. */
    record Unexpected(String batchId, String message) implements WorkloadLine {
        public Unexpected {
            checkBatchId(batchId);
            message = message.replaceAll("[\\t\\r\\n]+", " ");
        }

        @Override
        public String format() {
            return "U\t" + batchId + "\t" + message;
        }
    }

    /**
     * Parses a line. Lines that do not start with a known tag and a tab are not protocol lines
     * (something else wrote to the file) and give empty; a protocol line that does not parse is a
     * harness bug and throws.
     */
    static Optional<WorkloadLine> parse(String line) {
        if (line.length() < 2 || line.charAt(1) != '\t' || "RSAXU".indexOf(line.charAt(0)) < 0) {
            return Optional.empty();
        }
        String[] f = line.split("\t", -1);
        try {
            return Optional.of(
                    switch (line.charAt(0)) {
                        case 'R' -> new Running(Long.parseLong(field(f, 1, 2)));
                        case 'S' -> new Submitted(field(f, 1, 3), parseParts(f[2]));
                        case 'A' -> new Acked(field(f, 1, 3), parseResults(f[2]));
                        case 'X' -> new Rejected(field(f, 1, 4), f[2], Long.parseLong(f[3]));
                        default -> new Unexpected(field(f, 1, 3), f[2]);
                    });
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed workload line: " + line, e);
        }
    }

    private static String field(String[] fields, int index, int expectedCount) {
        if (fields.length != expectedCount) {
            throw new IllegalArgumentException("expected " + expectedCount + " fields, found " + fields.length);
        }
        return fields[index];
    }

    private static List<Part> parseParts(String text) {
        List<Part> parts = new ArrayList<>();
        for (String p : text.split(";", -1)) {
            String[] f = p.split("\\|", -1);
            if (f.length != 3) {
                throw new IllegalArgumentException("part '" + p + "' needs stream|expected|ids");
            }
            parts.add(new Part(f[0], parseExpected(f[1]), parseIds(f[2])));
        }
        return parts;
    }

    private static List<PartResult> parseResults(String text) {
        List<PartResult> results = new ArrayList<>();
        for (String p : text.split(";", -1)) {
            String[] f = p.split("\\|", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException("result '" + p + "' needs stream|version|position|ids");
            }
            results.add(new PartResult(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), parseIds(f[3])));
        }
        return results;
    }

    static String formatExpected(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> "any";
            case ExpectedVersion.NoStream n -> "none";
            case ExpectedVersion.StreamExists s -> "exists";
            case ExpectedVersion.Exact e -> Long.toString(e.version());
        };
    }

    static ExpectedVersion parseExpected(String text) {
        return switch (text) {
            case "any" -> ExpectedVersion.any();
            case "none" -> ExpectedVersion.noStream();
            case "exists" -> ExpectedVersion.streamExists();
            default -> ExpectedVersion.exactly(Long.parseLong(text));
        };
    }

    private static String joinIds(List<UUID> ids) {
        StringBuilder sb = new StringBuilder(ids.size() * 37);
        for (UUID id : ids) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(id);
        }
        return sb.toString();
    }

    private static List<UUID> parseIds(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>();
        for (String id : text.split(",", -1)) {
            ids.add(UUID.fromString(id));
        }
        return ids;
    }

    private static void checkStreamName(String stream) {
        if (stream.isEmpty()
                || stream.chars().anyMatch(c -> c == '\t' || c == ';' || c == '|' || c == ',' || c < ' ')) {
            throw new IllegalArgumentException("stream name '" + stream + "' cannot be carried by the protocol");
        }
    }

    private static void checkBatchId(String batchId) {
        if (batchId.isEmpty() || batchId.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("batch id '" + batchId + "' cannot be carried by the protocol");
        }
    }
}
