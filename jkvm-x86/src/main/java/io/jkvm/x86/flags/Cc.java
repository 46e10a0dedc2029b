package io.jkvm.x86.flags;

/**
 * Lazy-flags operation kinds (the QEMU/Bochs "cc_op" idea): an arithmetic instruction records its kind,
 * operands and result; a flag is computed only when something reads it. {@link #EFLAGS} means the six
 * arithmetic flags are materialized in {@code Cpu.ccFlags}.
 */
public final class Cc {
    private Cc() {}

    public static final int EFLAGS = 0, ADD = 1, ADC = 2, SUB = 3, SBB = 4, LOGIC = 5, INC = 6, DEC = 7, SHL = 8,
            SHR = 9, SAR = 10, MUL = 11, NEG = 12;

    /** The arithmetic flag bits that lazy evaluation produces. */
    public static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    public static final int ARITH = CF | PF | AF | ZF | SF | OF;

    /** Condition codes (the cc nibble of Jcc/SETcc/CMOVcc). */
    public static final int O = 0, NO = 1, B = 2, AE = 3, E = 4, NE = 5, BE = 6, A = 7, S = 8, NS = 9, P = 10, NP = 11,
            L = 12, GE = 13, LE = 14, G = 15;

    static final boolean[] PARITY = new boolean[256];
    static {
        for (int i = 0; i < 256; i++) PARITY[i] = Integer.bitCount(i) % 2 == 0;
    }
}
