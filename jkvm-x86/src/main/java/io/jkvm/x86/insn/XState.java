package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.fpu.FpuState;

/**
 * The XSAVE feature set for the x87 and SSE state components (SDM Vol. 1 Chapter 13): XGETBV/XSETBV of
 * XCR0, and XSAVE, XSAVEOPT, XRSTOR in the standard (non-compacted) format — the legacy region of FXSAVE
 * plus the 64-byte header. The processor does not track XINUSE (permitted: XINUSE[i] may always be 1), so
 * XSAVE sets XSTATE_BV for every requested component, and XSAVEOPT writes exactly what XSAVE writes.
 */
public final class XState {
    private XState() {}

    /** Size of the standard-format area for x87|SSE: 512-byte legacy region and the 64-byte header. */
    public static final int AREA_SIZE = 576;

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

    /** #UD without CR4.OSXSAVE, #NM with CR0.TS; then the 64-byte aligned area's linear address. */
    private static long area(Cpu c, Insn i, boolean write) {
        if ((c.cr4 & (1L << 18)) == 0) throw c.fault(Vector.UD);
        if ((c.cr0 & Cpu.CR0_TS) != 0) throw c.fault(Vector.NM);
        long la = c.linE(i, AREA_SIZE, write);
        if ((la & 63) != 0) throw c.fault(Vector.GP, 0);
        X87.probe(c, la, AREA_SIZE, write);
        return la;
    }

    /** The requested-feature bitmap: XCR0 AND EDX:EAX. */
    private static long rfbm(Cpu c) {
        return c.xcr0 & ((c.r[Cpu.RDX] & 0xffffffffL) << 32 | (c.r[Cpu.RAX] & 0xffffffffL));
    }

    /** XSAVE / XSAVEOPT (0F AE /4, /6): the requested components, and their XSTATE_BV bits set. */
    static void xsave(Cpu c, Insn i) {
        long la = area(c, i, true);
        long rfbm = rfbm(c);
        int what = ((rfbm & 1) != 0 ? FxSave.PART_X87 : 0) | ((rfbm & 2) != 0 ? FxSave.PART_XMM | FxSave.PART_MXCSR : 0);
        FxSave.writeLegacy(c, la, FxSave.wide(c, i), what);
        long bv = c.read(la + 512, 8);
        c.write(la + 512, 8, (bv & ~rfbm) | (rfbm & 3));
    }

    /**
     * XRSTOR (0F AE /5), standard form: #GP for a compacted or malformed header, XSTATE_BV bits outside XCR0
     * or a reserved MXCSR bit; components with XSTATE_BV clear are initialized; MXCSR loads whenever the
     * SSE component is requested.
     */
    static void xrstor(Cpu c, Insn i) {
        long la = area(c, i, false);
        long bv = c.read(la + 512, 8), comp = c.read(la + 520, 8), res = c.read(la + 528, 8);
        if (comp != 0 || res != 0 || (bv & ~c.xcr0) != 0) throw c.fault(Vector.GP, 0);
        long rfbm = rfbm(c);
        if ((rfbm & 2) != 0 && (c.read(la + 24, 4) & ~FxSave.MXCSR_MASK) != 0) throw c.fault(Vector.GP, 0);
        FpuState f = c.fpu;
        boolean wide = FxSave.wide(c, i);
        if ((rfbm & 1) != 0) {
            if ((bv & 1) != 0) FxSave.readLegacy(c, la, wide, FxSave.PART_X87);
            else initX87(f);
        }
        if ((rfbm & 2) != 0) {
            if ((bv & 2) != 0) FxSave.readLegacy(c, la, wide, FxSave.PART_XMM);
            else java.util.Arrays.fill(f.xmm, 0, c.mode64 ? 32 : 16, 0);
            FxSave.readLegacy(c, la, wide, FxSave.PART_MXCSR);
        }
    }

    /** The x87 component's initial configuration (SDM Vol. 1 §13.6). */
    public static void initX87(FpuState f) {
        f.finit();
        java.util.Arrays.fill(f.mant, 0);
        java.util.Arrays.fill(f.sexp, 0);
    }
}
