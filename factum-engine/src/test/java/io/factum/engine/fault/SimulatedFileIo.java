package io.factum.engine.fault;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/** The {@link FileIo} of one power cycle of a {@link SimulatedDisk}; see there for the rules. */
final class SimulatedFileIo implements FileIo {
    private final SimulatedDisk disk;
    private final long cycle;

    SimulatedFileIo(SimulatedDisk disk, long cycle) {
        this.disk = disk;
        this.cycle = cycle;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        Path p = SimulatedDisk.normalize(path);
        Set<OpenOption> opts = Set.of(options);
        boolean write = opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.APPEND);
        boolean read = opts.contains(StandardOpenOption.READ) || !write;
        synchronized (disk) {
            disk.checkCycle(cycle, "open " + p);
            Object node = disk.node(p);
            if (node == SimulatedDisk.DIRECTORY) {
                if (write) {
                    throw new IOException(p + " is a directory");
                }
                return new SimulatedChannel(disk, cycle, p, null, true, false, false);
            }
            SimulatedDisk.Inode inode = (SimulatedDisk.Inode) node;
            if (inode != null && opts.contains(StandardOpenOption.CREATE_NEW) && write) {
                throw new FileAlreadyExistsException(p.toString());
            }
            if (inode == null) {
                boolean create = write
                        && (opts.contains(StandardOpenOption.CREATE) || opts.contains(StandardOpenOption.CREATE_NEW));
                if (!create) {
                    throw new NoSuchFileException(p.toString());
                }
                inode = disk.create(cycle, p);
            } else if (write && opts.contains(StandardOpenOption.TRUNCATE_EXISTING) && inode.size() > 0) {
                disk.truncate(cycle, inode, p, 0);
            }
            return new SimulatedChannel(disk, cycle, p, inode, read, write, opts.contains(StandardOpenOption.APPEND));
        }
    }

    @Override
    public boolean exists(Path path) {
        synchronized (disk) {
            return live() && disk.node(SimulatedDisk.normalize(path)) != null;
        }
    }

    @Override
    public boolean isDirectory(Path path) {
        synchronized (disk) {
            return live() && disk.node(SimulatedDisk.normalize(path)) == SimulatedDisk.DIRECTORY;
        }
    }

    /** exists and isDirectory cannot throw; after a cut they see nothing. */
    private boolean live() {
        try {
            disk.checkCycle(cycle, "look up a file");
            return true;
        } catch (SimulatedDisk.PowerLost e) {
            return false;
        }
    }

    @Override
    public long size(Path path) throws IOException {
        Path p = SimulatedDisk.normalize(path);
        synchronized (disk) {
            disk.checkCycle(cycle, "size of " + p);
            Object node = disk.node(p);
            if (node == null) {
                throw new NoSuchFileException(p.toString());
            }
            return node instanceof SimulatedDisk.Inode inode ? inode.size() : 0;
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        synchronized (disk) {
            disk.checkCycle(cycle, "create directories " + dir);
            disk.createDirectories(cycle, SimulatedDisk.normalize(dir));
        }
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        synchronized (disk) {
            disk.move(cycle, SimulatedDisk.normalize(source), SimulatedDisk.normalize(target));
        }
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        synchronized (disk) {
            return disk.delete(cycle, SimulatedDisk.normalize(path));
        }
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        synchronized (disk) {
            disk.checkCycle(cycle, "list " + dir);
            return disk.list(SimulatedDisk.normalize(dir));
        }
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        synchronized (disk) {
            disk.fsyncDirectory(cycle, SimulatedDisk.normalize(dir));
        }
    }

    @Override
    public Path realPath(Path path) throws IOException {
        Path p = SimulatedDisk.normalize(path);
        synchronized (disk) {
            disk.checkCycle(cycle, "resolve " + p);
            if (disk.node(p) == null) {
                throw new NoSuchFileException(p.toString());
            }
            return p;
        }
    }
}
