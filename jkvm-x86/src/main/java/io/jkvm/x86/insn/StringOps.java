package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.flags.Cc;
import io.jkvm.x86.flags.LazyFlags;

/**
 * String instructions MOVS CMPS STOS LODS SCAS with REP/REPE/REPNE (SDM Vol. 1 §7.3.9). Registers are
 * updated after every element, so a fault or an MMIO exit in the middle resumes exactly where it
 * stopped; a long REP yields after {@link #CHUNK} elements (RIP stays on the instruction) so interrupts
 * and kicks are not held off.
 */
public final class StringOps {
    private StringOps() {}

    static final int CHUNK = 16384;

    static long step(Cpu c, int size) {
        return (c.flags & Cpu.DF) != 0 ? -size : size;
    }

    /** Runs {@code body} once, or as REP: returns normally; sets nextRip = rip when the REP is unfinished. */
    private interface Element {
        /** One element; returns false to stop a REPE/REPNE. */
        boolean run(Cpu c, Insn i, int size, long delta);
    }

    private static void repeat(Cpu c, Insn i, Element e, boolean conditional) {
        int size = i.osize, a = i.asize;
        long delta = step(c, size);
        if (i.rep == 0) {
            e.run(c, i, size, delta);
            return;
        }
        long cx = c.reg(Cpu.RCX, a);
        for (int n = 0; cx != 0; n++) {
            if (n == CHUNK) {
                c.nextRip = c.rip;             // resume later
                return;
            }
            boolean more = e.run(c, i, size, delta);
            cx = (cx - 1) & mask(a);
            c.setReg(Cpu.RCX, a, cx);
            if (conditional) {
                boolean zf = LazyFlags.zf(c);
                if (i.rep == 0xf3 ? !zf : zf) return;
            }
            if (!more) return;
        }
    }

    private static long si(Cpu c, Insn i) { return c.reg(Cpu.RSI, i.asize); }
    private static long di(Cpu c, Insn i) { return c.reg(Cpu.RDI, i.asize); }
    private static void advSi(Cpu c, Insn i, long d) { c.setReg(Cpu.RSI, i.asize, c.r[Cpu.RSI] + d); }
    private static void advDi(Cpu c, Insn i, long d) { c.setReg(Cpu.RDI, i.asize, c.r[Cpu.RDI] + d); }

    private static final Element MOVS = (c, i, s, d) -> {
        long v = c.readSeg(i.seg, si(c, i), s);
        c.writeSeg(Cpu.ES, di(c, i), s, v);
        advSi(c, i, d);
        advDi(c, i, d);
        return true;
    };

    private static final Element CMPS = (c, i, s, d) -> {
        long a = c.readSeg(i.seg, si(c, i), s);
        long b = c.readSeg(Cpu.ES, di(c, i), s);
        advSi(c, i, d);
        advDi(c, i, d);
        c.cc(Cc.SUB, s, a, b, (a - b) & mask(s));
        return true;
    };

    private static final Element STOS = (c, i, s, d) -> {
        c.writeSeg(Cpu.ES, di(c, i), s, c.reg(Cpu.RAX, s));
        advDi(c, i, d);
        return true;
    };

    private static final Element LODS = (c, i, s, d) -> {
        c.setReg(Cpu.RAX, s, c.readSeg(i.seg, si(c, i), s));
        advSi(c, i, d);
        return true;
    };

    private static final Element SCAS = (c, i, s, d) -> {
        long a = c.reg(Cpu.RAX, s);
        long b = c.readSeg(Cpu.ES, di(c, i), s);
        advDi(c, i, d);
        c.cc(Cc.SUB, s, a, b, (a - b) & mask(s));
        return true;
    };

    public static void movs(Cpu c, Insn i) { repeat(c, i, MOVS, false); }
    public static void cmps(Cpu c, Insn i) { repeat(c, i, CMPS, true); }
    public static void stos(Cpu c, Insn i) { repeat(c, i, STOS, false); }
    public static void lods(Cpu c, Insn i) { repeat(c, i, LODS, false); }
    public static void scas(Cpu c, Insn i) { repeat(c, i, SCAS, true); }
}
