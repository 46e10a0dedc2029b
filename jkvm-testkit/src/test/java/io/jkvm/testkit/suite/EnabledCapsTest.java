package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Guests.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.testkit.TestVm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What enabled capabilities change for the guest (KVM_ENABLE_CAP, api.rst §4.37/§7), beyond the ioctl's
 * errors that VmControlTest checks: an exception queued as "pending" with a payload delivers the payload
 * (CR2) only when it is taken; with KVM_CAP_ENFORCE_PV_FEATURE_CPUID a kvmclock MSR the guest's CPUID does
 * not offer raises #GP.
 */
class EnabledCapsTest {

    static final String PF_HANDLER = IDT64_MACROS + """
                set_gate64 14, pf
                lidt idtr64(%rip)
                out %al, $0x12                  # the host queues the #PF now
                hlt                             # not reached: the #PF is taken before it
            pf: mov (%rsp), %rax                # error code
                out %eax, $0x11
                mov %cr2, %rax
                out %eax, $0x11
                hlt
            """ + IDT64_TABLE;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void pendingExceptionDeliversItsPayloadWhenTaken(String backend) {
        try (TestVm t = vm(backend)) {
            assumeCap(t.kvm, Cap.KVM_CAP_EXCEPTION_PAYLOAD);
            t.vm.enableCap(EnableCap.of(Cap.KVM_CAP_EXCEPTION_PAYLOAD, 1));
            try (Vcpu cpu = t.vm.createVcpu(0)) {
                t.loadAsm(".code64\n" + PF_HANDLER);
                t.longMode(cpu, TestVm.CODE);
                expectOut(cpu, 0x12, 1);
                VcpuEvents e = cpu.getVcpuEvents();
                assertNotEquals(0, e.flags() & VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD, "payload fields are valid");
                cpu.setVcpuEvents(e.with(b -> {
                    b.exception_pending = 1;
                    b.exception_injected = 0;
                    b.exception_nr = 14;
                    b.exception_has_error_code = 1;
                    b.exception_error_code = 0x2;
                    b.exception_has_payload = 1;
                    b.exception_payload = 0x1234_5000L;
                }));
                VcpuEvents back = cpu.getVcpuEvents();
                assertEquals(1, back.exception_pending(), "queued as pending");
                assertEquals(0, back.exception_injected());
                assertEquals(1, back.exception_has_payload());
                assertEquals(0x1234_5000L, back.exception_payload());
                assertEquals(0L, cpu.getSregs().cr2(), "the payload is not in CR2 before the #PF is taken");
                assertEquals(0x2, expectOut(cpu, 0x11, 4), "error code");
                assertEquals(0x1234_5000, expectOut(cpu, 0x11, 4), "CR2 = the payload");
                runTo(VcpuExit.Hlt.class, cpu);
            }
        }
    }

    static final String KVMCLOCK_WRITE = IDT64_MACROS + """
                set_gate64 13, gp
                lidt idtr64(%rip)
                mov $0x4b564d01, %ecx           # MSR_KVM_SYSTEM_TIME_NEW, disabled (bit 0 clear)
                xor %eax, %eax
                xor %edx, %edx
                wrmsr
                mov $1, %eax
                out %eax, $0x11                 # the write was taken
                hlt
            gp: mov $13, %eax
                out %eax, $0x11
                hlt
            """ + IDT64_TABLE;

    /** The supported CPUID with 0x40000001.EAX replaced by {@code features}. */
    static List<CpuidEntry2> withKvmFeatures(TestVm t, int features) {
        List<CpuidEntry2> cpuid = new ArrayList<>(t.kvm.getSupportedCpuid());
        cpuid.removeIf(e -> e.function() == 0x4000_0001);
        cpuid.add(new CpuidEntry2(0x4000_0001, 0, 0, features, 0, 0, 0));
        return cpuid;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void enforcedPvCpuidHidesKvmclockMsrsTheGuestCpuidLacks(String backend) {
        for (boolean offered : new boolean[] {false, true}) {
            try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
                assumeCap(t.kvm, Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID);
                cpu.setCpuid2(withKvmFeatures(t, offered ? 1 << 3 : 0));   // KVM_FEATURE_CLOCKSOURCE2
                cpu.enableCap(EnableCap.of(Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1));
                t.loadAsm(".code64\n" + KVMCLOCK_WRITE);
                t.longMode(cpu, TestVm.CODE);
                assertEquals(offered ? 1 : 13, expectOut(cpu, 0x11, 4),
                        offered ? "offered by CPUID: the MSR write is taken" : "not offered: #GP");
                runTo(VcpuExit.Hlt.class, cpu);
            }
        }
    }
}
