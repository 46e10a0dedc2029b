/**
 * The compiling tier of the CPU core: hot {@link io.jkvm.x86.decode.Block}s become hidden classes
 * (built with {@code java.lang.classfile}) whose bytecode HotSpot then compiles like any other code.
 *
 * <p>When a block has been interpreted {@link io.jkvm.x86.jit.Jit#threshold()} times, the run loop gathers
 * its {@link io.jkvm.x86.jit.Region} — the block and the warm blocks of its page its branches, calls and
 * return sites lead to — as snapshots, and a background thread compiles them into one class with an
 * instance per block ({@link io.jkvm.x86.jit.BlockCompiler}). Common instruction forms (ALU, TEST, INC/DEC,
 * shifts by an immediate, MOV/MOVZX/MOVSX/LEA, PUSH/POP, CMOVcc/SETcc, near JMP/Jcc/CALL/RET) are emitted
 * inline; everything else is a direct call to the interpreter's handler. Lazy flags of inline instructions
 * stay in JVM locals ({@link io.jkvm.x86.jit.Flags}) and are written to the CPU only where something can
 * observe them — before a handler call, at block exits, in the per-instruction exception stubs — so a flag
 * result the next instruction overwrites is never stored, and a fault still sees the flags the interpreter
 * would have left. A block that goes on to another block of its region stays in the class after doing what
 * the run loop would do at that boundary ({@link io.jkvm.x86.jit.Exits}).
 *
 * <p>Invalidation: compiled code asks its own {@link io.jkvm.x86.CodeGuard} whether the guest bytes it was
 * compiled from are still there before it runs a block (the run loop leaves that check to it) and hands
 * self-modified code back to the run loop to decode; a block decoded again, or a flushed cache, drops its
 * class.
 *
 * <p>Switches: {@code -Djkvm.jit=false} disables the tier; {@code -Djkvm.jit.threshold=N} compiles a
 * block after N interpreted executions (0: before its first, synchronously — how the tests drive every
 * block through the compiler); {@code -Djkvm.jit.async=false} compiles on the vCPU's thread.
 */
package io.jkvm.x86.jit;
