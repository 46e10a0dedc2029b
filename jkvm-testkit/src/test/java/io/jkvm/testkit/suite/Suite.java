package io.jkvm.testkit.suite;

import io.jkvm.api.Cap;
import io.jkvm.api.Errno;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.Backends;
import io.jkvm.testkit.Gas;
import io.jkvm.testkit.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;

/** Shared helpers of the behaviour suite. Every test takes the backend name as its parameter. */
final class Suite {
    private Suite() {}

    /** How long one {@link #run(Vcpu)} may take before the watchdog kicks the vCPU and fails the test. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "suite-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** A fresh test VM on {@code backend}; skips loudly when the backend or the assembler is missing. */
    static TestVm vm(String backend) {
        Backends.assumeAvailable(backend);
        Backends.assumeAssembler();
        return TestVm.create(backend);
    }

    /** A bare {@link Kvm} handle on {@code backend} (for tests that build their own VMs). */
    static Kvm kvm(String backend) {
        Backends.assumeAvailable(backend);
        return Kvm.open(backend);
    }

    /**
     * One {@code run()}, guarded by a watchdog: a guest that does not exit within {@link #EXIT_TIMEOUT} is
     * kicked and the test fails, so a broken guest or backend can never hang the suite.
     */
    static VcpuExit run(Vcpu cpu) {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> dog = WATCHDOG.schedule(() -> {
            fired.set(true);
            cpu.kick();
        }, EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        VcpuExit exit;
        try {
            exit = cpu.run();
        } finally {
            dog.cancel(false);
        }
        if (fired.get()) Assertions.fail("guest did not exit within " + EXIT_TIMEOUT + " (watchdog kicked it)");
        return exit;
    }

    /** Asserts the exit is of {@code type} and returns it cast. */
    static <T extends VcpuExit> T expect(Class<T> type, VcpuExit exit) {
        if (!type.isInstance(exit)) Assertions.fail("expected " + type.getSimpleName() + " but got " + exit + describe(exit));
        return type.cast(exit);
    }

    /** Runs (with the watchdog) and asserts the exit type. */
    static <T extends VcpuExit> T runTo(Class<T> type, Vcpu cpu) {
        return expect(type, run(cpu));
    }

    private static String describe(VcpuExit e) {
        return e instanceof VcpuExit.InternalError ie ? " insn=" + HexFormat.of().formatHex(ie.insn_bytes()) : "";
    }

    /** Runs and asserts an OUT of one byte to {@code port}; returns the value. */
    static int expectOut(Vcpu cpu, int port) {
        VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
        Assertions.assertTrue(io.isOut(), "expected OUT, got " + io);
        Assertions.assertEquals(port, io.port(), "port of " + io);
        return io.value();
    }

    /** Runs and asserts an OUT of {@code size} bytes to {@code port}; returns the value. */
    static int expectOut(Vcpu cpu, int port, int size) {
        VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
        Assertions.assertTrue(io.isOut(), "expected OUT, got " + io);
        Assertions.assertEquals(port, io.port(), "port of " + io);
        Assertions.assertEquals(size, io.size(), "size of " + io);
        Assertions.assertEquals(1, io.count(), "count of " + io);
        return io.value();
    }

    static KvmException assertErrno(Errno errno, Executable call) {
        KvmException e = Assertions.assertThrows(KvmException.class, call);
        Assertions.assertEquals(errno, e.errno(), () -> "errno of: " + e.getMessage());
        return e;
    }

    /** Offset of the first occurrence of {@code opcode} bytes in the assembled guest, for RIP assertions. */
    static long offsetOf(String guest, long base, int... opcode) {
        byte[] code = Gas.assemble(guest, base);
        outer:
        for (int i = 0; i + opcode.length <= code.length; i++) {
            for (int j = 0; j < opcode.length; j++) if ((code[i + j] & 0xff) != opcode[j]) continue outer;
            return base + i;
        }
        throw new AssertionError("opcode not found in guest");
    }

    /**
     * Skips loudly unless the backend reports {@code cap}: a backend offers only what it implements
     * (ARCHITECTURE.md), so a family it does not report is not tested on it — and not counted as passed.
     */
    static void assumeCap(Kvm kvm, Cap cap) {
        if (kvm.checkExtension(cap) == 0) Backends.skip("backend " + kvm.backendName() + " reports " + cap + " = 0");
    }

    /** Skips loudly unless KVM_GET_SUPPORTED_CPUID offers CPUID.1:EDX bit {@code bit} ({@code name}). */
    static void assumeCpuid1Edx(Kvm kvm, int bit, String name) {
        for (var e : kvm.getSupportedCpuid()) {
            if (e.function() == 1 && (e.edx() >>> bit & 1) != 0) return;
        }
        Backends.skip("backend " + kvm.backendName() + " does not offer CPUID " + name);
    }

    // ---------------------------------------------------------------- host facts

    /**
     * True when {@code backend} is the linux one and /dev/kvm is PVM (kvm_pvm loaded): guest CPL0 code is
     * then emulated by the host, slowly, and some instructions (INT n, INT3, IRET, SSE at CPL0) fail with
     * KVM_EXIT_INTERNAL_ERROR; CPUID at CPL3 runs natively and does not see SET_CPUID2.
     */
    static boolean pvm(String backend) {
        return backend.equals("linux") && Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
    }

    /** Skips loudly — for this backend only — a case the PVM host cannot run. */
    static void skipOnPvm(String backend, String why) {
        if (pvm(backend)) Backends.skip("PVM /dev/kvm cannot run this case: " + why);
    }
}
