package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.TestVm;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Code that the VMM writes into guest memory while a vCPU runs — as a device's DMA would — is what the
 * vCPU executes once it has serialized (SDM vol. 3, "Handling Self- and Cross-Modifying Code"); a vCPU
 * that never serializes still sees it (hardware: at once; the java backend: within 64 timer polls of its
 * run loop, about a millisecond). And code the guest writes itself runs as written at once. The guest
 * spins at CPL3 (native speed on a PVM host) until its loop's back edge, {@code jmp 1b}, becomes
 * {@code out %al, $0x11}.
 */
class CodeCoherenceTest {

    static final long PATCH_SITE = TestVm.CODE + 0x80;
    static final short OUT_0X11 = (short) 0x11e6;          // e6 11: out %al, $0x11 — as long as jmp rel8

    static String spin(String body) {
        return """
                .code64
                    mov $1, %al
                    out %al, $0x10
                    jmp 1f
                .org 0x40
                1:  inc %r8
                """ + body + """
                    jmp 2f
                .org 0x80
                2:  jmp 1b
                """;
    }

    /** Runs the spinning guest and patches its back edge from another thread after 100 ms. */
    static void patchedWhileSpinning(String backend, String body) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(spin(body));
            t.longMode(cpu, TestVm.CODE);
            t.userMode(cpu);
            assertEquals(1, expectOut(cpu, 0x10));
            CompletableFuture<Void> patch = CompletableFuture.runAsync(
                    () -> t.ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, PATCH_SITE, OUT_0X11),
                    CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
            VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
            patch.join();
            assertEquals(0x11, io.port(), "the patched instruction ran: " + io);
            assertTrue(cpu.getRegs().r8() > 1, "the loop ran before the patch");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void codeWrittenByTheVmmIsSeenAfterASerializingInstruction(String backend) {
        patchedWhileSpinning(backend, "    xor %eax, %eax\n    cpuid\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void codeWrittenByTheVmmIsSeenByALoopThatNeverSerializes(String backend) {
        patchedWhileSpinning(backend, "    add %r8, %r9\n");
    }

    /** The guest rewrites the loop's back edge itself, on the page it runs from: the next pass runs the new code. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void codeWrittenByTheGuestRunsAtOnce(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(spin("""
                        cmp $1000, %r8
                        jne 3f
                        movw $0x11e6, PATCH
                    3:
                    """.replace("PATCH", Long.toString(PATCH_SITE))));
            t.longMode(cpu, TestVm.CODE);
            t.userMode(cpu);
            assertEquals(1, expectOut(cpu, 0x10));
            VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
            assertEquals(0x11, io.port(), "the patched instruction ran: " + io);
            assertEquals(1000, cpu.getRegs().r8(), "the patch took effect on the very next pass");
        }
    }
}
