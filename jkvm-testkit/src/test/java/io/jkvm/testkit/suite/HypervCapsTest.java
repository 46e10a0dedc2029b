package io.jkvm.testkit.suite;

import static io.jkvm.api.Errno.*;
import static io.jkvm.testkit.suite.Suite.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.Cap;
import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.EnableCap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The x86 capabilities of seed 000 §8 (Hyper-V emulation): 8.2 KVM_CAP_HYPERV_SYNIC, 8.11 _SYNIC2,
 * 8.12 _VP_INDEX, 8.18 _TLBFLUSH, 8.20 _SEND_IPI. What is checked is that the answer is truthful: a SynIC
 * the backend reports can be enabled on a vCPU (with an in-kernel LAPIC) and one it does not report cannot;
 * the informational caps answer the same on the system and the VM handle.
 */
class HypervCapsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void synicCanBeEnabledExactlyWhenReported(String backend) {
        for (Cap synic : new Cap[] {Cap.KVM_CAP_HYPERV_SYNIC, Cap.KVM_CAP_HYPERV_SYNIC2}) {
            try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
                assumeCap(kvm, Cap.KVM_CAP_IRQCHIP);  // SynIC needs the in-kernel LAPIC
                vm.createIrqchip();
                try (Vcpu cpu = vm.createVcpu(0)) {
                    if (kvm.checkExtension(synic) > 0) cpu.enableCap(EnableCap.of(synic));
                    else assertErrno(EINVAL, () -> cpu.enableCap(EnableCap.of(synic)));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jkvm.testkit.Backends#all")
    void informationalCapsAgreeOnSystemAndVm(String backend) {
        try (Kvm kvm = kvm(backend); Vm vm = kvm.createVm()) {
            for (Cap c : new Cap[] {Cap.KVM_CAP_HYPERV_VP_INDEX, Cap.KVM_CAP_HYPERV_TLBFLUSH, Cap.KVM_CAP_HYPERV_SEND_IPI,
                Cap.KVM_CAP_HYPERV_SYNIC, Cap.KVM_CAP_HYPERV_SYNIC2}) {
                int v = kvm.checkExtension(c);
                assertTrue(v == 0 || v == 1, c + " = " + v);
                assertEquals(v, vm.checkExtension(c), c.name());
            }
        }
    }
}
