package io.jkvm.java.timer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * kvmclock (Linux Documentation/virt/kvm/x86/msr.rst): the guest registers a {@code pvclock_vcpu_time_info}
 * with MSR_KVM_SYSTEM_TIME_NEW and a {@code pvclock_wall_clock} with MSR_KVM_WALL_CLOCK_NEW; KVM fills them so
 * that {@code ns = system_time + ((tsc − tsc_timestamp) scaled by mul/shift)}. jkvm's TSC runs at a fixed
 * rate from host monotonic time, so one update stays exact until the clock or the TSC is changed.
 */
public final class KvmClock {
    private KvmClock() {}

    public static final int MSR_KVM_WALL_CLOCK_NEW = 0x4b564d00, MSR_KVM_SYSTEM_TIME_NEW = 0x4b564d01,
            MSR_KVM_WALL_CLOCK = 0x11, MSR_KVM_SYSTEM_TIME = 0x12;
    /** pvclock flags: the TSC is synchronized across vCPUs, so the guest may skip its monotonicity fix-ups. */
    public static final int PVCLOCK_TSC_STABLE_BIT = 1;

    /** {mul, shift} with {@code ns = (tsc << shift or >> -shift) * mul >> 32} (Linux kvm_get_time_scale). */
    public static int[] timeScale(long scaledHz, long baseHz) {
        long tps64 = baseHz, tps32;
        int shift = 0;
        long scaled64 = scaledHz;
        while (tps64 > scaled64 * 2 || (tps64 & 0xffffffff00000000L) != 0) {
            tps64 >>>= 1;
            shift--;
        }
        tps32 = tps64;
        while (tps32 <= scaled64 || (scaled64 & 0xffffffff00000000L) != 0) {
            if ((scaled64 & 0xffffffff00000000L) != 0 || (tps32 & 0x80000000L) != 0) scaled64 >>>= 1;
            else tps32 <<= 1;
            shift++;
        }
        long mul = Long.divideUnsigned(scaled64 << 32, tps32);
        return new int[] {(int) mul, shift};
    }

    /** Writes pvclock_vcpu_time_info (32 bytes) at {@code off} of {@code m}, bumping the version around it. */
    public static void writeTimeInfo(MemorySegment m, long off, long tscTimestamp, long systemTimeNs, int mul, int shift) {
        int version = m.get(ValueLayout.JAVA_INT_UNALIGNED, off);
        version = (version + 1) | 1;                          // odd: update in progress
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off, version);
        java.lang.invoke.VarHandle.fullFence();
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, off + 8, tscTimestamp);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, off + 16, systemTimeNs);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off + 24, mul);
        m.set(ValueLayout.JAVA_BYTE, off + 28, (byte) shift);
        m.set(ValueLayout.JAVA_BYTE, off + 29, (byte) PVCLOCK_TSC_STABLE_BIT);
        java.lang.invoke.VarHandle.fullFence();
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off, version + 1);   // even: consistent
    }

    /** Writes pvclock_wall_clock {version, sec, nsec}: the wall-clock time when kvmclock read 0. */
    public static void writeWallClock(MemorySegment m, long off, long epochNsAtZero) {
        int version = m.get(ValueLayout.JAVA_INT_UNALIGNED, off);
        version = (version + 1) | 1;
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off, version);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off + 4, (int) (epochNsAtZero / 1_000_000_000L));
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off + 8, (int) (epochNsAtZero % 1_000_000_000L));
        m.set(ValueLayout.JAVA_INT_UNALIGNED, off, version + 1);
    }
}
