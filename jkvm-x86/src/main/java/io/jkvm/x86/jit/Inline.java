package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Insn;

/**
 * Which instructions have an inline form, and what kind of code it is — the block compiler needs to know
 * whether it can fault or touch memory (exception stub, {@code c.attention} check) and whether it already
 * left the block.
 */
final class Inline {
    private Inline() {}

    /** No inline form: the compiler calls the handler. Nothing was emitted. */
    static final int NO = 0;
    /** Registers and flags only: cannot fault, cannot set {@code c.attention}. */
    static final int PLAIN = 1;
    /** Writes memory: may fault or exit, and may queue an exit (an MMIO write sets {@code c.attention}). */
    static final int MEMORY = 2;
    /** A control transfer that emitted the block's exits itself (it is always the block's last instruction). */
    static final int EXITED = 3;
    /**
     * Reads memory but writes none: may fault or exit (an MMIO read unwinds for replay) but cannot set
     * {@code c.attention} — only {@code Memory.queueExit}, for writes and port output, sets it among what
     * inline code calls.
     */
    static final int READS = 4;

    /** READS for a memory operand, PLAIN for a register one. */
    static int reads(Insn i) {
        return i.rm >= 0 ? PLAIN : READS;
    }

    /** MEMORY for a memory operand, PLAIN for a register one. */
    static int writes(Insn i) {
        return i.rm >= 0 ? PLAIN : MEMORY;
    }

    /** Emits the inline form of {@code i} if there is one. {@code last}: it is the block's last instruction. */
    static int emit(Emit e, Insn i, boolean last) {
        int kind = AluGen.emit(e, i);
        if (kind == NO) kind = MoveGen.emit(e, i);
        if (kind == NO) kind = MulGen.emit(e, i);
        if (kind == NO && last) kind = BranchGen.emit(e, i);
        return kind;
    }
}
