package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/** {@code struct kvm_cpuid_entry}: one leaf for the legacy KVM_SET_CPUID (§4.20); no sub-leaf index. */
public record CpuidEntry(int function, int eax, int ebx, int ecx, int edx, int padding) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"),
            JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"), JAVA_INT.withName("padding"))
            .withName("kvm_cpuid_entry");

    /** {@code struct kvm_cpuid} header: nent, padding; the entries follow. */
    public static final StructLayout CPUID_HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("nent"), JAVA_INT.withName("padding")).withName("kvm_cpuid");

    public CpuidEntry(int function, int eax, int ebx, int ecx, int edx) {
        this(function, eax, ebx, ecx, edx, 0);
    }

    public static CpuidEntry read(MemorySegment m, long o) {
        return new CpuidEntry(Mem.u32(m, o), Mem.u32(m, o + 4), Mem.u32(m, o + 8), Mem.u32(m, o + 12),
                Mem.u32(m, o + 16), Mem.u32(m, o + 20));
    }

    public void write(MemorySegment m, long o) {
        int[] v = {function, eax, ebx, ecx, edx, padding};
        for (int i = 0; i < v.length; i++) Mem.u32(m, o + 4L * i, v[i]);
    }
}
