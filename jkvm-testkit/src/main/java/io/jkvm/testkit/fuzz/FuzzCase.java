package io.jkvm.testkit.fuzz;

import java.util.HexFormat;

/**
 * One generated case: code, where each instruction starts, which flags are undefined before each
 * instruction (and at the end), and the seed of its initial registers and data.
 */
public record FuzzCase(Mode mode, byte[] code, int[] starts, int[] undefBefore, int[] fswUndefBefore, long stateSeed) {

    /** Undefined flags when execution stops at code offset {@code off} (a fault there, or the end marker). */
    public int undefinedAt(int off) {
        for (int k = starts.length - 1; k >= 0; k--) if (starts[k] <= off) return undefBefore[k];
        return 0;
    }

    /** FSW condition-code bits undefined when execution stops at {@code off}. */
    public int fswUndefinedAt(int off) {
        for (int k = starts.length - 1; k >= 0; k--) if (starts[k] <= off) return fswUndefBefore[k];
        return 0;
    }

    /** The length of the end marker, {@code mov END_ADDR, %al}. */
    static final int END_MARKER_LENGTH = 7;

    /** The code offset where the reference stopped: its faulting instruction, or the end marker. */
    public int stopOffset(Outcome reference) {
        return reference.kind().equals(Outcome.EXCEPTION) ? (int) reference.rip() : code.length - END_MARKER_LENGTH;
    }

    /** What a comparison of outcomes may ignore, given where the reference stopped. */
    public Licence licenceFor(Outcome reference) {
        int stop = stopOffset(reference);
        boolean fault = reference.kind().equals(Outcome.EXCEPTION);
        return new Licence(undefinedAt(stop), fswUndefinedAt(stop), fault && mmxFormAt(stop));
    }

    /**
     * Whether the instruction at {@code off} is an MMX-register form: without a 66/F2/F3 prefix, 0F 60–7F,
     * 0F C4/C5, 0F D0–FF, the conversions to and from MMX registers (0F 2A/2C/2D), or the SSSE3 maps 0F 38
     * and 0F 3A (whose unprefixed forms are all MMX). A few SSE opcodes in those ranges share the shape;
     * they never touch the x87 state, so the licence costs nothing there.
     */
    boolean mmxFormAt(int off) {
        for (int k = off; k >= 0 && k + 1 < code.length; k++) {
            int b = code[k] & 0xff;
            if (b == 0x66 || b == 0xf2 || b == 0xf3) return false;
            boolean rex = mode == Mode.LONG && (b & 0xf0) == 0x40;
            boolean segment = b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x67;
            if (rex || segment) continue;
            if (b != 0x0f) return false;
            int op = code[k + 1] & 0xff;
            return op >= 0x60 && op <= 0x7f || op >= 0xd0 || op == 0xc4 || op == 0xc5 || op == 0x2a || op == 0x2c
                    || op == 0x2d || op == 0x38 || op == 0x3a;
        }
        return false;
    }

    /** How many instructions start before code offset {@code off} (the ones that ran when execution stopped there). */
    public int executedBefore(int off) {
        int n = 0;
        for (int s : starts) if (s < off) n++;
        return n;
    }

    public String hex() {
        return HexFormat.of().formatHex(code);
    }
}
