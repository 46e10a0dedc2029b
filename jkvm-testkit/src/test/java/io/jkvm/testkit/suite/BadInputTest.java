package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.Regs;
import io.jkvm.testkit.TestVm;
import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Misuse that cuts across ioctl families: vCPU ids (§4.7), VM types (§4.2) and use after close. The
 * per-family misuse lives with each family's tests (MemorySlotsTest, DirtyLogTest, MsrTest, CpuidTest,
 * FpuXsaveTest, VcpuStateTest, VmControlTest, IrqchipMisuseTest, InterruptWindowTest, KickTest).
 */
class BadInputTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void vcpuIds(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            int maxId = kvm.checkExtension(Cap.KVM_CAP_MAX_VCPU_ID);
            assertTrue(maxId >= kvm.checkExtension(Cap.KVM_CAP_MAX_VCPUS), "KVM_CAP_MAX_VCPU_ID " + maxId);
            try (Vcpu first = vm.createVcpu(0); Vcpu last = vm.createVcpu(maxId - 1)) {
                assertEquals(maxId - 1, last.id());
                assertErrno(EEXIST, () -> vm.createVcpu(0));
                assertErrno(EEXIST, () -> vm.createVcpu(maxId - 1));
                assertErrno(EINVAL, () -> vm.createVcpu(maxId));
                assertErrno(EINVAL, () -> vm.createVcpu(-1));
                assertErrno(EINVAL, () -> vm.createVcpu(Integer.MAX_VALUE));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void vmTypes(String backend) {
        try (Kvm kvm = kvm(backend)) {
            kvm.createVm(0).close();  // KVM_X86_DEFAULT_VM
            assertErrno(EINVAL, () -> kvm.createVm(99));
            assertErrno(EINVAL, () -> kvm.createVm(-1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void useAfterClose(String backend) {
        Kvm kvm = kvm(backend);
        Vm vm = kvm.createVm();
        Vcpu cpu = vm.createVcpu(0);

        kvm.close();  // like closing /dev/kvm's fd: the VM and its vCPUs live on
        assertErrno(EBADF, kvm::getApiVersion);
        assertErrno(EBADF, kvm::createVm);
        assertErrno(EBADF, () -> kvm.checkExtension(Cap.KVM_CAP_USER_MEMORY));
        assertErrno(EBADF, kvm::getSupportedCpuid);
        assertEquals(1, vm.checkExtension(Cap.KVM_CAP_USER_MEMORY));
        cpu.getRegs();

        try (Vcpu other = vm.createVcpu(1)) {
            other.close();
            other.close();  // closing twice is harmless
            assertErrno(EBADF, other::getRegs);
            assertErrno(EBADF, other::run);
            assertErrno(EBADF, () -> other.setMsrs(new MsrEntry(0x10, 0)));
            other.kick();   // a no-op: nothing runs
        }

        vm.close();  // closes its vCPUs too
        assertErrno(EBADF, cpu::getRegs);
        assertErrno(EBADF, () -> cpu.setRegs(Regs.ZERO));
        assertErrno(EBADF, cpu::run);
        assertErrno(EBADF, () -> vm.createVcpu(2));
        assertErrno(EBADF, vm::getClock);
        try (Arena a = Arena.ofConfined()) {
            assertErrno(EBADF, () -> vm.setUserMemoryRegion(0, 0, 0, a.allocate(4096, 4096)));
        }
        cpu.kick();
        vm.close();
        cpu.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void closingAVmWhileItsMemoryIsStillOwnedByTheCaller(String backend) {
        // The caller's segments outlive the VM; the VM must not touch them after close.
        TestVm t = vm(backend);
        Vcpu cpu = t.vm.createVcpu(0);
        t.u64(0x2000, 0x1234);
        t.vm.close();
        assertEquals(0x1234, t.u64(0x2000));
        assertErrno(EBADF, cpu::getRegs);
        t.close();  // and closing everything again is harmless
    }
}
