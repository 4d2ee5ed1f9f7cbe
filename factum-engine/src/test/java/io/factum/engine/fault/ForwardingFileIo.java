package io.factum.engine.fault;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;

/** A FileIo that forwards every call to another; tests override the calls they count or break. */
public class ForwardingFileIo implements FileIo {
    private final FileIo delegate;

    public ForwardingFileIo(FileIo delegate) {
        this.delegate = delegate;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return delegate.open(path, options);
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return delegate.isDirectory(path);
    }

    @Override
    public long size(Path path) throws IOException {
        return delegate.size(path);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        delegate.move(source, target);
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return delegate.deleteIfExists(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        delegate.fsyncDirectory(dir);
    }

    @Override
    public Path realPath(Path path) throws IOException {
        return delegate.realPath(path);
    }
}
