package io.jkvm.testkit.suite;

import static io.jkvm.api.x86.Msr.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guest TSC as a VMM sets and restores it: KVM_SET_MSRS of IA32_TSC makes RDTSC and KVM_GET_MSRS
 * continue from the value written (not from the value plus anything), and a VMM's write of
 * IA32_TSC_ADJUST (restoring it after IA32_TSC) only sets the register. The guest reads the TSC at CPL3,
 * where it runs natively on PVM as on VMX.
 */
class TscTest {
    static final long START = 1_000_000_000_000_000L;   // far from anything a fresh vCPU counts to
    /** Ten seconds at 10 GHz: more than any test run, less than START. */
    static final long SLACK = 100_000_000_000L;

    static final String READ_TSC = """
            .code64
                rdtsc
                out %eax, $0x10
                mov %edx, %eax
                out %eax, $0x10
            1:  jmp 1b
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void tscWrittenByTheVmmIsWhatTheGuestReads(String backend) {
        // Seen on PVM: after KVM_SET_MSRS(IA32_TSC = 10^15) KVM_GET_MSRS still returns the host's TSC (~3*10^13):
        // PVM runs the guest without hardware TSC offsetting, so the guest TSC cannot be set.
        skipOnPvm(backend, "the guest TSC is the host's and cannot be written");
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(READ_TSC);
            t.longMode(cpu, TestVm.CODE);
            t.userMode(cpu);
            assertEquals(1, cpu.setMsrs(new MsrEntry(MSR_IA32_TSC, START)));
            assertEquals(1, cpu.setMsrs(new MsrEntry(MSR_IA32_TSC_ADJUST, 12345)), "a VMM restoring TSC_ADJUST");
            long read = cpu.getMsrs(MSR_IA32_TSC)[0].data();
            assertTrue(read >= START && read < START + SLACK, "KVM_GET_MSRS continues from the written TSC: " + read);
            assertEquals(12345, cpu.getMsrs(MSR_IA32_TSC_ADJUST)[0].data());
            long lo = expectOut(cpu, 0x10, 4) & 0xffffffffL, hi = expectOut(cpu, 0x10, 4) & 0xffffffffL;
            long guest = hi << 32 | lo;
            assertTrue(guest >= read && guest < START + SLACK, "RDTSC continues from it too: " + guest);
        }
    }
}
