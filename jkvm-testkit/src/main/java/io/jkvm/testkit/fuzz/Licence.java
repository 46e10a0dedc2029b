package io.jkvm.testkit.fuzz;

/**
 * What a comparison may ignore where a case stopped, because the SDM leaves it to the processor: RFLAGS
 * bits ({@code undefinedFlags}), FSW condition codes ({@code undefinedFsw}), and whether an MMX instruction
 * that faulted on its memory operand already made the x87-to-MMX transition (TOP = 0, all tags valid): an
 * Intel host does it for a store such as MOVQ m64, mm; AMD and jkvm do it only when the instruction completes.
 */
public record Licence(int undefinedFlags, int undefinedFsw, boolean mmxTransitionAtFault) {

    /** Nothing may differ: two runs of the same engine. */
    public static final Licence NONE = new Licence(0, 0, false);
}
