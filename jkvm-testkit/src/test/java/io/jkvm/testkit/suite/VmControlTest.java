package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.ClockData;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.testkit.Backends;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VM-wide controls: KVM_GET/SET_CLOCK (§4.29–4.30), KVM_SET_TSS_ADDR (§4.36), KVM_ENABLE_CAP (§4.37, VM and
 * vCPU), KVM_SET_IDENTITY_MAP_ADDR (§4.40), KVM_SET_BOOT_CPU_ID (§4.41).
 */
class VmControlTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void clock(String backend) throws InterruptedException {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            long a = vm.getClock().clock();
            Thread.sleep(20);
            long b = vm.getClock().clock();
            assertTrue(b - a >= 20_000_000L, "kvmclock advances in nanoseconds: " + (b - a));
            vm.setClock(ClockData.of(1_000_000_000_000L));
            long c = vm.getClock().clock();
            assertTrue(c >= 1_000_000_000_000L && c < 1_000_000_000_000L + 5_000_000_000L, "clock after SET_CLOCK: " + c);
            assertErrno(EINVAL, () -> vm.setClock(new ClockData(0, 1, 0, 0)));  // unknown flag
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void tssAndIdentityMapAddresses(String backend) {
        try (TestVm t = vm(backend)) {
            // Intel's real-mode workaround regions: below 4 GiB, clear of RAM; harmless elsewhere.
            t.vm.setTssAddr(0xfffbd000L);
            t.vm.setIdentityMapAddr(0xfffbc000L);
            try (Vcpu cpu = t.vm.createVcpu(0)) {
                assertErrno(EINVAL, () -> t.vm.setIdentityMapAddr(0xfffbc000L));  // only before vCPUs exist
                t.vm.setTssAddr(0xfffbd000L);                                      // TSS may still move
                t.loadAsm(".code16\n mov $0x42, %al\n out %al, $0x10\n hlt\n");
                t.realMode(cpu, TestVm.CODE);
                assertEquals(0x42, expectOut(cpu, 0x10), "a real-mode guest runs with both set");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void bootCpuId(String backend) {
        try (Kvm kvm = kvm(backend)) {
            try (Vm vm = kvm.createVm()) {
                int max = kvm.checkExtension(Cap.KVM_CAP_MAX_VCPU_ID);
                assertErrno(EINVAL, () -> vm.setBootCpuId(max + 1L));
                vm.setBootCpuId(0);
                try (Vcpu cpu = vm.createVcpu(0)) {
                    assertErrno(EBUSY, () -> vm.setBootCpuId(0));  // once vCPUs exist
                }
            }
            // The effect is visible in MP state, which KVM keeps only with an in-kernel LAPIC.
            assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);
            try (Vm vm = kvm.createVm()) {
                vm.createIrqchip();
                vm.setBootCpuId(1);
                try (Vcpu cpu0 = vm.createVcpu(0); Vcpu cpu1 = vm.createVcpu(1)) {
                    assertEquals(MpState.RUNNABLE, cpu1.getMpState(), "vCPU 1 is the BSP");
                    assertEquals(MpState.UNINITIALIZED, cpu0.getMpState(), "vCPU 0 is an AP");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void enableCapOnTheVm(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assumeCap(kvm, Cap.KVM_CAP_ENABLE_CAP_VM);
            // A capability that cannot be enabled, an unknown one, and non-zero flags.
            assertErrno(EINVAL, () -> vm.enableCap(EnableCap.of(Cap.KVM_CAP_IRQCHIP)));
            assertErrno(EINVAL, () -> vm.enableCap(new EnableCap(99_999, 0, new long[4])));
            assertErrno(EINVAL, () -> vm.enableCap(new EnableCap(Cap.KVM_CAP_HALT_POLL.number, 1, new long[4])));
            int exits = vm.checkExtension(Cap.KVM_CAP_X86_DISABLE_EXITS);
            if (exits != 0) {
                // The answer is the mask of exits that may be disabled: other bits are refused, a reported one is taken.
                assertErrno(EINVAL, () -> vm.enableCap(EnableCap.of(Cap.KVM_CAP_X86_DISABLE_EXITS, ~(long) exits & 0xff)));
                try (Vm other = kvm.createVm()) {
                    other.enableCap(EnableCap.of(Cap.KVM_CAP_X86_DISABLE_EXITS, Integer.lowestOneBit(exits)));
                }
            }

            // KVM_CAP_EXCEPTION_PAYLOAD: once enabled, KVM_GET_VCPU_EVENTS reports the exception payload valid.
            if (vm.checkExtension(Cap.KVM_CAP_EXCEPTION_PAYLOAD) == 0) Backends.skip("backend cannot enable KVM_CAP_EXCEPTION_PAYLOAD");
            try (Vm plain = kvm.createVm(); Vcpu before = plain.createVcpu(0)) {
                assertEquals(0, before.getVcpuEvents().flags() & VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD);
            }
            vm.enableCap(EnableCap.of(Cap.KVM_CAP_EXCEPTION_PAYLOAD, 1));
            try (Vcpu cpu = vm.createVcpu(0)) {
                assertNotEquals(0, cpu.getVcpuEvents().flags() & VcpuEvents.KVM_VCPUEVENT_VALID_PAYLOAD);
                if (exits != 0)  // KVM_CAP_X86_DISABLE_EXITS must come before the first vCPU
                    assertErrno(EINVAL, () -> vm.enableCap(EnableCap.of(Cap.KVM_CAP_X86_DISABLE_EXITS, exits)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void enableCapOnTheVcpu(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assumeCap(kvm, Cap.KVM_CAP_ENABLE_CAP);
            assertErrno(EINVAL, () -> cpu.enableCap(new EnableCap(99_999, 0, new long[4])));
            if (kvm.checkExtension(Cap.KVM_CAP_HYPERV_SYNIC) == 0)  // unsupported: cannot be enabled
                assertErrno(EINVAL, () -> cpu.enableCap(EnableCap.of(Cap.KVM_CAP_HYPERV_SYNIC)));
            if (kvm.checkExtension(Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID) == 0)
                Backends.skip("backend cannot enable KVM_CAP_ENFORCE_PV_FEATURE_CPUID on a vCPU");
            cpu.enableCap(EnableCap.of(Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1));
            assertErrno(EINVAL, () -> cpu.enableCap(new EnableCap(Cap.KVM_CAP_ENFORCE_PV_FEATURE_CPUID.number, 1, new long[4])));
        }
    }
}
