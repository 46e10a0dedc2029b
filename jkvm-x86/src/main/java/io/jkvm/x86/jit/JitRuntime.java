package io.jkvm.x86.jit;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Exit;

/** Static helpers that compiled blocks call: the rarely taken paths, kept out of the generated code. */
public final class JitRuntime {
    private JitRuntime() {}

    /**
     * An instruction set {@code c.attention} (a queued MMIO/port exit, HLT, a TPR change): clears it and
     * returns the oldest queued exit or NONE, as {@code Interpreter.execute} does.
     */
    public static int attention(Cpu c) {
        c.attention = false;
        return c.hasQueuedExit() ? c.popQueuedExit() : Exit.NONE;
    }
}
