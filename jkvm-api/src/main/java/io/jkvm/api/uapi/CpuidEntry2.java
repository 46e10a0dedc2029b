package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_cpuid_entry2}: one CPUID leaf/sub-leaf for KVM_GET_SUPPORTED_CPUID (§4.46) and
 * KVM_SET_CPUID2. {@code index} matters only when flags has {@link #KVM_CPUID_FLAG_SIGNIFCANT_INDEX}.
 */
public record CpuidEntry2(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {

    /** The index field is valid (Linux spells it SIGNIFCANT). */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
    public static final int KVM_CPUID_FLAG_STATEFUL_FUNC = 2;
    public static final int KVM_CPUID_FLAG_STATE_READ_NEXT = 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding")).withName("kvm_cpuid_entry2");

    /** {@code struct kvm_cpuid2} header: nent, padding; the entries follow. */
    public static final StructLayout CPUID2_HEADER = CpuidEntry.CPUID_HEADER.withName("kvm_cpuid2");

    public static CpuidEntry2 read(MemorySegment m, long o) {
        return new CpuidEntry2(Mem.u32(m, o), Mem.u32(m, o + 4), Mem.u32(m, o + 8), Mem.u32(m, o + 12),
                Mem.u32(m, o + 16), Mem.u32(m, o + 20), Mem.u32(m, o + 24));
    }

    public void write(MemorySegment m, long o) {
        int[] v = {function, index, flags, eax, ebx, ecx, edx, 0, 0, 0};
        for (int i = 0; i < v.length; i++) Mem.u32(m, o + 4L * i, v[i]);
    }

    /** True when this entry answers CPUID with EAX=function, ECX=index. */
    public boolean matches(int fn, int idx) {
        return function == fn && ((flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0 || index == idx);
    }

    public CpuidEntry2 withRegs(int a, int b, int c, int d) {
        return new CpuidEntry2(function, index, flags, a, b, c, d);
    }
}
