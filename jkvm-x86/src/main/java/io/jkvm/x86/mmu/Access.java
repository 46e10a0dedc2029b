package io.jkvm.x86.mmu;

/** Kinds of memory access, for permission checks and #PF error codes. */
public final class Access {
    private Access() {}

    public static final int READ = 0, WRITE = 1, EXEC = 2;

    /** #PF error-code bits (SDM Vol. 3A §4.7). */
    public static final int PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;
}
