package io.jkvm.x86.insn;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Exit;
import io.jkvm.x86.exec.Interpreter;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every opcode of the SIMD maps (0F, 0F 38, 0F 3A) with every mandatory prefix, in register and memory
 * forms, with random register contents and MXCSR, must end in a guest exception, a halt or an exit — never
 * a jkvm defect (a Java exception reported as INTERNAL_ERROR "jkvm bug").
 */
class SimdSweepTest {
    @Test
    void noSimdEncodingBreaksTheInterpreter() {
        Machine m = new Machine();
        SplittableRandom rnd = new SplittableRandom(7);
        // leftover bytes run as code: a stray loop is stopped (INTR is as good an end as any)
        Thread stopper = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                m.interp.requestStop();
            }
        });
        stopper.setDaemon(true);
        stopper.start();
        int[] prefixes = {0, 0x66, 0xf3, 0xf2};
        int[] modrms = {0xc1, 0xd7, 0x05, 0x44};              // reg/reg, reg/reg, [disp32], [esp+...]
        int runs = 0;
        for (int map = 0; map < 3; map++) {
            for (int op = 0; op < 256; op++) {
                for (int pfx : prefixes) {
                    for (int modrm : modrms) {
                        StringBuilder code = new StringBuilder();
                        if (pfx != 0) code.append(String.format("%02x", pfx));
                        code.append("0f").append(map == 1 ? "38" : map == 2 ? "3a" : "").append(String.format("%02x%02x", op, modrm));
                        if (modrm == 0x05) code.append("00000200");          // [0x20000]
                        if (modrm == 0x44) code.append("2410");               // SIB [esp] + disp8 16
                        int imm = rnd.nextInt(256);                            // an imm8 if it takes one, else code:
                        if ((imm & 0xf0) == 0x70 || (imm >= 0xc2 && imm <= 0xcf) || imm >= 0xe0) imm = 0x90;   // no jumps
                        code.append(String.format("%02x", imm));
                        code.append("909090");
                        if (!simd(code.toString())) continue;          // the 0F map also holds system opcodes
                        randomize(m, rnd);
                        int exit = runOnce(m, code.toString());
                        String why = m.interp.internalError;
                        assertFalse(exit == Exit.INTERNAL_ERROR && why != null && why.startsWith(Interpreter.BUG_PREFIX),
                                () -> "code " + code + ": " + why);
                        runs++;
                    }
                }
            }
        }
        stopper.interrupt();
        assertFalse(runs < 2000, "SIMD encodings run: " + runs);
    }

    /** True when the decoder sends the encoding to the SIMD handlers (or makes it #UD there). */
    private static boolean simd(String hex) {
        byte[] b = java.util.HexFormat.of().parseHex(hex);
        io.jkvm.x86.decode.Insn in = new io.jkvm.x86.decode.Insn();
        io.jkvm.x86.decode.Decoder.decode(k -> k < b.length ? b[k] & 0xff : 0x90, false, 4, in);
        return in.op == io.jkvm.x86.decode.Op.SSE || (in.op == io.jkvm.x86.decode.Op.UD && (in.opcode >= 0x200
                || (in.opcode >= 0x110 && in.opcode != 0x1ae)));
    }

    private static void randomize(Machine m, SplittableRandom rnd) {
        long[] x = m.cpu.fpu.xmm;
        for (int k = 0; k < x.length; k++) x[k] = rnd.nextInt(4) == 0 ? Double.doubleToRawLongBits(rnd.nextDouble()) : rnd.nextLong();
        for (int k = 0; k < 8; k++) m.cpu.fpu.mant[k] = rnd.nextLong();
        m.cpu.fpu.mxcsr = 0x1f80 & ~(rnd.nextInt(2) << 7 + rnd.nextInt(6)) | rnd.nextInt(4) << 13 | (rnd.nextBoolean() ? 0x8040 : 0);
        for (int k = 0; k < 8; k++) if (k != Cpu.RSP) m.cpu.r[k] = rnd.nextInt(4) == 0 ? 0x20000 + rnd.nextInt(0x1000) : rnd.nextInt();
        for (int k = 0; k < 256; k++) m.ram.set(ValueLayout.JAVA_LONG_UNALIGNED, Machine.DATA + 8L * k, rnd.nextLong());
    }

    /** Runs the code once; any exit is fine (MMIO from a wild pointer included). */
    private static int runOnce(Machine m, String hex) {
        byte[] code = java.util.HexFormat.of().parseHex(hex);
        java.lang.foreign.MemorySegment.copy(code, 0, m.ram, ValueLayout.JAVA_BYTE, Machine.CODE, code.length);
        m.ram.set(ValueLayout.JAVA_BYTE, Machine.CODE + code.length, (byte) 0xf4);
        m.cpu.rip = Machine.CODE;
        m.cpu.r[Cpu.RSP] = Machine.STACK;
        m.cpu.halted = false;
        m.interp.internalError = null;
        m.interp.flushCache();
        return m.interp.run();
    }
}
