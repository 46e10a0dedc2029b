package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_msr_entry}: one MSR of KVM_GET_MSRS / KVM_SET_MSRS (§4.18–4.19). */
public record MsrEntry(int index, int reserved, long data) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data"))
            .withName("kvm_msr_entry");

    /** {@code struct kvm_msrs} header: nmsrs, pad; the entries follow. */
    public static final StructLayout MSRS_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"), JAVA_INT.withName("pad")).withName("kvm_msrs");

    /** {@code struct kvm_msr_list} header: nmsrs; the u32 indices follow. */
    public static final StructLayout MSR_LIST_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs")).withName("kvm_msr_list");

    public MsrEntry(int index, long data) {
        this(index, 0, data);
    }

    public static MsrEntry read(MemorySegment m, long o) {
        return new MsrEntry(Mem.u32(m, o), Mem.u32(m, o + 4), Mem.u64(m, o + 8));
    }

    public void write(MemorySegment m, long o) {
        Mem.u32(m, o, index);
        Mem.u32(m, o + 4, reserved);
        Mem.u64(m, o + 8, data);
    }
}
