package io.jkvm.x86.cpuid;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUID leaves the core supports — what the java backend's KVM_GET_SUPPORTED_CPUID returns. Every
 * feature bit set here is implemented by the interpreter; nothing is advertised for later.
 * Entries are {function, index, flags, eax, ebx, ecx, edx}.
 */
public final class Features {
    private Features() {}

    public static final String VENDOR = "GenuineIntel";
    public static final String BRAND = "jkvm pure-Java x86-64 CPU";

    // CPUID.1:EDX
    static final int FPU = 0, DE = 2, PSE = 3, TSC = 4, MSR = 5, PAE = 6, CX8 = 8, APIC = 9, SEP = 11, MTRR = 12,
            PGE = 13, CMOV = 15, PAT = 16, PSE36 = 17, CLFSH = 19, MMX = 23, FXSR = 24, SSE = 25, SSE2 = 26;
    // CPUID.1:ECX
    static final int SSE3 = 0, PCLMULQDQ = 1, SSSE3 = 9, CX16 = 13, SSE4_1 = 19, SSE4_2 = 20, X2APIC = 21, MOVBE = 22,
            POPCNT = 23, TSC_DEADLINE = 24, XSAVE = 26, HYPERVISOR = 31;
    // CPUID.(EAX=0DH,ECX=1):EAX
    static final int XSAVEOPT = 0;

    /** XCR0 components the core implements: x87 and SSE; their standard XSAVE area (legacy region + header). */
    static final int XSTATE_COMPONENTS = 3, XSTATE_SIZE = 576;
    // CPUID.80000001:EDX / ECX
    static final int SYSCALL = 11, NX = 20, PDPE1GB = 26, RDTSCP = 27, LM = 29, LAHF_LM = 0, ABM = 5;

    public static List<int[]> supported() {
        List<int[]> l = new ArrayList<>();
        byte[] v = VENDOR.getBytes(StandardCharsets.US_ASCII);
        l.add(new int[] {0, 0, 0, 0xd, le(v, 0), le(v, 8), le(v, 4)});
        int edx1 = bits(FPU, DE, PSE, TSC, MSR, PAE, CX8, SEP, MTRR, PGE, CMOV, PAT, PSE36, CLFSH, MMX, FXSR, SSE, SSE2);
        int ecx1 = bits(SSE3, PCLMULQDQ, SSSE3, CX16, SSE4_1, SSE4_2, MOVBE, POPCNT, XSAVE, HYPERVISOR);
        // family 6 model 0x3a-like signature; CLFLUSH line 8 qwords; one logical processor per package
        l.add(new int[] {1, 0, 0, 0x000306a9, 0x00010800, ecx1, edx1});
        l.add(new int[] {7, 0, CpuidTable.SIGNIFICANT_INDEX, 0, 0, 0, 0});
        // leaf 0xD: supported XCR0 bits, area size for the enabled and for all components, XSAVEOPT
        l.add(new int[] {0xd, 0, CpuidTable.SIGNIFICANT_INDEX, XSTATE_COMPONENTS, XSTATE_SIZE, XSTATE_SIZE, 0});
        l.add(new int[] {0xd, 1, CpuidTable.SIGNIFICANT_INDEX, bits(XSAVEOPT), 0, 0, 0});
        l.add(new int[] {0x80000000, 0, 0, 0x80000008, 0, 0, 0});
        l.add(new int[] {0x80000001, 0, 0, 0, 0, bits(LAHF_LM, ABM), bits(SYSCALL, NX, PDPE1GB, RDTSCP, LM)});
        byte[] brand = java.util.Arrays.copyOf(BRAND.getBytes(StandardCharsets.US_ASCII), 48);
        for (int k = 0; k < 3; k++) {
            int o = 16 * k;
            l.add(new int[] {0x80000002 + k, 0, 0, le(brand, o), le(brand, o + 4), le(brand, o + 8), le(brand, o + 12)});
        }
        l.add(new int[] {0x80000008, 0, 0, (48 << 8) | io.jkvm.x86.mmu.Paging.MAXPHYADDR, 0, 0, 0});
        return l;
    }

    private static int bits(int... b) {
        int v = 0;
        for (int x : b) v |= 1 << x;
        return v;
    }

    private static int le(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }
}
