package io.jkvm.vmm.devices.virtio.block;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw disk image file (the host side of virtio-blk; the device model itself holds no file). */
public final class DiskFile implements Disk, java.io.Closeable {
    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long size;

    private DiskFile(Path path, FileChannel channel, boolean readOnly, long size) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.size = size;
    }

    /**
     * Opens {@code path}; read-only opens it without write access at all.
     *
     * @throws IOException with a message naming the file when it is missing, a directory or unreadable
     */
    public static DiskFile open(Path path, boolean readOnly) throws IOException {
        if (!Files.exists(path)) throw new IOException("disk " + path + ": no such file");
        if (!Files.isRegularFile(path)) throw new IOException("disk " + path + ": not a regular file");
        FileChannel ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new DiskFile(path, ch, readOnly, ch.size());
    }

    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, MemorySegment dst) throws IOException {
        ByteBuffer b = dst.asByteBuffer();
        while (b.hasRemaining()) {
            int n = channel.read(b, offset + b.position());
            if (n < 0) {
                while (b.hasRemaining()) b.put((byte) 0);
            }
        }
    }

    @Override
    public void write(long offset, MemorySegment src) throws IOException {
        ByteBuffer b = src.asByteBuffer();
        while (b.hasRemaining()) channel.write(b, offset + b.position());
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
