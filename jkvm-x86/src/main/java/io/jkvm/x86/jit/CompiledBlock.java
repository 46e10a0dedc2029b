package io.jkvm.x86.jit;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Interpreter;

/**
 * A {@link io.jkvm.x86.decode.Block} compiled to JVM bytecode, whose {@link #run} does exactly what
 * {@code Interpreter.execute} does for that block — the same register, memory and flag effects, the same
 * RIP/nextRip at every fault or exit point, the same retired-instruction count — without the
 * per-instruction dispatch. One hidden class holds a whole {@link Region}; it has an instance per block of
 * the region, which says where {@link #run} starts.
 */
public abstract class CompiledBlock {
    /**
     * Returned by {@link #run} when guest memory no longer holds the bytes the block was compiled from
     * (self-modifying code, or the VMM wrote the page): nothing was executed since the last block boundary,
     * and RIP is the block's start. The run loop looks the block up again, comparing bytes, which decodes
     * the new code. (The run loop does not compare the bytes of a compiled block; the block does, against
     * constants, which is much cheaper.)
     */
    public static final int CHANGED = -2;

    /** Which block of the class's region this instance runs (0: the block the region was gathered from). */
    protected final int entry;

    protected CompiledBlock(int entry) {
        this.entry = entry;
    }

    /**
     * Executes the block from {@code c.rip} (its first instruction). Returns an {@code Exit} reason,
     * {@code Exit.NONE} to continue with the block at the new {@code c.rip}, or {@link #CHANGED}.
     */
    public abstract int run(Cpu c, Interpreter in);
}
