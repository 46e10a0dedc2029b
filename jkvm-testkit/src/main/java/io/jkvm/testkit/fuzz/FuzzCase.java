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
     * Whether the instruction at {@code off} is an MMX-register form: a 0F-map opcode without a 66/F2/F3
     * prefix (the SSE forms that share this shape never touch the x87 state, so the licence costs nothing).
     */
    boolean mmxFormAt(int off) {
        for (int k = off; k >= 0 && k < code.length; k++) {
            int b = code[k] & 0xff;
            if (b == 0x66 || b == 0xf2 || b == 0xf3) return false;
            boolean rex = mode == Mode.LONG && (b & 0xf0) == 0x40;
            boolean segment = b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 || b == 0x67;
            if (!rex && !segment) return b == 0x0f;
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
