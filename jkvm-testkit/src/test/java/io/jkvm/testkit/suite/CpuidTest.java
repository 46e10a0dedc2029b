package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.api.uapi.CpuidEntry;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.testkit.TestVm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KVM_GET_SUPPORTED_CPUID (§4.46), KVM_SET_CPUID (§4.20), KVM_SET_CPUID2 / KVM_GET_CPUID2: the CPUID the
 * guest executes. The guest runs CPUID at CPL0: on a PVM host CPUID at CPL3 runs natively and answers
 * with the outer hypervisor's leaves, not the ones set here.
 */
class CpuidTest {

    static final int HV_LEAF = 0x4000_0000;
    /** "jkvm", "test", "cpu!" as CPUID register values. */
    static final int JKVM = 0x6d766b6a, TEST = 0x74736574, CPU = 0x21757063;

    static final String GUEST = """
            .code64
                xor %eax, %eax
                cpuid
                out %eax, $0x10
                mov %ebx, %eax
                out %eax, $0x10
                mov $0x40000000, %eax
                cpuid
                out %eax, $0x11
                mov %ebx, %eax
                out %eax, $0x11
                mov %ecx, %eax
                out %eax, $0x11
                mov %edx, %eax
                out %eax, $0x11
                hlt
            """;

    /** The supported leaves with the hypervisor leaf 0x40000000 replaced by jkvm's own signature. */
    static List<CpuidEntry2> withSignature(Kvm kvm) {
        List<CpuidEntry2> cpuid = new ArrayList<>(kvm.getSupportedCpuid());
        cpuid.removeIf(e -> e.function() == HV_LEAF);
        cpuid.add(new CpuidEntry2(HV_LEAF, 0, 0, HV_LEAF + 1, JKVM, TEST, CPU));
        return cpuid;
    }

    static CpuidEntry2 leaf(List<CpuidEntry2> cpuid, int function) {
        return cpuid.stream().filter(e -> e.matches(function, 0)).findFirst()
                .orElseThrow(() -> new AssertionError("no CPUID leaf " + Integer.toHexString(function)));
    }

    static void assertGuestSees(Vcpu cpu, CpuidEntry2 leaf0) {
        assertEquals(leaf0.eax(), expectOut(cpu, 0x10, 4), "leaf 0 EAX (max basic leaf)");
        assertEquals(leaf0.ebx(), expectOut(cpu, 0x10, 4), "leaf 0 EBX (vendor)");
        assertEquals(HV_LEAF + 1, expectOut(cpu, 0x11, 4));
        assertEquals(JKVM, expectOut(cpu, 0x11, 4));
        assertEquals(TEST, expectOut(cpu, 0x11, 4));
        assertEquals(CPU, expectOut(cpu, 0x11, 4));
        runTo(VcpuExit.Hlt.class, cpu);
    }

