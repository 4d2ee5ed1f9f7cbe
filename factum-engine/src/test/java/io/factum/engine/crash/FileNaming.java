package io.factum.engine.crash;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether an error names a given file of a store. A store is copied for each corruption case, so
 * an error may name the file by its absolute path in the copy, by its path relative to the store
 * directory, by its bare file name (the engine's file names are unique within a store: segments
 * and index files carry a position), or through {@link
 * io.factum.engine.CorruptStoreException#file()}. Causes are followed.
 */
final class FileNaming {
    private FileNaming() {}

    static boolean names(Throwable error, Path storeDir, Path file) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof io.factum.engine.CorruptStoreException c && sameFile(storeDir, c.file(), file)) {
                return true;
            }
            if (mentionsFile(String.valueOf(t.getMessage()), storeDir, file)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code text} holds the file's absolute path, relative path or bare name. */
    static boolean mentionsFile(String text, Path storeDir, Path file) {
        return mentions(text, file.toAbsolutePath().normalize().toString())
                || mentions(text, storeDir.relativize(file).toString())
                || mentions(text, file.getFileName().toString());
    }

    /**
     * True when {@code name} occurs in {@code message} as a whole file name: not as the start of a
     * longer one ({@code 0001.seg} must not match {@code 0001.seg.idx}) nor the end of one.
     */
    static boolean mentions(String message, String name) {
        for (int i = message.indexOf(name); i >= 0; i = message.indexOf(name, i + 1)) {
            int end = i + name.length();
            boolean startOk = i == 0 || !isNameChar(message.charAt(i - 1)) || message.charAt(i - 1) == '/';
            boolean endOk = end == message.length() || !isNameChar(message.charAt(end));
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '/';
    }

    /** True when {@code reported} (absolute, or relative to the store) is {@code file}. */
    static boolean sameFile(Path storeDir, Path reported, Path file) {
        Path resolved = storeDir.toAbsolutePath().resolve(reported).normalize();
        return resolved.equals(file.toAbsolutePath().normalize());
    }
}
