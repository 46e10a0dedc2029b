package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.api.uapi.IrqRoutingEntry.*;
import static io.jkvm.testkit.suite.Suite.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Irqchip;
import io.jkvm.api.uapi.IrqRoutingEntry;
import io.jkvm.api.uapi.IrqRoutingMsi;
import io.jkvm.api.uapi.LapicState;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The documented errors and common misuse of the irqchip ioctls (§4.16, §4.24–4.27, §4.52, KVM_SIGNAL_MSI, KVM_GET_LAPIC). */
class IrqchipMisuseTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void withoutAnIrqchip(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);
            assertErrno(ENXIO, () -> vm.irqLine(0, 1));
            assertErrno(ENXIO, () -> vm.getIrqchip(Irqchip.KVM_IRQCHIP_PIC_MASTER));
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(msi(24, 0xfee00000L, 0x30))));
            assertErrno(EINVAL, () -> vm.signalMsi(0xfee00000L, 0x30));
            assertErrno(EINVAL, () -> cpu.getLapic());
            assertErrno(EINVAL, () -> cpu.setLapic(new LapicState(new byte[LapicState.KVM_APIC_REG_SIZE])));
            assertErrno(EINVAL, vm::createIrqchip);  // only before the first vCPU
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void withAnIrqchip(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);
            vm.createIrqchip();
            assertErrno(EPERM, () -> vm.signalMsi(0xfee00000L, 0x30));  // no vCPU to take it: Linux's -1
            assertErrno(EEXIST, vm::createIrqchip);
            assertErrno(EINVAL, () -> vm.getIrqchip(3));
            assertErrno(EINVAL, () -> vm.getIrqchip(-1));
            assertErrno(EINVAL, () -> vm.setIrqchip(new Irqchip(3, vm.getIrqchip(0).chip())));
            try (Vcpu cpu = vm.createVcpu(0)) {
                assertErrno(ENXIO, () -> cpu.interrupt(0x30));  // the in-kernel PIC owns external interrupts
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void badGsiRoutes(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);
            vm.createIrqchip();
            IrqRoutingEntry ok = msi(24, 0xfee00000L, 0x30);
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(ok), 1));                                   // table flags
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(new IrqRoutingEntry(24, KVM_IRQ_ROUTING_MSI, 2,
                    new IrqRoutingMsi(0xfee00000, 0, 0x30, 0)))));                                          // entry flags: only VALID_DEVID exists
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(new IrqRoutingEntry(24, 99, 0, ok.u()))));   // unknown type
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(msi(4096, 0xfee00000L, 0x30))));            // gsi >= KVM_MAX_IRQ_ROUTES
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(irqchip(1, Irqchip.KVM_IRQCHIP_IOAPIC, 24)))); // IOAPIC pin 24
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(irqchip(1, Irqchip.KVM_IRQCHIP_PIC_MASTER, 8)))); // PIC pin 8
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(irqchip(1, 3, 1))));                         // no chip 3
            assertErrno(EINVAL, () -> vm.setGsiRouting(List.of(irqchip(1, 0, 1), irqchip(1, 0, 1))));      // twice to one chip
            assertErrno(EINVAL, () -> vm.setGsiRouting(Collections.nCopies(4097, ok)));                     // > KVM_MAX_IRQ_ROUTES
            vm.setGsiRouting(List.of(irqchip(1, 0, 1), irqchip(1, 2, 1), ok));  // one GSI to PIC and IOAPIC is fine
            vm.setGsiRouting(List.of());                                       // and so is an empty table
        }
    }
}
