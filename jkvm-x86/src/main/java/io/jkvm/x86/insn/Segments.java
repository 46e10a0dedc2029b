package io.jkvm.x86.insn;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.exc.Vector;

/**
 * Segment-register loads and descriptor-table access (SDM Vol. 3A ch. 3 and 5): the protection checks of
 * MOV/POP Sreg and LDS-family loads, descriptor fetch from the GDT/LDT, the accessed bit, and the
 * descriptor → hidden-cache conversion. Far transfers and task switches build on these.
 */
public final class Segments {
    private Segments() {}

    /** Descriptor type bits (S=1 code/data). */
    static final int TYPE_ACCESSED = 1, TYPE_WRITABLE_OR_READABLE = 2, TYPE_EXPAND_DOWN_OR_CONFORMING = 4, TYPE_CODE = 8;

    /** Access rights (VMX AR layout) of a descriptor's high dword. */
    public static int ar(long desc) {
        return (int) (desc >>> 40) & 0xf0ff;
    }

    public static long base(long desc) {
        return ((desc >>> 16) & 0xffffff) | ((desc >>> 32) & 0xff000000L);
    }

    /** Byte-granular limit. */
    public static long limit(long desc) {
        long l = (desc & 0xffff) | ((desc >>> 32) & 0xf0000);
        return (desc & (1L << 55)) != 0 ? (l << 12) | 0xfff : l;
    }

    static int dpl(long desc) {
        return (int) (desc >>> 45) & 3;
    }

    static boolean present(long desc) {
        return (desc & (1L << 47)) != 0;
    }

    static boolean system(long desc) {
        return (desc & (1L << 44)) == 0;
    }

    static int type(long desc) {
        return (int) (desc >>> 40) & 0xf;
    }

    /** Linear address of the descriptor for {@code sel}, or raises {@code vector}(sel) if outside its table. */
    static long descAddr(Cpu c, int sel, int vector) {
        long base;
        long limit;
        if ((sel & 4) != 0) {
            if ((c.segAr[CpuState.LDTR] & CpuState.AR_UNUSABLE) != 0 || c.segSel[CpuState.LDTR] == 0)
                throw c.fault(vector, sel & 0xfffc);
            base = c.segBase[CpuState.LDTR];
            limit = c.segLimit[CpuState.LDTR];
        } else {
            base = c.gdtBase;
            limit = c.gdtLimit;
        }
        int off = sel & 0xfff8;
        if (off + 7 > limit) throw c.fault(vector, sel & 0xfffc);
        return base + off;
    }

    /** The 8-byte descriptor for {@code sel} (a supervisor read). */
    public static long fetch(Cpu c, int sel, int vector) {
        return c.readSys(descAddr(c, sel, vector), 8);
    }

    /** The upper 8 bytes of a 16-byte system descriptor (long mode gates, TSS, LDT). */
    static long fetchHigh(Cpu c, int sel, int vector) {
        long a = descAddr(c, sel, vector);
        long limit = (sel & 4) != 0 ? c.segLimit[CpuState.LDTR] : c.gdtLimit;
        if ((sel & 0xfff8) + 15 > limit) throw c.fault(vector, sel & 0xfffc);
        return c.readSys(a + 8, 8);
    }

    /** Sets the descriptor's accessed bit if clear. */
    static void setAccessed(Cpu c, int sel, long desc) {
        if ((desc & (1L << 40)) == 0) c.writeSys(descAddr(c, sel, Vector.GP) + 5, 1, ((desc >>> 40) & 0xff) | 1);
    }

    /** Loads {@code s} from the descriptor (cache only, no checks). */
    static void loadCache(Cpu c, int s, int sel, long desc) {
        c.setSeg(s, sel, base(desc), limit(desc), ar(desc) | 1);
    }

    /** Marks a data segment register null/unusable (protected mode null selector). */
    static void loadNull(Cpu c, int s, int sel) {
        c.setSeg(s, sel, c.mode64 && s >= CpuState.FS ? 0 : 0, 0, CpuState.AR_UNUSABLE);
    }

    /** MOV Sreg / POP Sreg / LxS: the checks of SDM Vol. 2 "MOV—Move", protected-mode part. */
    public static void load(Cpu c, int s, int sel) {
        sel &= 0xffff;
        if (!c.protectedMode || c.vm86()) {
            c.loadSegReal(s, sel);
            return;
        }
        if (s == CpuState.CS) throw c.fault(Vector.UD);
        int rpl = sel & 3, cpl = c.cpl;
        if ((sel & 0xfffc) == 0) {
            if (s == CpuState.SS && !(c.mode64 && cpl != 3 && rpl == cpl)) throw c.fault(Vector.GP, 0);
            loadNull(c, s, sel);
            if (s == CpuState.SS) c.segAr[CpuState.SS] |= (cpl << 5);   // 64-bit null SS keeps DPL = CPL
            return;
        }
        long d = fetch(c, sel, Vector.GP);
        int dpl = dpl(d), type = type(d);
        if (s == CpuState.SS) {
            if (rpl != cpl || system(d) || (type & TYPE_CODE) != 0 || (type & TYPE_WRITABLE_OR_READABLE) == 0 || dpl != cpl)
                throw c.fault(Vector.GP, sel & 0xfffc);
            if (!present(d)) throw c.fault(Vector.SS, sel & 0xfffc);
        } else {
            if (system(d) || ((type & TYPE_CODE) != 0 && (type & TYPE_WRITABLE_OR_READABLE) == 0))
                throw c.fault(Vector.GP, sel & 0xfffc);
            boolean conformingCode = (type & (TYPE_CODE | TYPE_EXPAND_DOWN_OR_CONFORMING)) == (TYPE_CODE | TYPE_EXPAND_DOWN_OR_CONFORMING);
            if (!conformingCode && (rpl > dpl || cpl > dpl)) throw c.fault(Vector.GP, sel & 0xfffc);
            if (!present(d)) throw c.fault(Vector.NP, sel & 0xfffc);
        }
        setAccessed(c, sel, d);
        loadCache(c, s, sel, d);
    }

    /** After a privilege drop (RET/IRET to an outer level): data segments the new CPL may not use become null. */
    static void invalidateForCpl(Cpu c) {
        for (int s : new int[] {CpuState.ES, CpuState.DS, CpuState.FS, CpuState.GS}) {
            int ar = c.segAr[s];
            if ((ar & CpuState.AR_UNUSABLE) != 0) continue;
            int type = ar & 0xf, dpl = (ar >> 5) & 3;
            boolean dataOrNonConf = (type & TYPE_CODE) == 0 || (type & TYPE_EXPAND_DOWN_OR_CONFORMING) == 0;
            if (dataOrNonConf && dpl < c.cpl) loadNull(c, s, 0);
        }
    }
}
