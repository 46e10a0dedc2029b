package io.jkvm.x86.insn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.Platform;
import io.jkvm.x86.RamSlot;
import io.jkvm.x86.exec.Exit;
import io.jkvm.x86.exec.Interpreter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * A bare CPU in flat 32-bit protected mode for instruction tests: code at {@link #CODE}, data at
 * {@link #DATA}, and an IDT whose handler for vector v puts v in EAX and halts — so a test reads which
 * exception (if any) an instruction raised: EAX = -1 when the code ran to its final HLT.
 */
final class Machine {
    static final long GDT = 0x1000, IDT = 0x2000, HANDLERS = 0x3000, CODE = 0x10000, DATA = 0x20000, STACK = 0x80000;

    final MemorySegment ram = Arena.ofAuto().allocate(0x100000, 4096);
    final Cpu cpu;
    final Interpreter interp;

    Machine() {
        RamSlot slot = new RamSlot(0, 0, ram, false, false);
        cpu = new Cpu(0, gpa -> slot.contains(gpa) ? slot : null);
        interp = new Interpreter(cpu);
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, GDT + 8, 0x00cf9b000000ffffL);        // code32 flat
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, GDT + 16, 0x00cf93000000ffffL);       // data32 flat
        for (int v = 0; v < 32; v++) {
            long h = HANDLERS + 16L * v;
            ram.set(ValueLayout.JAVA_BYTE, h, (byte) 0xb8);                           // mov $v, %eax
            ram.set(ValueLayout.JAVA_INT_UNALIGNED, h + 1, v);
            ram.set(ValueLayout.JAVA_BYTE, h + 5, (byte) 0xf4);                       // hlt
            long gate = (h & 0xffff) | 0x08L << 16 | 0x8e00L << 32 | (h >>> 16) << 48;
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, IDT + 8L * v, gate);
        }
        cpu.cr0 = 0x33;                                                                // PE MP ET NE
        cpu.cr4 = 0x600;                                                               // OSFXSR OSXMMEXCPT
        cpu.setSeg(Cpu.CS, 0x08, 0, 0xffffffffL, 0xc09b);
        for (int s : new int[] {Cpu.DS, Cpu.ES, Cpu.SS, Cpu.FS, Cpu.GS}) cpu.setSeg(s, 0x10, 0, 0xffffffffL, 0xc093);
        cpu.gdtBase = GDT;
        cpu.gdtLimit = 23;
        cpu.idtBase = IDT;
        cpu.idtLimit = 32 * 8 - 1;
        cpu.updateMode();
    }

    /** Runs {@code hex} (then HLT) from CODE; returns the vector of the exception it raised, or -1. */
    int run(String hex) {
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, CODE, code.length);
        ram.set(ValueLayout.JAVA_BYTE, CODE + code.length, (byte) 0xf4);
        cpu.rip = CODE;
        cpu.r[Cpu.RSP] = STACK;
        cpu.r[Cpu.RAX] = -1L & 0xffffffffL;
        cpu.halted = false;
        interp.flushCache();
        assertEquals(Exit.HLT, interp.run(), () -> "exit: " + interp.internalError);
        return (int) cpu.r[Cpu.RAX];
    }

    long q(long addr) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, addr);
    }

    void q(long addr, long v) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, addr, v);
    }

    int d(long addr) {
        return ram.get(ValueLayout.JAVA_INT_UNALIGNED, addr);
    }

    void d(long addr, int v) {
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, addr, v);
    }

    long xmmLo(int n) {
        return cpu.fpu.xmm[2 * n];
    }

    long xmmHi(int n) {
        return cpu.fpu.xmm[2 * n + 1];
    }
}
