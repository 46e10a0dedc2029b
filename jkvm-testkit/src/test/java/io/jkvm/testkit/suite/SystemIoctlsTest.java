package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmRun;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.Vm;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * System ioctls: KVM_GET_API_VERSION (§4.1), KVM_CREATE_VM (§4.2), KVM_CHECK_EXTENSION (§4.4),
 * KVM_GET_VCPU_MMAP_SIZE (§4.5), and the kvm_run block (§5) they describe.
 */
class SystemIoctlsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void apiVersionAndMmapSize(String backend) {
        try (Kvm kvm = kvm(backend)) {
            assertEquals(Kvm.KVM_API_VERSION, kvm.getApiVersion());
            assertEquals(12, kvm.getApiVersion(), "the stable API's only version");
            int size = kvm.getVcpuMmapSize();
            assertTrue(size >= (KvmRun.KVM_PIO_PAGE_OFFSET + 1) * 4096 && size % 4096 == 0,
                    "kvm_run plus the PIO data page, in pages: " + size);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void checkExtension(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            assertEquals(0, kvm.checkExtension(-1), "unknown: 0");
            assertEquals(0, kvm.checkExtension(100_000), "unknown: 0");
            assertEquals(0, vm.checkExtension(100_000));
            // The 'basic' capabilities every KVM has (seed 003 §4: "basic" or always-present on x86).
            for (Cap c : new Cap[] {Cap.KVM_CAP_USER_MEMORY, Cap.KVM_CAP_CHECK_EXTENSION_VM, Cap.KVM_CAP_EXT_CPUID,
                Cap.KVM_CAP_SET_TSS_ADDR, Cap.KVM_CAP_NR_MEMSLOTS, Cap.KVM_CAP_MAX_VCPUS, Cap.KVM_CAP_MAX_VCPU_ID,
                Cap.KVM_CAP_NR_VCPUS, Cap.KVM_CAP_IMMEDIATE_EXIT})
                assertTrue(kvm.checkExtension(c) > 0, c.name());
            assertTrue(kvm.checkExtension(Cap.KVM_CAP_NR_VCPUS) <= kvm.checkExtension(Cap.KVM_CAP_MAX_VCPUS),
                    "recommended vCPUs <= maximum vCPUs");
            // Non-x86 capabilities (seed 000 §8: ppc, mips, s390, arm) are absent on x86.
            for (Cap c : new Cap[] {Cap.KVM_CAP_PPC_HWRNG, Cap.KVM_CAP_PPC_MMU_RADIX, Cap.KVM_CAP_PPC_MMU_HASH_V3,
                Cap.KVM_CAP_MIPS_VZ, Cap.KVM_CAP_MIPS_TE, Cap.KVM_CAP_MIPS_64BIT, Cap.KVM_CAP_ARM_USER_IRQ,
                Cap.KVM_CAP_PPC_SMT_POSSIBLE, Cap.KVM_CAP_S390_AIS_MIGRATION, Cap.KVM_CAP_S390_PSW,
                Cap.KVM_CAP_S390_GMAP, Cap.KVM_CAP_S390_COW, Cap.KVM_CAP_S390_BPB, Cap.KVM_CAP_ARM_INJECT_SERROR_ESR})
                assertEquals(0, kvm.checkExtension(c), c.name());
            // The VM's answers may refine the system's, but a capability the system lacks the VM lacks too.
            for (Cap c : Cap.values())
                if (kvm.checkExtension(c) == 0) assertEquals(0, vm.checkExtension(c), c.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void pioDataLivesInsideTheMapping(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm(".code64\n mov $0x99, %al\n out %al, $0x10\n");
            t.longMode(cpu, TestVm.CODE);
            VcpuExit.Io io = runTo(VcpuExit.Io.class, cpu);
            assertEquals(VcpuExit.KVM_EXIT_IO, cpu.kvmRun().exit_reason());
            long off = io.data_offset();
            assertTrue(off >= 256 && off + io.size() * (long) io.count() <= t.kvm.getVcpuMmapSize(), "data_offset " + off);
            assertEquals(0x99, io.value());
        }
    }
}
