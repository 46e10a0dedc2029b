package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exc.Vector;

/** XCR0 access: XGETBV and XSETBV (need CR4.OSXSAVE). The XSAVE area itself comes with the FPU. */
public final class XState {
    private XState() {}

    /** XCR0 bits the core can enable: x87 always, SSE when the guest's CPUID offers it. */
    public static long supportedXcr0(Cpu c) {
        return 1L | (c.cpuid.has(1, 0, 3, 25) ? 2L : 0);
    }

    static void xgetbvXsetbv(Cpu c, boolean set) {
        if ((c.cr4 & (1L << 18)) == 0) throw c.fault(Vector.UD);
        if (!set) {
            if ((int) c.r[Cpu.RCX] != 0) throw c.fault(Vector.GP, 0);
            c.setReg(Cpu.RAX, 4, c.xcr0);
            c.setReg(Cpu.RDX, 4, c.xcr0 >>> 32);
            return;
        }
        if (c.protectedMode && c.cpl != 0) throw c.fault(Vector.GP, 0);
        long v = (c.r[Cpu.RDX] & 0xffffffffL) << 32 | (c.r[Cpu.RAX] & 0xffffffffL);
        if (!setXcr0(c, (int) c.r[Cpu.RCX], v)) throw c.fault(Vector.GP, 0);
    }

    /** Sets XCR{@code n}; false for an invalid register or value (bit 0 must be set, only supported bits). */
    public static boolean setXcr0(Cpu c, int n, long v) {
        if (n != 0 || (v & 1) == 0 || (v & ~supportedXcr0(c)) != 0) return false;
        c.xcr0 = v;
        return true;
    }
}
