package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_translation}: KVM_TRANSLATE (§4.15) result for {@code linear_address} under the vCPU's
 * current paging mode. valid/writeable/usermode are 0 or 1.
 */
public record Translation(long linear_address, long physical_address, int valid, int writeable, int usermode) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("linear_address"), JAVA_LONG.withName("physical_address"),
            JAVA_BYTE.withName("valid"), JAVA_BYTE.withName("writeable"), JAVA_BYTE.withName("usermode"),
            MemoryLayout.sequenceLayout(5, JAVA_BYTE).withName("pad")).withName("kvm_translation");

    public static Translation read(MemorySegment m) {
        return new Translation(Mem.u64(m, 0), Mem.u64(m, 8), Mem.u8(m, 16), Mem.u8(m, 17), Mem.u8(m, 18));
    }

    public void write(MemorySegment m) {
        Mem.u64(m, 0, linear_address);
        Mem.u64(m, 8, physical_address);
        Mem.u8(m, 16, valid);
        Mem.u8(m, 17, writeable);
        Mem.u8(m, 18, usermode);
    }
}
