package io.jkvm.x86.insn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkvm.x86.cpuid.CpuidTable;
import io.jkvm.x86.exc.Vector;
import io.jkvm.x86.exec.Exit;
import io.jkvm.x86.fpu.FpuState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * x87 and SIMD instructions end to end through the interpreter: 80-bit results, precision control, the
 * exception flags and their delivery (#MF at the next waiting instruction, #XM or #UD, #NM, #GP on
 * misalignment), state save/restore, and a few SSE4.2/SSSE3 results with known answers. (Arithmetic
 * corner cases are in {@code fpu.SoftFloatTest}; the differential fuzzer compares everything with hardware.)
 */
class FpuSimdTest {
    private final Machine m = new Machine();
    private final FpuState f = m.cpu.fpu;

    private static String abs(long addr) {
        return String.format("%02x%02x%02x%02x", addr & 0xff, addr >> 8 & 0xff, addr >> 16 & 0xff, addr >> 24 & 0xff);
    }

    @Test
    void oneThirdHasSixtyFourSignificantBitsAndPrecisionControlCutsThemTo53() {
        m.q(Machine.DATA, Double.doubleToRawLongBits(3.0));
        // FNINIT; FLD1; FLD m64; FDIVP ST(1),ST(0); FSTP m80 [DATA+16]
        assertEquals(-1, m.run("dbe3 d9e8 dd05" + abs(Machine.DATA) + " def9 db3d" + abs(Machine.DATA + 16)));
        assertEquals(0xaaaaaaaaaaaaaaabL, m.q(Machine.DATA + 16));
        assertEquals(0x3ffd, m.d(Machine.DATA + 24) & 0xffff);
        m.d(Machine.DATA + 32, 0x27f);                                     // PC = 53 bits, RN
        assertEquals(-1, m.run("dbe3 d92d" + abs(Machine.DATA + 32) + " d9e8 dd05" + abs(Machine.DATA) + " def9 db3d"
                + abs(Machine.DATA + 16)));
        assertEquals(0xaaaaaaaaaaaaa800L, m.q(Machine.DATA + 16));
    }

    @Test
    void unmaskedZeroDivideRaisesMfAtTheNextWaitingInstruction() {
        m.d(Machine.DATA, 0x37b);                                          // ZM clear
        // FNINIT; FLDCW; FLD1; FLDZ; FDIVP (ZE unmasked: no result, no pop); FNSTSW AX is non-waiting → no #MF
        int fsw = m.run("dbe3 d92d" + abs(Machine.DATA) + " d9e8 d9ee def9 dfe0") & 0xffff;
        assertEquals(0xb084, fsw);                                          // B ES ZE, TOP 6
        assertEquals(6, f.top());                                           // not popped
        assertEquals(FpuState.ES | FpuState.B, f.fsw & (FpuState.ES | FpuState.B));
        assertEquals(Vector.MF, m.run("9b"));                              // FWAIT
        assertEquals(Vector.MF, m.run("d9e8"));                            // and any waiting x87 instruction
        m.run("dbe2");                                                      // FNCLEX
        assertEquals(-1, m.run("9b"));
    }

