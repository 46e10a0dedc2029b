package io.jkvm.x86.jit;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Exit;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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

    /**
     * True when {@code memory} still holds, from {@code off}, the {@code len} code bytes packed little-endian
     * in {@code words} (zero-padded) — {@code Block.unchanged} for a compiled block's snapshot. One shared
     * method rather than the segment accesses inline in every block: HotSpot compiles it once, and a block's
     * code stays cheap while it is still interpreted or C1-compiled (the memory API is slow there).
     */
    public static boolean unchanged(MemorySegment memory, long off, long[] words, int len) {
        int k = 0;
        for (; k + 8 <= len; k += 8) {
            if (memory.get(ValueLayout.JAVA_LONG_UNALIGNED, off + k) != words[k >> 3]) return false;
        }
        if (k < len) {
            long tail;
            if (off + k + 8 <= memory.byteSize()) {
                tail = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, off + k) & ((1L << (8 * (len - k))) - 1);
            } else {
                tail = 0;
                for (int j = k; j < len; j++) tail |= (memory.get(ValueLayout.JAVA_BYTE, off + j) & 0xffL) << (8 * (j - k));
            }
            return tail == words[k >> 3];
        }
        return true;
    }
}
