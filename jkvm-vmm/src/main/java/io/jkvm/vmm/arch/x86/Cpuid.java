package io.jkvm.vmm.arch.x86;

import io.jkvm.api.uapi.CpuidEntry2;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUID a vCPU gets: KVM_GET_SUPPORTED_CPUID as the backend reports it, with the vCPU's own APIC id in
 * leaf 1 (EBX[31:24], the initial APIC id) and in the x2APIC id of leaves 0xB and 0x1F (EDX), and the number
 * of logical processors in leaf 1 (EBX[23:16]) — what Firecracker's and QEMU's CPUID normalisation do first.
 */
public final class Cpuid {
    private Cpuid() {}

    public static List<CpuidEntry2> forVcpu(List<CpuidEntry2> supported, int apicId, int cpus) {
        List<CpuidEntry2> out = new ArrayList<>(supported.size());
        for (CpuidEntry2 e : supported) {
            out.add(switch (e.function()) {
                case 1 -> e.withRegs(e.eax(), (e.ebx() & 0x0000ffff) | (apicId << 24) | (Math.min(cpus, 255) << 16),
                        e.ecx(), e.edx());
                case 0xb, 0x1f -> e.withRegs(e.eax(), e.ebx(), e.ecx(), apicId);
                default -> e;
            });
        }
        return out;
    }
}
