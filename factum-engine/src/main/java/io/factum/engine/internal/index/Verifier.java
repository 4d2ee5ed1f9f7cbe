package io.factum.engine.internal.index;

import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_HEADER;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BYTES;
import static io.factum.engine.internal.index.IndexFormat.NAME_BLOCK_HEADER;

import io.factum.engine.FileIo;
import io.factum.engine.internal.index.IndexVerification.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@link StreamIndex#verify}: reads every byte of every live file of a closed index, reports each
 * problem with its file and offset, and keeps going past damaged blocks. Memory stays bounded: the
 * names of a file are joined with its entries by a second sequential pass, not loaded.
 */
final class Verifier {
    private final FileIo io;
    private final Path dir;
    private final StreamIndex.EntryChecker checker;
    private final StreamHasher hasher;
    private final List<Problem> problems = new ArrayList<>();
    private long entriesChecked;

    private Verifier(FileIo io, Path dir, StreamIndex.EntryChecker checker, StreamHasher hasher) {
        this.io = io;
        this.dir = dir;
        this.checker = checker;
        this.hasher = hasher;
    }

    static IndexVerification verify(FileIo io, Path dir, StreamIndex.EntryChecker checker, StreamHasher hasher)
            throws IOException {
        Verifier v = new Verifier(io, dir, checker, hasher);
        Path marker = dir.resolve(StreamIndex.REBUILD_MARKER);
        if (io.exists(marker)) {
            v.problem(
                    marker,
                    0,
                    "marked for rebuild: a read met a damaged block while the index was open;"
                            + " the next open rebuilds it");
        }
        Manifest manifest;
        try {
            manifest = Manifest.read(io, dir).orElse(Manifest.empty());
        } catch (CorruptIndexException e) {
            v.problems.add(new Problem(e.file(), e.offset(), e.getMessage()));
            return new IndexVerification(-1, 0, 0, v.problems);
        }
        int files = 0;
        for (Manifest.FileRecord r : manifest.files()) {
            v.verifyFile(r, manifest.indexedUpTo());
            files++;
        }
        return new IndexVerification(manifest.indexedUpTo(), files, v.entriesChecked, v.problems);
    }

    private void problem(Path file, long offset, String description) {
        problems.add(new Problem(file, offset, description));
    }

    private void verifyFile(Manifest.FileRecord r, long indexedUpTo) throws IOException {
        Path path = dir.resolve(IndexFormat.fileName(r.seq()));
        if (!io.exists(path)) {
            problem(path, 0, "listed in the manifest but missing");
            return;
        }
        long size = io.size(path);
        if (size != r.sizeBytes()) {
            problem(
                    path,
                    Math.min(size, r.sizeBytes()),
                    "file has " + size + " bytes, the manifest recorded " + r.sizeBytes());
        }
        IndexFile file;
        try {
            file = IndexFile.open(io, path, r.seq());
        } catch (CorruptIndexException e) {
            problem(e.file(), e.offset(), e.getMessage());
            return;
        }
        try {
            var h = file.header();
            if (h.entryCount() != r.entryCount()
                    || h.minPosition() != r.minPosition()
                    || h.maxPosition() != r.maxPosition()) {
                problem(path, 16, "header " + h + " does not match the manifest's " + r);
            }
            boolean namesSound = verifyNames(file);
            verifyEntries(file, indexedUpTo, namesSound);
        } finally {
            file.closeChannel();
        }
    }

    /** Checksums, order, hash of each name, UTF-8, counts. Returns whether every block was sound. */
    private boolean verifyNames(IndexFile file) throws IOException {
        Path path = file.path();
        boolean sound = true;
        long names = 0;
        long distinct = 0;
        long lastHash = 0;
        byte[] lastName = null;
        for (int block = 0; block < file.nameBlockCount(); block++) {
            ByteBuffer b;
            try {
                b = file.readNameBlock(block);
            } catch (CorruptIndexException e) {
                problem(e.file(), e.offset(), e.getMessage());
                sound = false;
                continue;
            }
            long base = file.nameBlockOffset(block);
            for (int at = NAME_BLOCK_HEADER; at < b.limit(); ) {
                long hash = b.getLong(at);
                byte[] name = Arrays.copyOfRange(b.array(), at + 12, at + 12 + b.getInt(at + 8));
                if (hash != hasher.hash(name)) {
                    problem(path, base + at, "name record's hash " + hash + " is not the hash of its name");
                }
                if (decode(name).isEmpty()) {
                    problem(path, base + at + 12, "stream name is not valid UTF-8");
                }
                if (lastName != null) {
                    int c = Long.compare(hash, lastHash);
                    if (c < 0 || (c == 0 && Arrays.compareUnsigned(name, lastName) <= 0)) {
                        problem(path, base + at, "names out of order");
                    }
                }
                if (lastName == null || hash != lastHash) {
                    distinct++;
                }
                names++;
                lastHash = hash;
                lastName = name;
                at += 12 + name.length;
            }
        }
        if (sound
                && (names != file.header().streamCount()
                        || distinct != file.footer().distinctHashes())) {
            problem(
                    path,
                    24,
                    "file lists " + names + " names with " + distinct + " distinct hashes; header and footer say "
                            + file.header().streamCount() + " and "
                            + file.footer().distinctHashes());
        }
        return sound;
    }

