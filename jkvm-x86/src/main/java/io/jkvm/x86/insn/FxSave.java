package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.fpu.FpuState;

/**
 * FXSAVE/FXRSTOR (SDM Vol. 2 FXSAVE, Tables 3-43 to 3-47), LDMXCSR/STMXCSR, and the legacy region the XSAVE
 * family shares with them. The image is 32-bit format (FIP:FCS, FDP:FDS) except with REX.W in 64-bit mode
 * (FXSAVE64: 64-bit FIP and FDP). XMM8–15 are saved only in 64-bit mode. Bytes 464–511 belong to software
 * and are never written; the reserved bytes the CPU owns are written as zeros.
 */
public final class FxSave {
    private FxSave() {}

    /** MXCSR bits FXRSTOR/LDMXCSR/XRSTOR accept (MXCSR_MASK: DAZ included, no misaligned-SSE mode). */
    public static final int MXCSR_MASK = FpuState.MXCSR_MASK;

    /** Which parts of the legacy region to write or read: the x87 part, the XMM registers, MXCSR. */
    static final int PART_X87 = 1, PART_XMM = 2, PART_MXCSR = 4;

    /** FXSAVE m512 (0F AE /0). */
    static void fxsave(Cpu c, Insn i) {
        if ((c.cr0 & (Cpu.CR0_EM | Cpu.CR0_TS)) != 0) throw c.fault(Vector.NM);
        long la = Sse.addr(c, i, 512, true, true);
        probeEndFirst(c, la, true);
        writeLegacy(c, la, wide(c, i), PART_X87 | PART_XMM | PART_MXCSR);
    }

    /** FXRSTOR m512 (0F AE /1): a reserved MXCSR bit is #GP(0) before anything changes. */
    static void fxrstor(Cpu c, Insn i) {
        if ((c.cr0 & (Cpu.CR0_EM | Cpu.CR0_TS)) != 0) throw c.fault(Vector.NM);
        long la = Sse.addr(c, i, 512, false, true);
        probeEndFirst(c, la, false);
        int mx = (int) c.read(la + 24, 4);
        if ((mx & ~MXCSR_MASK) != 0) throw c.fault(Vector.GP, 0);
        readLegacy(c, la, wide(c, i), PART_X87 | PART_XMM | PART_MXCSR);
    }

    /**
     * The whole 512 bytes are checked before anything moves, the last byte first: a FXSAVE running into a
     * read-only page reports CR2 = its last byte (as the AMD reference does).
     */
    private static void probeEndFirst(Cpu c, long la, boolean write) {
        if (write) {
            c.probeWrite(la + 511, 1);
            c.probeWrite(la, 1);
        } else {
            c.read(la + 511, 1);
            c.read(la, 1);
        }
    }

    /** FXSAVE64/XSAVE64 (REX.W in 64-bit mode) use the 64-bit pointer layout. */
    static boolean wide(Cpu c, Insn i) {
        return c.mode64 && i.rexW;
    }

    static void ldmxcsr(Cpu c, Insn i) {
        Sse.sseChecks(c);
        int v = (int) c.read(c.linE(i, 4, false), 4);
        if ((v & ~MXCSR_MASK) != 0) throw c.fault(Vector.GP, 0);
        c.fpu.mxcsr = v;
    }

    static void stmxcsr(Cpu c, Insn i) {
        Sse.sseChecks(c);
        c.write(c.linE(i, 4, true), 4, c.fpu.mxcsr);
    }

    /** Writes the parts {@code what} of the legacy region at {@code la} (the caller probed the range). */
    static void writeLegacy(Cpu c, long la, boolean wide, int what) {
        FpuState f = c.fpu;
        if ((what & PART_X87) != 0) {
            c.write(la, 8, (f.fcw & 0xffffL) | (f.fsw & 0xffffL) << 16 | (f.ftw & 0xffL) << 32 | (f.fop & 0x7ffL) << 48);
            if (wide) {
                c.write(la + 8, 8, f.fip);
                c.write(la + 16, 8, f.fdp);
            } else {
                c.write(la + 8, 8, (f.fip & 0xffffffffL) | (f.fcs & 0xffffL) << 32);
                c.write(la + 16, 8, (f.fdp & 0xffffffffL) | (f.fds & 0xffffL) << 32);
            }
            int top = f.top();
            for (int k = 0; k < 8; k++) {                           // ST(k) order
                int p = (top + k) & 7;
                c.write(la + 32 + 16L * k, 8, f.mant[p]);
                c.write(la + 40 + 16L * k, 8, f.sexp[p] & 0xffffL);
            }
        }
        if ((what & PART_MXCSR) != 0) c.write(la + 24, 8, (f.mxcsr & 0xffffffffL) | (long) MXCSR_MASK << 32);
        if ((what & PART_XMM) != 0) {
            int n = c.mode64 ? 16 : 8;
            for (int k = 0; k < 2 * n; k++) c.write(la + 160 + 8L * k, 8, f.xmm[k]);
        }
    }

    /** Loads the parts {@code what} (MXCSR already validated by the caller). */
    static void readLegacy(Cpu c, long la, boolean wide, int what) {
        FpuState f = c.fpu;
        if ((what & PART_X87) != 0) {
            long w0 = c.read(la, 8), w1 = c.read(la + 8, 8), w2 = c.read(la + 16, 8);
            long[] mant = f.mant;
            int[] sexp = f.sexp;
            int fsw = (int) (w0 >>> 16) & 0xffff;
            int top = (fsw >> 11) & 7;
            for (int k = 0; k < 8; k++) {                           // the caller probed the range: no fault half-way
                long m = c.read(la + 32 + 16L * k, 8);
                int se = (int) c.read(la + 40 + 16L * k, 2);
                int p = (top + k) & 7;
                mant[p] = m;
                sexp[p] = se;
            }
            f.fcw = X87Control.fcwValue((int) w0);
            f.fsw = fsw;
            f.updateEs();                       // ES and B follow the loaded flags and masks, not the image's bits
            f.ftw = (int) (w0 >>> 32) & 0xff;
            f.fop = (int) (w0 >>> 48) & 0x7ff;
            if (wide) {
                f.fip = w1;
                f.fdp = w2;
                f.fcs = f.fds = 0;
            } else {
                f.fip = w1 & 0xffffffffL;
                f.fcs = (int) (w1 >>> 32) & 0xffff;
                f.fdp = w2 & 0xffffffffL;
                f.fds = (int) (w2 >>> 32) & 0xffff;
            }
        }
        if ((what & PART_MXCSR) != 0) f.mxcsr = (int) c.read(la + 24, 4);
        if ((what & PART_XMM) != 0) {
            int n = c.mode64 ? 16 : 8;
            for (int k = 0; k < 2 * n; k++) f.xmm[k] = c.read(la + 160 + 8L * k, 8);
        }
    }
}
