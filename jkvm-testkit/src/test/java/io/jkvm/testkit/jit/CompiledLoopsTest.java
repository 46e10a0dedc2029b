package io.jkvm.testkit.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.Regs;
import io.jkvm.testkit.Backends;
import io.jkvm.testkit.TestVm;
import io.jkvm.x86.jit.Jit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compiling tier where the fuzzer's short straight-line cases do not reach: hot loops (a block that
 * loops on itself runs inside its compiled method), code that rewrites itself while it loops, MMIO reads
 * replayed inside a compiled loop, calls and returns across many blocks, a block becoming hot half-way.
 * Each program runs on the java backend interpreted, compiled at first execution, and compiled after a few
 * executions; every exit, the final registers and RAM must be the same.
 */
class CompiledLoopsTest {
    /** Unmapped guest-physical address inside the identity map: reads and writes there are MMIO exits. */
    static final long HOLE = 0x3000_0000L;
    static final long DATA = 0x20000;

    /** What one run of a program did: its exits in order, then the registers, a RAM checksum and the instructions retired. */
    record Trace(List<String> exits, Regs regs, int ramHash, long retired) {}

    /** The java backend's count of retired instructions (benchmarks read it; compiled code must keep it exact). */
    private static long retired(Vcpu cpu) {
        try {
            java.lang.reflect.Field f = cpu.getClass().getDeclaredField("interp");
            f.setAccessible(true);
            return ((io.jkvm.x86.exec.Interpreter) f.get(cpu)).instructions;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Trace trace(String asm, String jit, String threshold) {
        return trace(asm, jit, threshold, false);
    }

    private static Trace trace(String asm, String jit, String threshold, boolean prot32) {
        String oldJit = System.getProperty("jkvm.jit"), oldThreshold = System.getProperty("jkvm.jit.threshold");
        System.setProperty("jkvm.jit", jit);
        System.setProperty("jkvm.jit.threshold", threshold);
        TestVm t;
        Vcpu cpu;
        try {
            t = TestVm.create("java");
            cpu = t.vm.createVcpu(0);            // the interpreter reads the properties here
        } finally {
            restore("jkvm.jit", oldJit);
            restore("jkvm.jit.threshold", oldThreshold);
        }
        try (t; cpu) {
            t.loadAsm(asm);
            if (prot32) t.protectedMode(cpu, TestVm.CODE);
            else t.longMode(cpu, TestVm.CODE);
            List<String> exits = new ArrayList<>();
            long answer = 0x1234_5678_9abcL;
            for (int n = 0; n < 100_000; n++) {
                VcpuExit e = cpu.run();
                switch (e) {
                    case VcpuExit.Hlt h -> {
                        exits.add("hlt");
                        byte[] ram = t.ram.asSlice(0, 1 << 20).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        return new Trace(exits, cpu.getRegs(), Arrays.hashCode(ram), retired(cpu));
                    }
                    case VcpuExit.Mmio m -> {
                        exits.add(String.format("mmio %s %#x len %d data %#x", m.is_write() ? "write" : "read",
                                m.phys_addr(), m.len(), m.is_write() ? m.data() : answer));
                        if (!m.is_write()) m.data(answer);
                        answer = answer * 0x5DEECE66DL + 11;
                    }
                    case VcpuExit.Io io -> exits.add("io " + io.port() + " " + io.data());
                    default -> fail("unexpected exit " + e);
                }
            }
            fail("the program did not halt");
            return null;
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    /** Runs {@code asm} (64-bit) interpreted and compiled (at once, and after 3 executions); all must agree. */
    private static Trace agree(String asm) {
        return agree(asm, false);
    }

    private static Trace agree(String asm, boolean prot32) {
        Backends.assumeAvailable("java");
        Backends.assumeAssembler();
        long compiled = Jit.compiledBlocks();
        Trace interp = trace(asm, "false", "0", prot32);
        for (String threshold : new String[] {"0", "3"}) {
            Trace jit = trace(asm, "true", threshold, prot32);
            assertEquals(interp.exits(), jit.exits(), "exits, threshold " + threshold);
            assertEquals(interp.regs(), jit.regs(), "registers, threshold " + threshold);
            assertEquals(interp.ramHash(), jit.ramHash(), "RAM, threshold " + threshold);
            assertEquals(interp.retired(), jit.retired(), "instructions retired, threshold " + threshold);
        }
        assertTrue(Jit.compiledBlocks() > compiled, "blocks were compiled");
        assertEquals(0, Jit.failures());
        return interp;
    }

    @Test
    void oneBlockLoopsWithFlagsCarriedAround() {
        Trace t = agree("""
                .code64
                    mov $100000, %ecx
                    xor %eax, %eax
                    mov $0x9e3779b9, %edx
                1:  add %ecx, %eax
                    adc %edx, %ebx
                    rol $5, %eax
                    sbb $7, %esi
                    xor %edx, %eax
                    shl $3, %edx
                    setc %r8b
                    add %r8, %r9
                    cmovs %eax, %r10d
                    dec %ecx
                    jnz 1b
                    hlt
                """);
        assertEquals(0, t.regs().rcx());
    }

    @Test
    void codeThatRewritesItsOwnLoop() {
        // each iteration increments the immediate of its first instruction: every next iteration must see it
        Trace t = agree("""
                .code64
                    mov $100, %ecx
                    xor %ebx, %ebx
                1:  mov $1, %eax
                    add %eax, %ebx
                    incl 1b+1(%rip)
                    dec %ecx
                    jnz 1b
                    hlt
                """);
        assertEquals(5050, t.regs().rbx());
    }

    @Test
    void codeThatRewritesTheNextBlockOfItsLoop() {
        // the first block patches the immediate of the second one, which must see every new value
        Trace t = agree("""
                .code64
                    mov $200, %ecx
                    xor %ebx, %ebx
                1:  incl 2f+1(%rip)
                    jmp 2f
                2:  mov $0, %eax
                    add %eax, %ebx
                    dec %ecx
                    jnz 1b
                    hlt
                """);
        assertEquals(200 * 201 / 2, t.regs().rbx());
    }

    @Test
    void mmioReadsAndWritesInsideACompiledLoop() {
        agree("""
                .code64
                    mov $0x30000000, %rsi
                    mov $40, %ecx
                1:  add (%rsi), %rax
                    movzwl 8(%rsi), %edx
                    xor %edx, %eax
                    mov %eax, 16(%rsi)
                    push %rax
                    pop %rbx
                    dec %ecx
                    jnz 1b
                    hlt
                """);
    }

    @Test
    void loopsOverSeveralBlocksIn32BitProtectedMode() {
        agree("""
                .code32
                    mov $0x20000, %edi
                    mov $5000, %ecx
                1:  mov %ecx, %eax
                    and $7, %eax
                    cmp $3, %eax
                    ja 2f
                    addw %cx, (%edi,%eax,2)
                    jmp 3f
                2:  subb %cl, 0x40(%edi,%eax)
                    push %eax
                    pop %edx
                3:  loop 1b
                    hlt
                """, true);
    }

    @Test
    void callsReturnsAndMemoryAcrossBlocks() {
        agree("""
                .code64
                    mov $0x20000, %rdi
                    mov $3000, %r12d
                    mov $1, %eax
                2:  call f
                    mov %eax, %edx
                    and $0x3ff, %edx
                    addb %al, (%rdi,%rdx)
                    movsbl (%rdi,%rdx), %esi
                    cmp $0, %esi
                    jl 3f
                    inc %r13
                3:  sub $1, %r12d
                    jnz 2b
                    hlt
                f:  push %rbx
                    lea 0x1234(%rax,%rax,4), %ebx
                    imul $0x41c64e6d, %ebx, %eax
                    shr $7, %ebx
                    xor %ebx, %eax
                    test $4, %al
                    jz 4f
                    not %eax
                4:  pop %rbx
                    ret
                """);
    }
}
