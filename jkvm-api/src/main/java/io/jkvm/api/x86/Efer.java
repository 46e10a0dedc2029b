package io.jkvm.api.x86;

/** IA32_EFER bits (MSR 0xC0000080), Linux msr-index.h names. */
public final class Efer {
    private Efer() {}

    public static final long EFER_SCE = 1L << 0, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NX = 1L << 11,
            EFER_SVME = 1L << 12, EFER_LMSLE = 1L << 13, EFER_FFXSR = 1L << 14;
}
