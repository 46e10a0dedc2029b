package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_pit_channel_state}: one i8254 counter of KVM_GET_PIT2 / KVM_SET_PIT2. */
public record PitChannelState(int count, int latched_count, int count_latched, int status_latched, int status,
                              int read_state, int write_state, int write_latch, int rw_mode, int mode, int bcd,
                              int gate, long count_load_time) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("count"), JAVA_SHORT.withName("latched_count"), JAVA_BYTE.withName("count_latched"),
            JAVA_BYTE.withName("status_latched"), JAVA_BYTE.withName("status"), JAVA_BYTE.withName("read_state"),
            JAVA_BYTE.withName("write_state"), JAVA_BYTE.withName("write_latch"), JAVA_BYTE.withName("rw_mode"),
            JAVA_BYTE.withName("mode"), JAVA_BYTE.withName("bcd"), JAVA_BYTE.withName("gate"),
            JAVA_LONG.withName("count_load_time")).withName("kvm_pit_channel_state");

    public static PitChannelState read(MemorySegment m, long o) {
        return new PitChannelState(Mem.u32(m, o), Mem.u16(m, o + 4), Mem.u8(m, o + 6), Mem.u8(m, o + 7),
                Mem.u8(m, o + 8), Mem.u8(m, o + 9), Mem.u8(m, o + 10), Mem.u8(m, o + 11), Mem.u8(m, o + 12),
                Mem.u8(m, o + 13), Mem.u8(m, o + 14), Mem.u8(m, o + 15), Mem.u64(m, o + 16));
    }

    public void write(MemorySegment m, long o) {
        Mem.u32(m, o, count);
        Mem.u16(m, o + 4, latched_count);
        int[] b = {count_latched, status_latched, status, read_state, write_state, write_latch, rw_mode, mode, bcd, gate};
        for (int i = 0; i < b.length; i++) Mem.u8(m, o + 6 + i, b[i]);
        Mem.u64(m, o + 16, count_load_time);
    }
}
