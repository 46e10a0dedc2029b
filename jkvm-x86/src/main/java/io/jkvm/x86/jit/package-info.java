/**
 * The compiling tier of the CPU core: hot {@link io.jkvm.x86.decode.Block}s become hidden classes
 * (built with {@code java.lang.classfile}) whose bytecode HotSpot then compiles per block.
 *
 * <p>{@link io.jkvm.x86.jit.BlockCompiler} walks a block's decoded instructions. Common forms (ALU, TEST,
 * INC/DEC, shifts by an immediate, MOV/MOVZX/MOVSX/LEA, PUSH/POP, CMOVcc/SETcc, near JMP/Jcc/CALL/RET)
 * are emitted inline; everything else is a direct call to the interpreter's handler. Lazy flags of
 * inline instructions stay in JVM locals ({@link io.jkvm.x86.jit.Flags}) and are written to the CPU only
 * where something can observe them: before a handler call, at the block's exits, and in the per-instruction
 * exception stubs — so a flag result that the next instruction overwrites is never stored, and a fault
 * still sees the flags the interpreter would have left.
 *
 * <p>Switches: {@code -Djkvm.jit=false} disables the tier; {@code -Djkvm.jit.threshold=N} compiles a
 * block after N interpreted executions (0: at its first execution, which is how the tests drive every
 * block through the compiler).
 */
package io.jkvm.x86.jit;
