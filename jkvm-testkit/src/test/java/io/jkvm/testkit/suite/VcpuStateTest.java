package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.api.uapi.VcpuEvents.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Debugregs;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.x86.Cr;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * vCPU state ioctls: REGS/SREGS (§4.11–4.14), DEBUGREGS (§4.33–4.34), VCPU_EVENTS (§4.31–4.32),
 * MP_STATE (§4.38–4.39), TSC_KHZ (§4.54–4.55).
 */
class VcpuStateTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void regsAndSregsRoundTrip(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            Regs r = Regs.fromArray(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1234, 0x202});
            cpu.setRegs(r);
            assertEquals(r, cpu.getRegs());
            t.longMode(cpu, TestVm.CODE);
            Sregs s = cpu.getSregs();
            Sregs changed = s.with(b -> {
                b.cr2 = 0xdead000;
                b.fs = b.fs.withBase(0x7000_0000_1000L);
                b.gs = b.gs.withBase(0xffff_8000_0000_0000L);
            });
            cpu.setSregs(changed);
            assertEquals(changed, cpu.getSregs());
            // Inconsistent control registers are refused.
            assertErrno(EINVAL, () -> cpu.setSregs(s.with(b -> {                  // CR0.PG without PE
                b.cr0 = Cr.X86_CR0_PG;
                b.cr4 = 0;
                b.efer = 0;
            })));
            assertErrno(EINVAL, () -> cpu.setSregs(s.with(b -> b.cr4 |= 1L << 40)));  // reserved CR4 bit
            assertErrno(EINVAL, () -> cpu.setSregs(s.with(b -> b.cr4 = 0)));         // long mode without PAE
            assertEquals(changed, cpu.getSregs(), "a refused SET_SREGS changes nothing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void debugregs(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            Debugregs reset = cpu.getDebugregs();
            assertEquals(0xffff0ff0L, reset.dr6(), "DR6 after reset");
            assertEquals(0x400L, reset.dr7(), "DR7 after reset");
            Debugregs d = new Debugregs(new long[] {0x1000, 0x2000, 0x3000, 0xffff_8000_0000_4000L}, 0xffff0ff1L, 0x455, 0);
            cpu.setDebugregs(d);
            assertEquals(d, cpu.getDebugregs());
            assertErrno(EINVAL, () -> cpu.setDebugregs(new Debugregs(new long[4], 0xffff0ff0L, 0x400, 1)));            // flags
            assertErrno(EINVAL, () -> cpu.setDebugregs(new Debugregs(new long[4], 0xffff0ff0L | 1L << 32, 0x400, 0))); // DR6[63:32]
            assertErrno(EINVAL, () -> cpu.setDebugregs(new Debugregs(new long[4], 0xffff0ff0L, 0x400 | 1L << 32, 0))); // DR7[63:32]
            assertEquals(d, cpu.getDebugregs());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void vcpuEvents(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            VcpuEvents reset = cpu.getVcpuEvents();
            assertEquals(0, reset.exception_injected() | reset.interrupt_injected() | reset.nmi_injected() | reset.nmi_pending());
            assertEquals(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW,
                    reset.flags() & (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW), "flags: which fields are valid");
            cpu.setVcpuEvents(reset.with(b -> {
                b.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
                b.nmi_pending = 1;
                b.nmi_masked = 1;
                b.interrupt_shadow = KVM_X86_SHADOW_INT_STI;
            }));
            VcpuEvents got = cpu.getVcpuEvents();
            assertEquals(1, got.nmi_pending());
            assertEquals(1, got.nmi_masked());
            assertEquals(KVM_X86_SHADOW_INT_STI, got.interrupt_shadow());

            assertErrno(EINVAL, () -> cpu.setVcpuEvents(reset.with(b -> b.flags = 0x1000)));   // unknown flag
            assertErrno(EINVAL, () -> cpu.setVcpuEvents(reset.with(b -> {                       // vector > 31
                b.flags = 0;
                b.exception_injected = 1;
                b.exception_nr = 32;
            })));
            assertErrno(EINVAL, () -> cpu.setVcpuEvents(reset.with(b -> {                       // NMI is not an exception
                b.flags = 0;
                b.exception_injected = 1;
                b.exception_nr = 2;
            })));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void mpStateWithoutIrqchip(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assertEquals(MpState.RUNNABLE, cpu.getMpState());
            cpu.setMpState(MpState.RUNNABLE);
            // Without an in-kernel LAPIC the VMM keeps MP state itself: KVM only takes RUNNABLE.
            assertErrno(EINVAL, () -> cpu.setMpState(MpState.HALTED));
            assertErrno(EINVAL, () -> cpu.setMpState(MpState.INIT_RECEIVED));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void mpStateWithIrqchip(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);
            vm.createIrqchip();
            try (Vcpu bsp = vm.createVcpu(0); Vcpu ap = vm.createVcpu(1)) {
                assertEquals(MpState.RUNNABLE, bsp.getMpState(), "the boot CPU runs");
                assertEquals(MpState.UNINITIALIZED, ap.getMpState(), "an AP waits for INIT");
                bsp.setMpState(MpState.HALTED);
                assertEquals(MpState.HALTED, bsp.getMpState());
                bsp.setMpState(MpState.RUNNABLE);
                assertEquals(MpState.RUNNABLE, bsp.getMpState());
                ap.setMpState(MpState.INIT_RECEIVED);
                assertEquals(MpState.INIT_RECEIVED, ap.getMpState());
                // SIPI_RECEIVED is stored as "INIT received + SIPI pending"; GET_MP_STATE accepts the pending
                // SIPI first, so the AP reads back RUNNABLE.
                ap.setMpState(MpState.SIPI_RECEIVED);
                assertEquals(MpState.RUNNABLE, ap.getMpState());
                assertErrno(EINVAL, () -> bsp.setMpState(new MpState(MpState.KVM_MP_STATE_STOPPED)));  // s390 only
                assertErrno(EINVAL, () -> bsp.setMpState(new MpState(99)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void tscKhz(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            int khz = cpu.getTscKhz();
            assertTrue(khz > 100_000, "TSC kHz " + khz);
            cpu.setTscKhz(khz);
            assertEquals(khz, cpu.getTscKhz());
            if (kvm.checkExtension(Cap.KVM_CAP_TSC_CONTROL) > 0) {
                cpu.setTscKhz(khz / 2);  // TSC scaling: any rate
                assertEquals(khz / 2, cpu.getTscKhz());
            } else {
                // No TSC scaling: a slower TSC is refused; a faster one is emulated by catch-up.
                assertErrno(EINVAL, () -> cpu.setTscKhz(khz / 2));
                cpu.setTscKhz(khz + khz / 10);
                assertEquals(khz + khz / 10, cpu.getTscKhz());
            }
        }
    }
}
