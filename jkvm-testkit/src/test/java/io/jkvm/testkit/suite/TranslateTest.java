package io.jkvm.testkit.suite;

import static io.jkvm.testkit.suite.LongModeTest.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.uapi.Translation;
import io.jkvm.testkit.TestVm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KVM_TRANSLATE (seed 003 §4.15): linear → guest-physical under the vCPU's current paging mode.
 *
 * <p>Linux answers {@code writeable = 1} and {@code usermode = 0} for every address, whatever the page
 * tables say (kvm_arch_vcpu_ioctl_translate fills them with constants); only {@code valid} and
 * {@code physical_address} come from the walk, and an address that does not translate gives
 * {@code physical_address = -1} (INVALID_GPA). The suite pins that behaviour for every backend.
 */
class TranslateTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void fourLevelPaging(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.longMode(cpu, TestVm.CODE);
            // PD[256] → PT: PT[0] read-only supervisor page at 0x3000, PT[1] writable user page at 0x5000, PT[2] absent.
            t.u64(TestVm.PD + 8 * 256, TestVm.PT | P | RW | US);
            t.u64(TestVm.PT, 0x3000 | P);
            t.u64(TestVm.PT + 8, 0x5000 | P | RW | US);
            t.u64(TestVm.PT + 16, 0);

            assertTranslation(cpu, 0x1234, 0x1234);                      // 2 MiB identity page
            assertTranslation(cpu, 0x3fe00abcL, 0x3fe00abcL);            // last 2 MiB page of the first GiB
            assertTranslation(cpu, LINEAR_4K + 0x123, 0x3123);           // 4 KiB page, read-only supervisor PTE
            assertTranslation(cpu, LINEAR_4K + 0x1456, 0x5456);          // 4 KiB page, writable user PTE
            assertInvalid(cpu, LINEAR_4K + 0x2000);                      // PTE not present
            assertInvalid(cpu, 0x4000_0000L);                            // PDPT[1] not present
            assertInvalid(cpu, 0x0000_8000_0000_0000L);                  // PML4[256] not present
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void withoutPagingLinearIsPhysical(String backend) {
        try (TestVm t = vm(backend); Vcpu cpu = t.vm.createVcpu(0)) {
            t.protectedMode(cpu, TestVm.CODE);
            assertTranslation(cpu, 0x123456, 0x123456);
            assertTranslation(cpu, 0xfee00000L, 0xfee00000L);
            t.realMode(cpu, TestVm.CODE);
            assertTranslation(cpu, 0x12345, 0x12345);  // a linear address: no segment base is added
        }
    }

    private static void assertTranslation(Vcpu cpu, long linear, long physical) {
        Translation tr = cpu.translate(linear);
        assertEquals(linear, tr.linear_address());
        assertEquals(1, tr.valid(), () -> "valid: " + tr);
        assertEquals(physical, tr.physical_address(), () -> "physical: " + tr);
        assertEquals(1, tr.writeable(), "Linux reports writeable = 1 for every translation");
        assertEquals(0, tr.usermode(), "Linux reports usermode = 0 for every translation");
    }

    private static void assertInvalid(Vcpu cpu, long linear) {
        Translation tr = cpu.translate(linear);
        assertEquals(0, tr.valid(), () -> "valid: " + tr);
        assertEquals(-1L, tr.physical_address(), "INVALID_GPA");
    }
}
