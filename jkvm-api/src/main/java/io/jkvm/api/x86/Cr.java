package io.jkvm.api.x86;

/** Control-register bits (Intel SDM Vol. 3A §2.5), with Linux's processor-flags.h names. */
public final class Cr {
    private Cr() {}

    public static final long X86_CR0_PE = 1L << 0, X86_CR0_MP = 1L << 1, X86_CR0_EM = 1L << 2, X86_CR0_TS = 1L << 3,
            X86_CR0_ET = 1L << 4, X86_CR0_NE = 1L << 5, X86_CR0_WP = 1L << 16, X86_CR0_AM = 1L << 18,
            X86_CR0_NW = 1L << 29, X86_CR0_CD = 1L << 30, X86_CR0_PG = 1L << 31;

    public static final long X86_CR3_PCID_MASK = 0xfff;

    public static final long X86_CR4_VME = 1L << 0, X86_CR4_PVI = 1L << 1, X86_CR4_TSD = 1L << 2, X86_CR4_DE = 1L << 3,
            X86_CR4_PSE = 1L << 4, X86_CR4_PAE = 1L << 5, X86_CR4_MCE = 1L << 6, X86_CR4_PGE = 1L << 7,
            X86_CR4_PCE = 1L << 8, X86_CR4_OSFXSR = 1L << 9, X86_CR4_OSXMMEXCPT = 1L << 10, X86_CR4_UMIP = 1L << 11,
            X86_CR4_LA57 = 1L << 12, X86_CR4_FSGSBASE = 1L << 16, X86_CR4_PCIDE = 1L << 17, X86_CR4_OSXSAVE = 1L << 18,
            X86_CR4_SMEP = 1L << 20, X86_CR4_SMAP = 1L << 21, X86_CR4_PKE = 1L << 22;
}
