package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.api.x86.Msr.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.testkit.TestVm;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** KVM_GET_MSR_INDEX_LIST (§4.3), KVM_GET_MSRS (§4.18), KVM_SET_MSRS (§4.19). */
class MsrTest {

    /** MSRs every x86-64 KVM saves and restores: they must be in the index list. */
    static final int[] CORE = {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR,
        MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_IA32_TSC, MSR_IA32_CR_PAT};

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void indexList(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            int[] list = kvm.getMsrIndexList();
            Set<Integer> set = new HashSet<>();
            for (int m : list) assertTrue(set.add(m), "duplicate " + Integer.toHexString(m));
            for (int m : CORE) assertTrue(set.contains(m), "index list lacks " + Integer.toHexString(m));
            assertArrayEquals(list, kvm.getMsrIndexList(list.length), "exactly enough room");
            assertErrno(E2BIG, () -> kvm.getMsrIndexList(list.length - 1));
            assertErrno(E2BIG, () -> kvm.getMsrIndexList(0));
            // Every MSR the list names can be read, all in one call.
            MsrEntry[] all = cpu.getMsrs(list);
            assertEquals(list.length, all.length);
            for (int i = 0; i < list.length; i++) assertEquals(list[i], all[i].index());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void roundTrip(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            MsrEntry[] set = {
                new MsrEntry(MSR_IA32_SYSENTER_CS, 0x10), new MsrEntry(MSR_IA32_SYSENTER_ESP, 0xffff_8000_0000_1000L),
                new MsrEntry(MSR_IA32_SYSENTER_EIP, 0xffff_8000_0000_2000L), new MsrEntry(MSR_STAR, 0x0023_0010_0000_0000L),
                new MsrEntry(MSR_LSTAR, 0xffff_ffff_8100_0000L), new MsrEntry(MSR_CSTAR, 0xffff_ffff_8100_1000L),
                new MsrEntry(MSR_SYSCALL_MASK, 0x47700), new MsrEntry(MSR_KERNEL_GS_BASE, 0x7f12_3456_7000L),
                new MsrEntry(MSR_IA32_CR_PAT, 0x0007_0406_0007_0106L)};
            assertEquals(set.length, cpu.setMsrs(set), "SET_MSRS returns how many it wrote");
            int[] idx = Arrays.stream(set).mapToInt(MsrEntry::index).toArray();
            assertArrayEquals(set, cpu.getMsrs(idx));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void guestSeesAndSetsMsrs(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.loadAsm("""
                    .code64
                        mov $0xc0000102, %ecx       # MSR_KERNEL_GS_BASE, set by the test
                        rdmsr
                        out %eax, $0x10
                        mov %edx, %eax
                        out %eax, $0x10
                        mov $0xc0000081, %ecx       # MSR_STAR, read back by the test
                        mov $0x11223344, %eax
                        mov $0x00230010, %edx
                        wrmsr
                        hlt
                    """);
            t.longMode(cpu, TestVm.CODE);
            assertEquals(1, cpu.setMsrs(new MsrEntry(MSR_KERNEL_GS_BASE, 0x0000_7654_9abc_def0L)));
            assertEquals(0x9abcdef0, expectOut(cpu, 0x10, 4));
            assertEquals(0x7654, expectOut(cpu, 0x10, 4));
            runTo(VcpuExit.Hlt.class, cpu);
            assertEquals(0x0023_0010_1122_3344L, cpu.getMsrs(MSR_STAR)[0].data());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void partialResultsAndMisuse(String backend) {
        try (Kvm kvm = kvm(backend); var vm = kvm.createVm(); Vcpu cpu = vm.createVcpu(0)) {
            // Linux stops at the first MSR it cannot handle and returns how many it did.
            assertEquals(1, cpu.getMsrs(MSR_STAR, 0xdeadbeef, MSR_LSTAR).length);
            assertEquals(1, cpu.setMsrs(new MsrEntry(MSR_STAR, 5), new MsrEntry(0xdeadbeef, 1), new MsrEntry(MSR_LSTAR, 5)));
            assertEquals(5, cpu.getMsrs(MSR_STAR)[0].data());
            assertNotEquals(5, cpu.getMsrs(MSR_LSTAR)[0].data(), "nothing after the failing entry was written");
            assertEquals(0, cpu.setMsrs(new MsrEntry(MSR_LSTAR, 0x8000_0000_0000_0000L)), "a non-canonical LSTAR is refused");
            assertEquals(0, cpu.getMsrs().length);
            // KVM_MAX_MSR_ENTRIES is 255: nmsrs of 256 or more is E2BIG.
            int[] many = new int[255];
            Arrays.fill(many, MSR_STAR);
            assertEquals(255, cpu.getMsrs(many).length);
            assertErrno(E2BIG, () -> cpu.getMsrs(new int[256]));
            MsrEntry[] tooMany = new MsrEntry[256];
            Arrays.fill(tooMany, new MsrEntry(MSR_STAR, 0));
            assertErrno(E2BIG, () -> cpu.setMsrs(tooMany));
        }
    }
}
