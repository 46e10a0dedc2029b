package io.jkvm.linux;

import io.jkvm.api.Errno;
import io.jkvm.api.KvmException;
import io.jkvm.linux.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A KVM file descriptor. Once closed, every call fails with EBADF here in Java: the number itself may
 * already belong to another file, so it must never reach ioctl again.
 */
final class Fd {
    private final int fd;
    private volatile boolean closed;
    private final String kind;

    Fd(int fd, String kind) {
        this.fd = fd;
        this.kind = kind;
    }

    int get() {
        if (closed) throw new KvmException(Errno.EBADF, kind + " fd is closed");
        return fd;
    }

    boolean isClosed() {
        return closed;
    }

    synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }

    /** ioctl with an integer argument; throws {@link KvmException} on failure. */
    int ioctl(String name, long request, long arg) {
        int r = Libc.ioctl(get(), request, arg);
        if (r < 0) throw new KvmException(-r, name);
        return r;
    }

    /** ioctl returning {@code -errno} instead of throwing. */
    int ioctlRaw(long request, long arg) {
        return Libc.ioctl(get(), request, arg);
    }

    /** ioctl on a zeroed native buffer of {@code size} bytes that {@code fill} prepares; returns the result of {@code read}. */
    <T> T ioctl(String name, long request, long size, Consumer<MemorySegment> fill, Function<MemorySegment, T> read) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size, 8);
            if (fill != null) fill.accept(buf);
            int r = Libc.ioctl(get(), request, buf.address());
            if (r < 0) throw new KvmException(-r, name);
            return read == null ? null : read.apply(buf);
        }
    }

    /** ioctl whose result depends on both the buffer and the return value (e.g. KVM_GET_MSRS's count). */
    <T> T ioctlResult(String name, long request, long size, Consumer<MemorySegment> fill,
                      java.util.function.BiFunction<MemorySegment, Integer, T> read) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size, 8);
            fill.accept(buf);
            int r = Libc.ioctl(get(), request, buf.address());
            if (r < 0) throw new KvmException(-r, name);
            return read.apply(buf, r);
        }
    }

    /** Like {@link #ioctl(String, long, long, Consumer, Function)} for ioctls whose only output is the return value. */
    int ioctlIn(String name, long request, long size, Consumer<MemorySegment> fill) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size, 8);
            fill.accept(buf);
            int r = Libc.ioctl(get(), request, buf.address());
            if (r < 0) throw new KvmException(-r, name);
            return r;
        }
    }
}