    /**
     * Both backends offer what a paravirtual Linux guest looks for: the "KVMKVMKVM" signature at
     * 0x40000000, kvmclock (KVM_FEATURE_CLOCKSOURCE2, bit 3) at 0x40000001, and the in-kernel LAPIC's
     * APIC, x2APIC and TSC-deadline bits in leaf 1.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void supportedCpuidHasKvmLeavesAndApicBits(String backend) {
        try (Kvm kvm = kvm(backend)) {
            List<CpuidEntry2> cpuid = kvm.getSupportedCpuid();
            CpuidEntry2 sig = leaf(cpuid, HV_LEAF);
            assertEquals(0x4b4d564b, sig.ebx(), "KVMK");
            assertEquals(0x564b4d56, sig.ecx(), "VMKV");
            assertEquals(0x0000004d, sig.edx(), "M");
            assertTrue(sig.eax() >= HV_LEAF + 1, "max hypervisor leaf");
            assertNotEquals(0, leaf(cpuid, HV_LEAF + 1).eax() & (1 << 3), "KVM_FEATURE_CLOCKSOURCE2");
            CpuidEntry2 one = leaf(cpuid, 1);
            assertNotEquals(0, one.edx() & (1 << 9), "APIC");
            assertNotEquals(0, one.ecx() & (1 << 21), "X2APIC");
            assertNotEquals(0, one.ecx() & (1 << 24), "TSC_DEADLINE");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void guestSeesSetCpuid2(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            List<CpuidEntry2> cpuid = withSignature(t.kvm);
            cpu.setCpuid2(cpuid);
            List<CpuidEntry2> back = cpu.getCpuid2(Kvm.KVM_MAX_CPUID_ENTRIES);
            // GET_CPUID2 returns the leaves set, in any order — except that some hosts drop the all-zero
            // subleaf-indexed leaves of features they hide (seen: 0x1d, 0x1e, 0x24 on a Sapphire Rapids
            // host), and KVM updates the dynamic bits of some (APIC ID, OSXSAVE, XSAVE sizes): so the check
            // is "no leaf invented, the leaves that matter kept, the static ones unchanged".
            for (CpuidEntry2 e : back)
                assertTrue(cpuid.stream().anyMatch(s -> s.matches(e.function(), e.index())), "invented " + e);
            assertTrue(back.size() >= cpuid.size() - 3, "GET_CPUID2 keeps the entries set: " + back.size());
            for (int function : new int[] {0, HV_LEAF, 0x80000000})
                assertEquals(leaf(cpuid, function), leaf(back, function), "leaf " + Integer.toHexString(function));
            for (int function : new int[] {1, 7, 0xd, 0x80000001}) leaf(back, function);
            assertErrno(E2BIG, () -> cpu.getCpuid2(back.size() - 1));

            t.loadAsm(GUEST);
            t.longMode(cpu, TestVm.CODE);
            assertGuestSees(cpu, leaf(cpuid, 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void guestSeesLegacySetCpuid(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            // struct kvm_cpuid_entry has no sub-leaf index: keep the leaves that do not need one.
            List<CpuidEntry> legacy = new ArrayList<>();
            for (CpuidEntry2 e : withSignature(t.kvm))
                if ((e.flags() & CpuidEntry2.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0)
                    legacy.add(new CpuidEntry(e.function(), e.eax(), e.ebx(), e.ecx(), e.edx()));
            cpu.setCpuid(legacy);
            // Every legacy leaf reads back as an entry2 with index 0 and no flags. (Linux may add leaves of its
            // own: the 6.18 host adds the XSAVE sub-leaves of 0xD, which the legacy table cannot express.)
            List<CpuidEntry2> back = cpu.getCpuid2(Kvm.KVM_MAX_CPUID_ENTRIES);
            for (CpuidEntry e : legacy)
                assertTrue(back.stream().anyMatch(b -> b.function() == e.function() && b.index() == 0 && b.flags() == 0),
                        "leaf " + Integer.toHexString(e.function()));
            assertEquals(new CpuidEntry2(HV_LEAF, 0, 0, HV_LEAF + 1, JKVM, TEST, CPU), leaf(back, HV_LEAF));
            t.loadAsm(GUEST);
            t.longMode(cpu, TestVm.CODE);
            assertGuestSees(cpu, leaf(t.kvm.getSupportedCpuid(), 0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void supportedCpuid(String backend) {
        try (Kvm kvm = kvm(backend)) {
            List<CpuidEntry2> all = kvm.getSupportedCpuid();
            assertTrue(all.size() > 2 && all.size() <= Kvm.KVM_MAX_CPUID_ENTRIES, "entries: " + all.size());
            CpuidEntry2 leaf0 = leaf(all, 0);
            assertTrue(leaf0.eax() >= 1, "max basic leaf");
            leaf(all, 1);
            assertTrue(leaf(all, 0x8000_0000).eax() >= 0x8000_0001, "max extended leaf");
            assertErrno(E2BIG, () -> kvm.getSupportedCpuid(all.size() - 1));
            assertErrno(E2BIG, () -> kvm.getSupportedCpuid(0));
            assertEquals(all, kvm.getSupportedCpuid(all.size()), "exactly enough room");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void misuse(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            CpuidEntry2 e = new CpuidEntry2(0, 0, 0, 1, 0, 0, 0);
            assertErrno(E2BIG, () -> cpu.setCpuid2(Collections.nCopies(Kvm.KVM_MAX_CPUID_ENTRIES + 1, e)));
            assertErrno(E2BIG, () -> cpu.setCpuid(Collections.nCopies(Kvm.KVM_MAX_CPUID_ENTRIES + 1, new CpuidEntry(0, 1, 0, 0, 0))));

            // After the first KVM_RUN the CPUID is frozen: a different table is refused.
            List<CpuidEntry2> cpuid = withSignature(t.kvm);
            cpu.setCpuid2(cpuid);
            t.loadAsm(".code64\n hlt\n");
            t.longMode(cpu, TestVm.CODE);
            runTo(VcpuExit.Hlt.class, cpu);
            List<CpuidEntry2> changed = new ArrayList<>(cpuid);
            changed.replaceAll(x -> x.function() == HV_LEAF ? x.withRegs(HV_LEAF, 1, 2, 3) : x);
            assertErrno(EINVAL, () -> cpu.setCpuid2(changed));
        }
    }
}
