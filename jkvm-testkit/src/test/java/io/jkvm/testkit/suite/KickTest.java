package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.SignalMask;
import io.jkvm.testkit.TestVm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Vcpu.kick()} (KVM_RUN's EINTR / kvm_run.immediate_exit, §4.10 and §5) and KVM_SET_SIGNAL_MASK
 * (§4.21): a kick from another thread makes a running run() return KVM_EXIT_INTR promptly, whether the
 * guest spins at CPL0, at CPL3 or sits in an in-kernel HLT; a kick before run() makes it return at once.
 */
class KickTest {

    /** How long a kicked run() may take to return. Generous: two cores shared by several builds. */
    static final long PROMPT_MS = 3000;

    static final String SPIN = """
            .code64
                mov $1, %al
                out %al, $0x10
            1:  inc %rbx
                jmp 1b
            """;

    /** Runs {@code cpu} (which must not exit on its own) while another thread kicks it after {@code delayMs}. */
    static VcpuExit kickedRun(Vcpu cpu, long delayMs) {
        CompletableFuture<Void> kicker = CompletableFuture.runAsync(cpu::kick,
                CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        long t0 = System.nanoTime();
        VcpuExit exit = run(cpu);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        kicker.join();
        assertTrue(ms < delayMs + PROMPT_MS, "run() returned " + ms + " ms after start, kick at " + delayMs + " ms");
        return exit;
    }

    void spinAndKick(String backend, boolean user) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(SPIN);
            t.longMode(cpu, TestVm.CODE);
            if (user) t.userMode(cpu);
            assertEquals(1, expectOut(cpu, 0x10));
            expect(VcpuExit.Intr.class, kickedRun(cpu, 200));
            long spins = cpu.getRegs().rbx();
            assertTrue(spins > 0, "the guest ran until the kick");
            // The kick is consumed: the next run() spins again until the next kick.
            expect(VcpuExit.Intr.class, kickedRun(cpu, 200));
            assertTrue(cpu.getRegs().rbx() > spins, "the guest resumed where it was kicked");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void kickWhileSpinningAtCpl0(String backend) {
        spinAndKick(backend, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void kickWhileSpinningAtCpl3(String backend) {
        spinAndKick(backend, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void kickWhileHaltedInKernel(String backend) {
        try (TestVm t = vm(backend)) {
            assumeCap(t.kvm, Cap.KVM_CAP_IRQCHIP);
            t.vm.createIrqchip();  // with an in-kernel irqchip HLT waits inside KVM_RUN, not in the VMM
            try (Vcpu cpu = t.vm.createVcpu(0)) {
                t.loadAsm(".code64\n mov $1, %al\n out %al, $0x10\n cli\n hlt\n out %al, $0x11\n");
                t.longMode(cpu, TestVm.CODE);
                assertEquals(1, expectOut(cpu, 0x10));
                expect(VcpuExit.Intr.class, kickedRun(cpu, 200));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void kickBeforeRunReturnsAtOnce(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(SPIN);
            t.longMode(cpu, TestVm.CODE);
            cpu.kick();
            runTo(VcpuExit.Intr.class, cpu);
            assertEquals(TestVm.CODE, cpu.getRegs().rip(), "the guest did not execute");
            assertEquals(1, expectOut(cpu, 0x10), "the kick was consumed: the guest runs now");
            expect(VcpuExit.Intr.class, kickedRun(cpu, 50));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void immediateExitSetByTheCaller(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(SPIN);
            t.longMode(cpu, TestVm.CODE);
            cpu.kvmRun().immediate_exit(1);  // kvm_run §5: KVM_RUN returns at once, KVM_EXIT_INTR
            runTo(VcpuExit.Intr.class, cpu);
            assertEquals(TestVm.CODE, cpu.getRegs().rip(), "the guest did not execute");
            assertEquals(1, cpu.kvmRun().immediate_exit(), "the caller's flag is the caller's to clear");
            runTo(VcpuExit.Intr.class, cpu);
            cpu.kvmRun().immediate_exit(0);
            assertEquals(1, expectOut(cpu, 0x10), "cleared: the guest runs");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void signalMask(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            // A kernel sigset_t is 8 bytes: any other length is EINVAL.
            assertErrno(EINVAL, () -> cpu.setSignalMask(new SignalMask(4, new byte[8])));
            assertErrno(EINVAL, () -> cpu.setSignalMask(new SignalMask(16, new byte[16])));
            // Block SIGUSR1 and SIGUSR2 during KVM_RUN (bit n-1 = signal n): kicks still work.
            cpu.setSignalMask(SignalMask.of(1L << (10 - 1) | 1L << (12 - 1)));
            t.loadAsm(SPIN);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(1, expectOut(cpu, 0x10));
            expect(VcpuExit.Intr.class, kickedRun(cpu, 50));
            cpu.setSignalMask(null);  // no mask: the thread's own
            expect(VcpuExit.Intr.class, kickedRun(cpu, 50));
        }
    }
}
