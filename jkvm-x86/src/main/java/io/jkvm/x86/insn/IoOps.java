package io.jkvm.x86.insn;

import static io.jkvm.x86.Cpu.mask;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.CpuState;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.exec.Exit;

/**
 * Port I/O: IN, OUT, INS, OUTS (SDM Vol. 1 ch. 19). Permission: CPL ≤ IOPL, else the TSS I/O bitmap.
 * Ports the platform handles in the kernel complete at once; others become KVM_EXIT_IO: OUT after the
 * instruction retires, IN by unwinding and replaying with the VMM's data. String forms batch up to a
 * page of elements into one exit, as KVM does.
 */
public final class IoOps {
    private IoOps() {}

    /** #GP(0) unless the current privilege may access {@code [port, port+size)}. */
    static void checkPort(Cpu c, int port, int size) {
        if (!c.protectedMode) return;
        if (!c.vm86() && c.cpl <= ((c.flags >> 12) & 3)) return;
        int tr = c.segAr[CpuState.TR] & 0xf;
        if ((tr != 0x9 && tr != 0xb) || c.segLimit[CpuState.TR] < 0x67) throw c.fault(Vector.GP, 0);
        long base = c.readSys(c.segBase[CpuState.TR] + 0x66, 2);
        long byteOff = base + (port >>> 3);
        if (byteOff + 1 > c.segLimit[CpuState.TR]) throw c.fault(Vector.GP, 0);
        int bits = (int) c.readSys(c.segBase[CpuState.TR] + byteOff, 2);
        if (((bits >>> (port & 7)) & ((1 << size) - 1)) != 0) throw c.fault(Vector.GP, 0);
    }

    private static int port(Cpu c, Insn i) {
        return i.sub == 1 ? (int) c.r[Cpu.RDX] & 0xffff : (int) i.imm & 0xff;
    }

    public static void in(Cpu c, Insn i) {
        int size = i.osize, port = port(c, i);
        checkPort(c, port, size);
        long v;
        if (c.platform.portIn(c, port, size)) v = c.ioValue;
        else v = c.replayOrExit(Exit.IO, port, size);
        c.setReg(Cpu.RAX, size, v & mask(size));
    }

    public static void out(Cpu c, Insn i) {
        int size = i.osize, port = port(c, i);
        checkPort(c, port, size);
        long v = c.reg(Cpu.RAX, size);
        if (!c.platform.portOut(c, port, size, (int) v)) c.queueExit(Exit.IO, port, size, v);
    }

    /** Elements a string I/O exit may carry: the REP count, capped by the PIO page and the memory page. */
    private static int batch(Cpu c, Insn i, long addr, int size) {
        if (i.rep == 0) return 1;
        long cx = c.reg(Cpu.RCX, i.asize);
        long byPage = (c.flags & Cpu.DF) != 0 ? ((addr & 0xfff) / size) + 1 : (4096 - (addr & 0xfff)) / size;
        long n = Math.min(cx, Math.min(byPage, 4096 / size));
        return (int) Math.max(1, n);
    }

    public static void outs(Cpu c, Insn i) {
        int size = i.osize, port = (int) c.r[Cpu.RDX] & 0xffff;
        checkPort(c, port, size);
        if (i.rep != 0 && c.reg(Cpu.RCX, i.asize) == 0) return;
        long delta = StringOps.step(c, size);
        long si = c.reg(Cpu.RSI, i.asize);
        int n = batch(c, i, si, size);
        boolean kernel = false;
        for (int k = 0; k < n; k++) {
            long v = c.readSeg(i.seg, si, size);
            if (k == 0 && c.platform.portOut(c, port, size, (int) v)) kernel = true;
            else if (kernel) c.platform.portOut(c, port, size, (int) v);
            else for (int b = 0; b < size; b++) c.ioBuffer[k * size + b] = (byte) (v >>> (8 * b));
            si = (si + delta) & mask(i.asize);
        }
        c.setReg(Cpu.RSI, i.asize, si);
        if (i.rep != 0) {
            long cx = c.reg(Cpu.RCX, i.asize) - n;
            c.setReg(Cpu.RCX, i.asize, cx);
            if ((cx & mask(i.asize)) != 0) c.nextRip = c.rip;
        }
        if (!kernel) c.queueExit(Exit.IO, port, size, 0, n, true);
    }

    /**
     * INS: the first attempt exits with the element count; the VMM fills {@code ioBuffer}; the replay
     * ({@link Cpu#insReady}) stores the elements and advances rDI/rCX.
     */
    public static void ins(Cpu c, Insn i) {
        int size = i.osize, port = (int) c.r[Cpu.RDX] & 0xffff;
        checkPort(c, port, size);
        if (i.rep != 0 && c.reg(Cpu.RCX, i.asize) == 0) return;
        long delta = StringOps.step(c, size);
        long di = c.reg(Cpu.RDI, i.asize);
        int n = batch(c, i, di, size);
        boolean kernel = c.platform.portIn(c, port, size);
        if (!kernel && c.insReady != n) {
            c.lin(Cpu.ES, di, size, true);          // a bad destination faults before the exit, as on hardware
            c.exitReason = Exit.IO;
            c.exitAddr = port;
            c.exitLen = size;
            c.exitWrite = false;
            c.exitCount = n;
            c.exitString = true;
            throw c.exitRequest;
        }
        for (int k = 0; k < n; k++) {
            long v;
            if (kernel) {
                if (k > 0) c.platform.portIn(c, port, size);
                v = c.ioValue;
            } else {
                v = 0;
                for (int b = 0; b < size; b++) v |= (c.ioBuffer[k * size + b] & 0xffL) << (8 * b);
            }
            c.writeSeg(Cpu.ES, di, size, v);
            di = (di + delta) & mask(i.asize);
            c.setReg(Cpu.RDI, i.asize, di);
            if (i.rep != 0) c.setReg(Cpu.RCX, i.asize, c.reg(Cpu.RCX, i.asize) - 1);
        }
        c.insReady = 0;
        if (i.rep != 0 && c.reg(Cpu.RCX, i.asize) != 0) c.nextRip = c.rip;
    }
}
