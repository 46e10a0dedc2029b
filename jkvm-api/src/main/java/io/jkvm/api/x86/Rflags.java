package io.jkvm.api.x86;

/** RFLAGS bits (SDM Vol. 1 §3.4.3), Linux processor-flags.h names. */
public final class Rflags {
    private Rflags() {}

    public static final long X86_EFLAGS_CF = 1L << 0, X86_EFLAGS_FIXED = 1L << 1, X86_EFLAGS_PF = 1L << 2,
            X86_EFLAGS_AF = 1L << 4, X86_EFLAGS_ZF = 1L << 6, X86_EFLAGS_SF = 1L << 7, X86_EFLAGS_TF = 1L << 8,
            X86_EFLAGS_IF = 1L << 9, X86_EFLAGS_DF = 1L << 10, X86_EFLAGS_OF = 1L << 11, X86_EFLAGS_IOPL = 3L << 12,
            X86_EFLAGS_NT = 1L << 14, X86_EFLAGS_RF = 1L << 16, X86_EFLAGS_VM = 1L << 17, X86_EFLAGS_AC = 1L << 18,
            X86_EFLAGS_VIF = 1L << 19, X86_EFLAGS_VIP = 1L << 20, X86_EFLAGS_ID = 1L << 21;
}
