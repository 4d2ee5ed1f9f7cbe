package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine reaches files only through {@link FileIo}: no main class but the default
 * implementation uses {@code java.nio.file.Files}, opens a {@code FileChannel} or a {@code
 * RandomAccessFile}, or moves files itself. Otherwise the simulated disk of the power-loss test
 * would miss those accesses, as it once missed the whole index.
 */
class FileIoSeamTest {
    /** Calls that reach the file system without the seam. */
    static final Pattern BYPASS = Pattern.compile(
            "\\bFiles\\.[a-zA-Z]+\\(|FileChannel\\.open\\(|new RandomAccessFile\\(|new FileOutputStream\\("
                    + "|new FileInputStream\\(|\\.toRealPath\\(");

    private static final Path MAIN = Path.of("src/main/java");
    private static final Path DEFAULT_IMPLEMENTATION = Path.of("io/factum/engine/NioFileIo.java");

    @Test
    void noEngineClassButTheDefaultFileIoTouchesFilesDirectly() throws IOException {
        List<String> bypasses = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(MAIN)) {
            for (Path source :
                    sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (MAIN.relativize(source).equals(DEFAULT_IMPLEMENTATION)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    if (bypassesTheSeam(lines.get(i))) {
                        bypasses.add(
                                source + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(bypasses).isEmpty();
    }

    @Test
    void theRuleCatchesABypass() {
        assertThat(bypassesTheSeam("        Files.deleteIfExists(path);")).isTrue();
        assertThat(bypassesTheSeam("        FileChannel ch = FileChannel.open(path, READ);"))
                .isTrue();
        assertThat(bypassesTheSeam("        Path key = dataDir.toRealPath();")).isTrue();
        assertThat(bypassesTheSeam("        io.deleteIfExists(path);")).isFalse();
        assertThat(bypassesTheSeam("     * {@code Files.createDirectories} without the parent"))
                .isFalse();
    }

    /** Code lines only: comments may name the calls the seam stands for. */
    private static boolean bypassesTheSeam(String line) {
        String code = line.strip();
        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
            return false;
        }
        return BYPASS.matcher(code).find();
    }
}
