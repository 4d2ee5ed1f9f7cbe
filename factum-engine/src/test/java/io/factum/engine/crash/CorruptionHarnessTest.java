package io.factum.engine.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.engine.CorruptStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the corruption test that need no engine: damages, and naming a file in an error. */
class CorruptionHarnessTest {

    @TempDir
    Path dir;

    @Test
    void damagesChangeTheFileAsDescribed() throws IOException {
        Path f = dir.resolve("f");
        Files.write(f, new byte[] {1, 2, 3, 4});

        new Damage.FlipByte(2).apply(f);
        assertThat(Files.readAllBytes(f)).containsExactly(1, 2, (byte) (3 ^ 0xFF), 4);
        new Damage.Truncate(1).apply(f);
        assertThat(Files.readAllBytes(f)).containsExactly(1);
        new Damage.Delete().apply(f);
        assertThat(f).doesNotExist();
    }

    @Test
    void everyFileGetsFlipsTruncationsAndADeleteWithinItsSize() {
        assertThat(Damage.forFile(0, new Random(1))).containsExactly(new Damage.Delete());
        assertThat(Damage.forFile(1, new Random(1)))
                .containsExactly(new Damage.FlipByte(0), new Damage.Truncate(0), new Damage.Delete());
        var damages = Damage.forFile(1000, new Random(1));
        assertThat(damages).contains(new Damage.FlipByte(0), new Damage.FlipByte(500), new Damage.FlipByte(999));
        assertThat(damages).contains(new Damage.Truncate(0), new Damage.Truncate(500), new Damage.Truncate(999));
        assertThat(damages).allSatisfy(d -> {
            if (d instanceof Damage.FlipByte b) {
                assertThat(b.offset()).isBetween(0L, 999L);
            } else if (d instanceof Damage.Truncate t) {
                assertThat(t.length()).isBetween(0L, 999L);
            }
        });
    }

    @Test
    void anErrorNamesAFileByPathByRelativePathOrByCorruptStoreExceptionFile() {
        Path store = dir.resolve("store");
        Path segment = store.resolve("log/0000.seg");
        Path sidecar = store.resolve("log/0000.seg.idx");

        assertThat(FileNaming.names(new CorruptStoreException(segment, 12, "bad crc"), store, segment))
                .isTrue();
        assertThat(FileNaming.names(new NoSuchFileException(segment.toString()), store, segment))
                .isTrue();
        assertThat(FileNaming.names(new IOException("bad frame in log/0000.seg at 12"), store, segment))
                .isTrue();
        assertThat(FileNaming.names(new IOException("wrapped", new IOException("log/0000.seg: bad")), store, segment))
                .isTrue();

        assertThat(FileNaming.names(new CorruptStoreException(sidecar, 0, "bad"), store, segment))
                .as("a longer file name is another file")
                .isFalse();
        assertThat(FileNaming.names(new IOException("checkpoint names 0000.seg, which is missing"), store, segment))
                .as("bare file name")
                .isTrue();
        assertThat(FileNaming.names(new IOException("something is wrong"), store, segment))
                .isFalse();
    }
}