    @Test
    void errorReportingThroughFerrIsNotModelled() {
        m.cpu.cr0 &= ~(1L << 5);                                            // CR0.NE = 0
        f.fsw |= FpuState.ES | 4;
        m.cpu.rip = Machine.CODE;
        m.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Machine.CODE, (byte) 0x9b);
        m.interp.flushCache();
        assertEquals(Exit.INTERNAL_ERROR, m.interp.run());
    }

    /**
     * A store that both faults on its memory operand and raises an unmasked numeric exception (which cancels
     * it): Intel parts report the numeric exception and never attempt the store, AMD parts the page fault —
     * as both hosts of the differential fuzzer showed. jkvm follows the vendor of its CPUID.
     */
    @Test
    void unmaskedInvalidStoreToAnUnmappedPageFaultsOnlyOnAmd() {
        m.q(0x30000, 0x87);                                                // PDE 0: 4 MB page at 0, PDE 1 absent
        m.cpu.cr3 = 0x30000;
        m.cpu.cr4 |= 0x10;                                                 // PSE
        m.cpu.cr0 |= 1L << 31;
        m.cpu.updateMode();
        m.d(Machine.DATA, 0x37e);                                          // IM clear
        // FNINIT; FLDCW; FISTP m32 [0x400000] with ST(0) empty: #IS, unmasked
        String code = "dbe3 d92d" + abs(Machine.DATA) + " db1d" + abs(0x400000);
        assertEquals(-1, m.run(code));
        assertEquals(FloatBits.IE | FpuState.SF | FpuState.ES, f.fsw & (FloatBits.IE | FpuState.SF | FpuState.ES));
        m.cpu.cpuid = new CpuidTable(new int[][] {{0, 0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65}});
        assertEquals(Vector.PF, m.run(code));                              // AuthenticAMD
        assertEquals(0, f.fsw & FpuState.ES);
    }

    @Test
    void ninthPushOverflowsTheStack() {
        assertEquals(-1, m.run("dbe3" + "d9e8".repeat(9)));
        assertEquals(FloatBits.IE | FpuState.SF | FpuState.C1, f.fsw & (FloatBits.IE | FpuState.SF | FpuState.C1));
        assertEquals(FpuState.INDEF_SE, f.se(0));
        assertEquals(FpuState.INDEF_M, f.m(0));
    }

    @Test
    void emAndTsMakeX87AndSseInstructionsFault() {
        m.cpu.cr0 |= 8;                                                     // TS
        assertEquals(Vector.NM, m.run("d9e8"));
        assertEquals(Vector.NM, m.run("9b"));                              // FWAIT: MP and TS
        assertEquals(Vector.NM, m.run("0f58c1"));                          // ADDPS
        m.cpu.cr0 &= ~8;
        m.cpu.cr0 |= 4;                                                     // EM
        assertEquals(Vector.NM, m.run("d9e8"));
        assertEquals(-1, m.run("9b"));                                     // FWAIT ignores EM
        assertEquals(Vector.UD, m.run("0f58c1"));
        assertEquals(Vector.UD, m.run("0fefc1"));                          // MMX PXOR
        m.cpu.cr0 &= ~4;
        m.cpu.cr4 &= ~(1L << 9);                                            // no OSFXSR
        assertEquals(Vector.UD, m.run("0f58c1"));
        assertEquals(-1, m.run("0fefc1"));                                 // MMX needs no OSFXSR
    }

    @Test
    void misalignedLegacySseOperandIsGp() {
        assertEquals(Vector.GP, m.run("0f2805" + abs(Machine.DATA + 8)));   // MOVAPS xmm0, [DATA+8]
        assertEquals(-1, m.run("0f1005" + abs(Machine.DATA + 8)));          // MOVUPS is fine
        assertEquals(-1, m.run("f30f5805" + abs(Machine.DATA + 4)));        // ADDSS m32 has no requirement
    }

    @Test
    void unmaskedSimdOverflowRaisesXmOrUdAndKeepsTheDestination() {
        f.mxcsr = 0x1f80 & ~(1 << 10);                                      // OM clear
        f.xmm[0] = Float.floatToRawIntBits(3e38f);
        assertEquals(Vector.XM, m.run("f30f59c0"));                         // MULSS xmm0, xmm0
        assertEquals(Float.floatToRawIntBits(3e38f), (int) m.xmmLo(0));
        assertEquals(FloatBits.OE, f.mxcsr & FloatBits.OE);
        m.cpu.cr4 &= ~(1L << 10);                                           // no OSXMMEXCPT
        assertEquals(Vector.UD, m.run("f30f59c0"));
        f.mxcsr = 0x1f80;
        assertEquals(-1, m.run("f30f59c0"));
        assertEquals(0x7f800000, (int) m.xmmLo(0));                         // masked: +∞
    }

    @Test
    void fxsaveAndFxrstorRoundTripTheState() {
        m.run("dbe3 d9eb d9e8");                                            // FNINIT FLDPI FLD1
        f.xmm[14] = 0x1122334455667788L;
        f.mxcsr = 0x3f80;
        assertEquals(-1, m.run("0fae05" + abs(Machine.DATA)));              // FXSAVE [DATA]
        assertEquals(0x37f, m.d(Machine.DATA) & 0xffff);
        assertEquals(0x3f80, m.d(Machine.DATA + 24));
        assertEquals(0xffff, m.d(Machine.DATA + 28));                       // MXCSR_MASK
        assertEquals(1L << 63, m.q(Machine.DATA + 32));                     // ST(0) = 1.0
        assertEquals(0x1122334455667788L, m.q(Machine.DATA + 160 + 8 * 14));
        m.run("dbe3");
        f.xmm[14] = 0;
        f.mxcsr = 0x1f80;
        assertEquals(-1, m.run("0fae0d" + abs(Machine.DATA)));              // FXRSTOR [DATA]
        assertEquals(0xc90fdaa22168c235L, f.m(1));
        assertEquals(0x1122334455667788L, m.xmmLo(7));
        assertEquals(0x3f80, f.mxcsr);
        m.d(Machine.DATA + 24, 0x10000);                                    // a reserved MXCSR bit
        assertEquals(Vector.GP, m.run("0fae0d" + abs(Machine.DATA)));
    }

    @Test
    void xrstorInitializesTheComponentsWhoseXstateBvBitIsClear() {
        m.cpu.cr4 |= 1L << 18;                                              // OSXSAVE
        m.cpu.xcr0 = 3;
        m.run("dbe3 d9e8");
        f.xmm[0] = 42;
        m.cpu.r[2] = 0;                                                     // EDX:EAX = 3
        assertEquals(3, m.run("b803000000 0fae25" + abs(Machine.DATA)));    // XSAVE [DATA] (EAX = RFBM = 3)
        assertEquals(3, m.q(Machine.DATA + 512));                           // XSTATE_BV
        m.q(Machine.DATA + 512, 1);                                         // SSE state "initial"
        f.mxcsr = 0x1f80;
        assertEquals(3, m.run("b803000000 0fae2d" + abs(Machine.DATA)));    // XRSTOR
        assertEquals(0, m.xmmLo(0));
        assertEquals(1L << 63, f.m(0));
        m.q(Machine.DATA + 520, 1L << 63);                                  // compacted form: not supported
        assertEquals(Vector.GP, m.run("b803000000 0fae2d" + abs(Machine.DATA)));
        assertEquals(Vector.GP, m.run("b803000000 0fae25" + abs(Machine.DATA + 16)));   // 64-byte alignment
    }

    @Test
    void pcmpistriFindsTheFirstCharacterOfASet() {
        f.xmm[0] = le("abc");
        f.xmm[2] = le("xxbxx");
        assertEquals(-1, m.run("660f3a63c100"));                            // PCMPISTRI xmm0, xmm1, equal-any bytes
        assertEquals(2, m.cpu.r[1]);
        assertEquals(0xc1, m.cpu.getRflags() & 0x8d5);                      // CF ZF SF set, AF PF OF clear
        f.xmm[2] = le("zzzzz");
        m.run("660f3a63c100");
        assertEquals(16, m.cpu.r[1]);                                       // none: the element count
    }

    private static long le(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        long v = 0;
        for (int k = 0; k < b.length; k++) v |= (b[k] & 0xffL) << (8 * k);
        return v;
    }

    @Test
    void crc32ComputesCrc32c() {
        byte[] msg = "123456789".getBytes(StandardCharsets.US_ASCII);
        for (int k = 0; k < msg.length; k++) m.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, Machine.DATA + k, msg[k]);
        // mov $-1, %ecx; crc32l [DATA], crc32l [DATA+4], crc32b [DATA+8]; not %ecx
        m.run("b9ffffffff f20f38f10d" + abs(Machine.DATA) + " f20f38f10d" + abs(Machine.DATA + 4) + " f20f38f00d"
                + abs(Machine.DATA + 8) + " f7d1");
        assertEquals(0xe3069283L, m.cpu.r[1]);                              // the CRC-32C check value
    }

    @Test
    void pshufbReversesAndPalignrConcatenates() {
        f.xmm[0] = 0x0706050403020100L;
        f.xmm[1] = 0x0f0e0d0c0b0a0908L;
        f.xmm[2] = 0x08090a0b0c0d0e0fL;                                     // indexes 15..0
        f.xmm[3] = 0x0001020304050607L;
        m.run("660f3800c1");                                                // PSHUFB xmm0, xmm1
        assertEquals(0x08090a0b0c0d0e0fL, m.xmmLo(0));
        assertEquals(0x0001020304050607L, m.xmmHi(0));
        f.xmm[0] = 0x1111111111111111L;
        f.xmm[1] = 0x2222222222222222L;
        f.xmm[2] = 0x0706050403020100L;
        f.xmm[3] = 0x0f0e0d0c0b0a0908L;
        m.run("660f3a0fc104");                                              // PALIGNR xmm0, xmm1, 4
        assertEquals(0x0b0a090807060504L, m.xmmLo(0));
        assertEquals(0x111111110f0e0d0cL, m.xmmHi(0));
    }

    @Test
    void outOfRangeConversionGivesTheIntegerIndefinite() {
        f.xmm[0] = Double.doubleToRawLongBits(1e20);
        m.run("f20f2cc8");                                                  // CVTTSD2SI ecx, xmm0
        assertEquals(0x80000000L, m.cpu.r[1]);
        assertEquals(FloatBits.IE, f.mxcsr & FloatBits.IE);
    }

    @Test
    void minpsReturnsTheSecondOperandForNaNsAndZeros() {
        f.xmm[0] = (long) Float.floatToRawIntBits(-0.0f) << 32 | Float.floatToRawIntBits(Float.NaN);
        f.xmm[2] = (long) Float.floatToRawIntBits(0.0f) << 32 | Float.floatToRawIntBits(1.5f);
        m.run("0f5dc1");                                                    // MINPS xmm0, xmm1
        assertEquals(Float.floatToRawIntBits(1.5f), (int) m.xmmLo(0));
        assertEquals(Float.floatToRawIntBits(0.0f), (int) (m.xmmLo(0) >>> 32));
        assertEquals(FloatBits.IE, f.mxcsr & FloatBits.IE);                 // a QNaN is invalid for MIN/MAX
    }

    /** FSW/MXCSR flag bits. */
    static final class FloatBits {
        static final int IE = 1, OE = 8;
    }
}