    private static Optional<String> decode(byte[] name) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(name));
            return Optional.of(chars.toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private void verifyEntries(IndexFile file, long indexedUpTo, boolean namesSound) throws IOException {
        Path path = file.path();
        var h = file.header();
        NameJoin names = new NameJoin(file);
        boolean first = true;
        long lastHash = 0;
        long lastVersion = 0;
        long lastPosition = 0;
        for (int block = 0; block < file.entryBlockCount(); block++) {
            IndexFile.EntryBlock b;
            try {
                b = file.readEntryBlock(block);
            } catch (CorruptIndexException e) {
                problem(e.file(), e.offset(), e.getMessage());
                first = true; // the order check restarts after a gap
                continue;
            }
            for (int i = 0; i < b.count; i++) {
                long offset = file.entryBlockOffset(block) + ENTRY_BLOCK_HEADER + (long) i * ENTRY_BYTES;
                long hash = b.hash(i);
                long version = b.version(i);
                long position = b.position(i);
                if (!first) {
                    int c = IndexFile.compare(hash, version, lastHash, lastVersion);
                    if (c < 0 || (c == 0 && position <= lastPosition)) {
                        problem(path, offset, "entries out of order");
                    }
                }
                first = false;
                lastHash = hash;
                lastVersion = version;
                lastPosition = position;
                if (position < h.minPosition() || position > h.maxPosition() || position > indexedUpTo) {
                    problem(
                            path,
                            offset,
                            "position " + position + " outside the file's range " + h.minPosition() + ".."
                                    + h.maxPosition() + " or above indexedUpTo " + indexedUpTo);
                }
                if (!file.mightContain(hash)) {
                    problem(path, offset, "bloom filter does not contain hash " + hash);
                }
                List<String> owners = names.namesOf(hash);
                if (namesSound && owners.isEmpty()) {
                    problem(path, offset, "no stream name with hash " + hash + " in the file");
                }
                checkAgainstLog(path, offset, hash, version, position, owners, namesSound);
                entriesChecked++;
            }
        }
    }

    private void checkAgainstLog(
            Path path, long offset, long hash, long version, long position, List<String> owners, boolean namesSound)
            throws IOException {
        Optional<StreamIndex.LoggedEvent> logged = checker.eventAt(position);
        if (logged.isEmpty()) {
            problem(path, offset, "the log holds no event at position " + position);
            return;
        }
        var e = logged.get();
        String key = null;
        for (String candidate : e.keys()) {
            if (hasher.hash(IndexFormat.utf8(candidate)) == hash) {
                key = candidate;
                break;
            }
        }
        if (key == null) {
            problem(path, offset, "position " + position + " holds " + describe(e) + ", whose hash is not " + hash);
        } else if (namesSound && !owners.contains(key)) {
            problem(
                    path,
                    offset,
                    "position " + position + " holds " + (e.keys().size() == 1 ? "stream " : "key ") + "'" + key
                            + "', not listed in the file");
        }
        if (e.version() != version) {
            problem(
                    path,
                    offset,
                    "position " + position + " holds version " + e.version() + ", the index says " + version);
        }
    }

    /** The stream a record belongs to, or the keys it is indexed under when it has several. */
    private static String describe(StreamIndex.LoggedEvent e) {
        if (e.keys().size() == 1) {
            return "stream '" + e.stream() + "'";
        }
        return "keys " + e.keys() + ", none";
    }

    /** Walks the names of a file alongside its entries (both in hash order); skips damaged blocks. */
    private static final class NameJoin {
        private final IndexFile file;
        private int block = -1;
        private ByteBuffer buf = ByteBuffer.allocate(0);
        private int at;
        private long hash = Long.MIN_VALUE;
        private boolean cached;
        private boolean exhausted;
        private long namesHash;
        private List<String> names = List.of();

        NameJoin(IndexFile file) {
            this.file = file;
        }

        List<String> namesOf(long h) throws IOException {
            if (cached && h == namesHash) {
                return names;
            }
            List<String> found = new ArrayList<>(1);
            while (advanceWhileBelow(h) && hash == h) {
                int len = buf.getInt(at + 8);
                found.add(new String(buf.array(), at + 12, len, StandardCharsets.UTF_8));
                at += 12 + len;
            }
            cached = true;
            namesHash = h;
            names = found;
            return names;
        }

        /** Positions the walker at the first record with hash >= h; false when none is left. */
        private boolean advanceWhileBelow(long h) throws IOException {
            while (!exhausted) {
                if (at >= buf.limit()) {
                    if (++block >= file.nameBlockCount()) {
                        exhausted = true;
                        return false;
                    }
                    try {
                        buf = file.readNameBlock(block);
                    } catch (CorruptIndexException e) {
                        buf = ByteBuffer.allocate(0); // reported by verifyNames
                    }
                    at = NAME_BLOCK_HEADER;
                    continue;
                }
                hash = buf.getLong(at);
                if (hash >= h) {
                    return true;
                }
                at += 12 + buf.getInt(at + 8);
            }
            return false;
        }
    }
}
