package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_clock_data}: KVM_GET_CLOCK / KVM_SET_CLOCK (§4.29–4.30). {@code clock} is kvmclock in
 * nanoseconds. The seed shows {@code pad[9]}; current Linux carves {@code pad0, realtime, host_tsc} out of
 * it (valid when flags has {@link #KVM_CLOCK_REALTIME} / {@link #KVM_CLOCK_HOST_TSC}); same 48 bytes.
 */
public record ClockData(long clock, int flags, long realtime, long host_tsc) {

    public static final int KVM_CLOCK_TSC_STABLE = 2;
    public static final int KVM_CLOCK_REALTIME = 1 << 2;
    public static final int KVM_CLOCK_HOST_TSC = 1 << 3;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("clock"), JAVA_INT.withName("flags"), JAVA_INT.withName("pad0"),
            JAVA_LONG.withName("realtime"), JAVA_LONG.withName("host_tsc"),
            MemoryLayout.sequenceLayout(4, JAVA_INT).withName("pad")).withName("kvm_clock_data");

    public static ClockData of(long clock) {
        return new ClockData(clock, 0, 0, 0);
    }

    public static ClockData read(MemorySegment m) {
        return new ClockData(Mem.u64(m, 0), Mem.u32(m, 8), Mem.u64(m, 16), Mem.u64(m, 24));
    }

    public void write(MemorySegment m) {
        Mem.u64(m, 0, clock);
        Mem.u32(m, 8, flags);
        Mem.u64(m, 16, realtime);
        Mem.u64(m, 24, host_tsc);
    }
}
