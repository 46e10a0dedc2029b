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
