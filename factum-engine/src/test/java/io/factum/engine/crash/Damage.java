package io.factum.engine.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** One way of damaging one file of a closed store: what a bad disk, a bad copy or a bad hand does. */
sealed interface Damage permits Damage.FlipByte, Damage.Truncate, Damage.Delete {

    void apply(Path file) throws IOException;

    /** For the report table: the kind and where. */
    String describe();

    /** XORs the byte at {@code offset} with {@code 0xFF}: every bit of it changes. */
    record FlipByte(long offset) implements Damage {
        @Override
        public void apply(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                if (ch.read(b, offset) != 1) {
                    throw new IOException("cannot read byte " + offset + " of " + file);
                }
                b.put(0, (byte) (b.get(0) ^ 0xFF)).rewind();
                ch.write(b, offset);
            }
        }

        @Override
        public String describe() {
            return "flip@" + offset;
        }
    }

    /** Cuts the file to {@code length} bytes. */
    record Truncate(long length) implements Damage {
        @Override
        public void apply(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(length);
            }
        }

        @Override
        public String describe() {
            return "truncate->" + length;
        }
    }

    /** Removes the file. */
    record Delete() implements Damage {
        @Override
        public void apply(Path file) throws IOException {
            Files.delete(file);
        }

        @Override
        public String describe() {
            return "delete";
        }
    }

    /**
     * The damages tried on a file of {@code size} bytes: flips of the first, middle and last byte
     * and of two random ones; truncation to 0, half, all but the last byte and a random length; and
     * deletion. Every one of them changes the file (an empty file only gets deleted).
     */
    static List<Damage> forFile(long size, Random random) {
        List<Damage> damages = new ArrayList<>();
        if (size > 0) {
            TreeSet<Long> flips = new TreeSet<>(List.of(0L, size / 2, size - 1));
            flips.add(random.nextLong(size));
            flips.add(random.nextLong(size));
            flips.forEach(o -> damages.add(new FlipByte(o)));
            TreeSet<Long> cuts = new TreeSet<>(List.of(0L, size / 2, size - 1));
            cuts.add(random.nextLong(size));
            cuts.forEach(l -> damages.add(new Truncate(l)));
        }
        damages.add(new Delete());
        return damages;
    }
}
