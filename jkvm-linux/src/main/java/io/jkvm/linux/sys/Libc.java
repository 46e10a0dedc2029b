package io.jkvm.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the linux backend needs, bound once through {@link Linker}. Each wrapper returns
 * {@code >= 0} on success or {@code -errno}, errno being captured with {@code captureCallState("errno")}
 * into a per-thread segment, so a call allocates nothing.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int SA_RESTART = 0x10000000;
    public static final int EINTR = 4, EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE_SEG =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, options);
    }

    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2), ERRNO_OPT);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);
    /** ioctl is variadic after the request: the third argument is passed as a variadic long (pointer or value). */
    private static final MethodHandle IOCTL = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2), ERRNO_OPT);
    private static final MethodHandle MMAP = bind("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPT);
    private static final MethodHandle MPROTECT = bind("mprotect",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle GETPID = bind("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = bind("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = bind("tgkill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    private static final MethodHandle SIGACTION = bind("sigaction",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT);
    private static final MethodHandle SIGRTMIN = bind("__libc_current_sigrtmin", FunctionDescriptor.of(JAVA_INT));

    private static int errno(MemorySegment cap) {
        return (int) ERRNO.get(cap, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** open(2). */
    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) OPEN.invokeExact(cap, a.allocateFrom(path), flags);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** close(2). */
    public static int close(int fd) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) CLOSE.invokeExact(cap, fd);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl(2) with an integer or pointer argument; {@code >= 0} or {@code -errno}. */
    public static int ioctl(int fd, long request, long arg) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) IOCTL.invokeExact(cap, fd, request, arg);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** ioctl(2) with a caller-provided errno capture segment (the hot path: no ThreadLocal lookup). */
    public static int ioctl(MemorySegment capture, int fd, long request, long arg) {
        try {
            int r = (int) IOCTL.invokeExact(capture, fd, request, arg);
            return r >= 0 ? r : -errno(capture);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A segment to pass to {@link #ioctl(MemorySegment, int, long, long)}. */
    public static MemorySegment newCaptureSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** mmap(2): the address, or {@code -errno} (addresses never look like small negatives). */
    public static long mmap(long addr, long len, int prot, int flags, int fd, long off) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            long r = (long) MMAP.invokeExact(cap, addr, len, prot, flags, fd, off);
            return r != -1 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int munmap(long addr, long len) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) MUNMAP.invokeExact(cap, addr, len);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int mprotect(long addr, long len, int prot) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) MPROTECT.invokeExact(cap, addr, len, prot);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int tgkill(int pid, int tid, int sig) {
        try {
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) TGKILL.invokeExact(cap, pid, tid, sig);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** glibc's SIGRTMIN (a function, since glibc reserves the first real-time signals for itself). */
    public static int sigrtmin() {
        try {
            return (int) SIGRTMIN.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * glibc's {@code struct sigaction} on x86-64: handler, 128-byte sa_mask, sa_flags, sa_restorer.
     * glibc's sigaction() fills in the restorer itself.
     */
    public static final StructLayout SIGACTION_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sa_handler"), MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("sa_mask"),
            JAVA_INT.withName("sa_flags"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("sa_restorer"));

    /** sigaction(2) installing {@code handler} (a native code address) for {@code sig} with {@code flags}. */
    public static int sigaction(int sig, long handler, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SIGACTION_LAYOUT);
            sa.set(JAVA_LONG, 0, handler);
            sa.set(JAVA_INT, 136, flags);
            MemorySegment cap = CAPTURE_SEG.get();
            int r = (int) SIGACTION.invokeExact(cap, sig, sa, MemorySegment.NULL);
            return r >= 0 ? r : -errno(cap);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A native segment over {@code [addr, addr+len)} (restricted: the caller vouches for the mapping). */
    public static MemorySegment segment(long addr, long len) {
        return MemorySegment.ofAddress(addr).reinterpret(len);
    }

}
