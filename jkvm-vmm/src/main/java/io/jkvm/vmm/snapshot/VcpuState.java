package io.jkvm.vmm.snapshot;

import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Debugregs;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import java.util.List;

/**
 * One vCPU's state, its components in the order Linux restores them (Documentation/virt/kvm: MP_STATE,
 * REGS, SREGS, XSAVE, XCRS, DEBUGREGS, LAPIC, MSRs, VCPU_EVENTS), after the CPUID it was created with.
 * {@code xsave}/{@code xcrs} are null where the backend lacks KVM_CAP_XSAVE/KVM_CAP_XCRS.
 */
public record VcpuState(int id, List<CpuidEntry2> cpuid, MpState mp_state, Regs regs, Sregs sregs, Xsave xsave,
                        Xcrs xcrs, Debugregs debugregs, LapicState lapic, List<MsrEntry> msrs, VcpuEvents events) {}
