package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_dtable}: a descriptor-table register (GDTR/IDTR): base and 16-bit limit. */
public record Dtable(long base, int limit) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding")).withName("kvm_dtable");

    public static Dtable read(MemorySegment m, long o) {
        return new Dtable(Mem.u64(m, o), Mem.u16(m, o + 8));
    }

    public void write(MemorySegment m, long o) {
        Mem.u64(m, o, base);
        Mem.u16(m, o + 8, limit);
        Mem.u16(m, o + 10, 0);
        Mem.u32(m, o + 12, 0);
    }
}
