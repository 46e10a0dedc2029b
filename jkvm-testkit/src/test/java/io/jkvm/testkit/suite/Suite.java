package io.jkvm.testkit.suite;

import io.jkvm.api.KvmException;
import io.jkvm.api.Errno;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.testkit.Backends;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;

/** Shared helpers of the behaviour suite. Every test takes the backend name as its parameter. */
final class Suite {
    private Suite() {}

    /** A fresh test VM on {@code backend}; skips loudly when the backend or the assembler is missing. */
    static TestVm vm(String backend) {
        Backends.assumeAvailable(backend);
        Backends.assumeAssembler();
        return TestVm.create(backend);
    }

    /** Runs until an exit that is not a (JVM- or test-caused) KVM_EXIT_INTR, with a bound on exits. */
    static VcpuExit run(Vcpu cpu) {
        return cpu.run();
    }

    /** Asserts the exit is of {@code type} and returns it cast. */
    static <T extends VcpuExit> T expect(Class<T> type, VcpuExit exit) {
        if (!type.isInstance(exit)) Assertions.fail("expected " + type.getSimpleName() + " but got " + exit + describe(exit));
        return type.cast(exit);
    }

    private static String describe(VcpuExit e) {
        return e instanceof VcpuExit.InternalError ie ? " insn=" + java.util.HexFormat.of().formatHex(ie.insn_bytes()) : "";
    }

    /** Runs and asserts an OUT of one byte to {@code port}; returns the value. */
    static int expectOut(Vcpu cpu, int port) {
        VcpuExit.Io io = expect(VcpuExit.Io.class, cpu.run());
        Assertions.assertTrue(io.isOut(), "expected OUT, got " + io);
        Assertions.assertEquals(port, io.port(), "port of " + io);
        return io.value();
    }

    static KvmException assertErrno(Errno errno, Executable call) {
        KvmException e = Assertions.assertThrows(KvmException.class, call);
        Assertions.assertEquals(errno, e.errno(), () -> "errno of: " + e.getMessage());
        return e;
    }
}
