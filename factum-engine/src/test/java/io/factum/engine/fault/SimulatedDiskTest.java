package io.factum.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/** The simulated disk's durability rules, one at a time. */
class SimulatedDiskTest {
    private static final Path ROOT = Path.of("/simulated");
    private final SimulatedDisk disk = new SimulatedDisk(ROOT);

    private static void write(FileIo io, Path file, String text, boolean force) throws IOException {
        try (FileChannel ch = io.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), ch.size());
            if (force) {
                ch.force(false);
            }
        }
    }

    private static String read(FileIo io, Path file) throws IOException {
        try (FileChannel ch = io.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
            ch.read(buf, 0);
            return new String(buf.array(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesSurviveACutOnlyUpToTheLastForceAndANewNameOnlyAfterTheDirectoryFsync() throws IOException {
        FileIo io = disk.io();
        Path file = ROOT.resolve("a");
        write(io, file, "forced", true);
        disk.cut();
        assertThat(disk.io().exists(file)).as("the name was never fsynced").isFalse();

        io = disk.io();
        write(io, file, "forced", true);
        io.fsyncDirectory(ROOT);
        write(io, file, "+volatile", false);
        assertThat(read(io, file)).isEqualTo("forced+volatile");
        disk.cut();
        assertThat(read(disk.io(), file)).isEqualTo("forced");
    }

    @Test
    void aRenameIsUndoneByACutBeforeTheDirectoryFsync() throws IOException {
        FileIo io = disk.io();
        Path target = ROOT.resolve("target");
        Path tmp = ROOT.resolve("target.tmp");
        write(io, target, "old", true);
        io.fsyncDirectory(ROOT);
        write(io, tmp, "new", true);
        io.move(tmp, target);
        assertThat(read(io, target)).isEqualTo("new");
        disk.cut();
        assertThat(read(disk.io(), target)).isEqualTo("old");
        assertThat(disk.io().exists(tmp)).isFalse();

        io = disk.io();
        write(io, tmp, "new", true);
        io.move(tmp, target);
        io.fsyncDirectory(ROOT);
        disk.cut();
        assertThat(read(disk.io(), target)).isEqualTo("new");
    }

    @Test
    void aDirectoryWhoseOwnEntryIsNotDurableLosesItsFiles() throws IOException {
        FileIo io = disk.io();
        Path dir = ROOT.resolve("d");
        io.createDirectories(dir);
        write(io, dir.resolve("f"), "x", true);
        io.fsyncDirectory(dir);
        disk.cut();
        assertThat(disk.io().exists(dir)).isFalse();

        io = disk.io();
        io.createDirectoriesDurably(dir);
        write(io, dir.resolve("f"), "x", true);
        io.fsyncDirectory(dir);
        disk.cut();
        assertThat(read(disk.io(), dir.resolve("f"))).isEqualTo("x");
    }

    @Test
    void everyCallOfAnEndedPowerCycleFails() throws IOException {
        FileIo old = disk.io();
        Path file = ROOT.resolve("f");
        FileChannel channel = old.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        disk.cut();
        assertThatThrownBy(() -> channel.write(ByteBuffer.allocate(1), 0)).isInstanceOf(SimulatedDisk.PowerLost.class);
        assertThatThrownBy(channel::size).isInstanceOf(SimulatedDisk.PowerLost.class);
        assertThatThrownBy(() -> old.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
                .isInstanceOf(SimulatedDisk.PowerLost.class);
        assertThatThrownBy(() -> disk.io().open(file, StandardOpenOption.READ)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void injectedFaultsFireOnceAtTheirOperation() throws IOException {
        FileIo io = disk.io();
        Path file = ROOT.resolve("f");
        IOException injected = new IOException("injected");
        disk.failAt(SimulatedDisk.Op.FORCE, 2, injected);
        write(io, file, "a", true);
        assertThatThrownBy(() -> write(io, file, "b", true)).isSameAs(injected);
        write(io, file, "c", true);
        assertThat(read(io, file)).isEqualTo("abc");

        disk.limitBytes(4);
        assertThatThrownBy(() -> write(io, file, "de", false)).hasMessageContaining("No space left on device");
        assertThat(read(io, file)).isEqualTo("abc");
    }

    @Test
    void aScheduledCutRefusesItsOperationAndRevertsTheDisk() throws IOException {
        FileIo io = disk.io();
        Path file = ROOT.resolve("f");
        write(io, file, "a", true);
        io.fsyncDirectory(ROOT);
        disk.cutAt(2); // the write, then the force
        assertThatThrownBy(() -> write(io, file, "b", true)).isInstanceOf(SimulatedDisk.PowerLost.class);
        assertThat(disk.cutPending()).isFalse();
        assertThat(read(disk.io(), file)).isEqualTo("a");
    }
}
