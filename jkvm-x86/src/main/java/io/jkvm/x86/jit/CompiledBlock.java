package io.jkvm.x86.jit;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.exec.Interpreter;

/**
 * A {@link io.jkvm.x86.decode.Block} compiled to JVM bytecode: one hidden class per block, whose
 * {@link #run} does exactly what {@code Interpreter.execute} does for that block — the same register,
 * memory and flag effects, the same RIP/nextRip at every fault or exit point, the same retired-instruction
 * count — without the per-instruction dispatch.
 */
public abstract class CompiledBlock {
    protected CompiledBlock() {}

    /**
     * Executes the block from {@code c.rip} (its first instruction). Returns an {@code Exit} reason, or
     * {@code Exit.NONE} to continue with the block at the new {@code c.rip}.
     */
    public abstract int run(Cpu c, Interpreter in);
}
