package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.AssignedIrq;
import io.jkvm.api.uapi.AssignedMsixEntry;
import io.jkvm.api.uapi.AssignedMsixNr;
import io.jkvm.api.uapi.AssignedPciDev;
import io.jkvm.api.uapi.MemoryAlias;
import io.jkvm.api.uapi.MemoryRegion;
import io.jkvm.api.uapi.XenHvmConfig;
import io.jkvm.testkit.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ioctls the seed documents that modern x86 Linux no longer has, or never had on x86: they answer with the
 * errno the host kernel gives. VM ioctls Linux does not know fall through kvm_arch_vm_ioctl to ENOTTY; vCPU
 * ioctls it does not know fall through kvm_arch_vcpu_ioctl to EINVAL.
 */
class RemovedIoctlsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void removedVmIoctlsAreEnotty(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assertErrno(ENOTTY, () -> vm.setMemoryRegion(new MemoryRegion(0, 0, 0, 4096)));            // §4.6
            assertErrno(ENOTTY, () -> vm.setMemoryAlias(new MemoryAlias(0, 0, 0, 4096, 0x100000)));    // §4.9
            AssignedPciDev dev = new AssignedPciDev(1, 0, 0x8, AssignedPciDev.KVM_DEV_ASSIGN_ENABLE_IOMMU, 0);
            assertErrno(ENOTTY, () -> vm.assignPciDevice(dev));                                         // §4.48
            assertErrno(ENOTTY, () -> vm.deassignPciDevice(dev));                                       // §4.49
            AssignedIrq irq = new AssignedIrq(1, 0, 5, AssignedIrq.KVM_DEV_IRQ_HOST_INTX | AssignedIrq.KVM_DEV_IRQ_GUEST_INTX, 0, 0, 0);
            assertErrno(ENOTTY, () -> vm.assignDevIrq(irq));                                            // §4.50
            assertErrno(ENOTTY, () -> vm.deassignDevIrq(irq));                                          // §4.51
            assertErrno(ENOTTY, () -> vm.assignSetMsixNr(new AssignedMsixNr(1, 4)));                    // §4.53
            assertErrno(ENOTTY, () -> vm.assignSetMsixEntry(new AssignedMsixEntry(1, 24, 0)));          // §4.54
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void powerpcOnlyIoctlIsEnotty(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assertErrno(ENOTTY, vm::ppcGetPvinfo);                                                      // §4.47
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void debugGuestIsEinval(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            assertErrno(EINVAL, cpu::debugGuest);                                                       // §4.17
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void xenHvmConfigWithoutXenSupport(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            if (kvm.checkExtension(Cap.KVM_CAP_XEN_HVM) != 0)
                Backends.skip("backend reports KVM_CAP_XEN_HVM: Xen emulation is outside jkvm's tests");
            // A kernel built without Xen emulation (KVM_CAP_XEN_HVM = 0) does not know the ioctl.   §4.28
            assertErrno(ENOTTY, () -> vm.xenHvmConfig(new XenHvmConfig(0, 0x40000000, 0, 0, 0, 0)));
        }
    }
}
