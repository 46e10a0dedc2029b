package io.jkvm.x86.mmu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Compare-and-swap on guest RAM, the basis of LOCK-prefixed instructions across vCPUs: naturally aligned
 * 4- and 8-byte operands use the hardware CAS; 1- and 2-byte operands CAS their aligned 4-byte word; the
 * rest (split or unaligned locks, heap-backed RAM) fall back to one global lock.
 */
public final class Atomics {
    private Atomics() {}

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    /** Orders split/unaligned locked operations among themselves. */
    public static final Object SPLIT_LOCK = new Object();

    /** Whether {@link #cas} can be lock-free for {@code size} bytes at {@code off} of {@code m}. */
    public static boolean lockFree(MemorySegment m, long off, int size) {
        if (!m.isNative()) return false;
        long a = m.address() + off;
        return switch (size) {
            case 8 -> (a & 7) == 0;
            case 4 -> (a & 3) == 0;
            case 2 -> (a & 3) != 3;
            case 1 -> true;
            default -> false;
        };
    }

    /** Atomically replaces the little-endian {@code size}-byte value at {@code off} if it equals {@code expected}. */
    public static boolean cas(MemorySegment m, long off, int size, long expected, long value) {
        switch (size) {
            case 8:
                return LONG.compareAndSet(m, off, expected, value);
            case 4:
                return INT.compareAndSet(m, off, (int) expected, (int) value);
            default: {
                long a = m.address() + off;
                long word = off - (a & 3);
                int shift = (int) (a & 3) * 8;
                int mask = (size == 1 ? 0xff : 0xffff) << shift;
                int cur = (int) INT.getVolatile(m, word);
                if (((cur & mask) >>> shift) != (int) (expected & (size == 1 ? 0xff : 0xffff))) return false;
                int next = (cur & ~mask) | (((int) value << shift) & mask);
                return INT.compareAndSet(m, word, cur, next);
            }
        }
    }
}
