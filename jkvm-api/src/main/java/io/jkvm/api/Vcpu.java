package io.jkvm.api;

import io.jkvm.api.uapi.CpuidEntry;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.api.uapi.Debugregs;
import io.jkvm.api.uapi.EnableCap;
import io.jkvm.api.uapi.Fpu;
import io.jkvm.api.uapi.LapicState;
import io.jkvm.api.uapi.MpState;
import io.jkvm.api.uapi.MsrEntry;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.SignalMask;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.api.uapi.Translation;
import io.jkvm.api.uapi.VcpuEvents;
import io.jkvm.api.uapi.Xcrs;
import io.jkvm.api.uapi.Xsave;
import java.util.List;

/**
 * A virtual CPU: the vCPU fd of seed 003 §2. {@link #run()} executes the guest on the calling thread until
 * an exit (§4.10, §5); {@link #kick()} from any thread makes it return promptly with {@link VcpuExit.Intr}.
 * All other methods belong to the thread that runs it, as in Linux.
 */
public interface Vcpu extends AutoCloseable {

    /** The id given to KVM_CREATE_VCPU. */
    int id();

    /** The shared kvm_run block (§5), read and written in place. */
    KvmRun kvmRun();

    /**
     * KVM_RUN (§4.10). Returns the exit view for {@code kvm_run.exit_reason}. A pending IO-in or MMIO-read
     * completes first with the data the caller put in kvm_run. A kick (or immediate_exit) returns
     * {@link VcpuExit.Intr}; signals that are not kicks are retried, not surfaced.
     */
    VcpuExit run();

    /**
     * Makes a running {@link #run()} return {@link VcpuExit.Intr} promptly, or the next one return at once. Any
     * thread. A no-op on a closed vCPU.
     */
    void kick();

    /** KVM_GET_REGS (§4.11). */
    Regs getRegs();

    /** KVM_SET_REGS (§4.12). */
    void setRegs(Regs regs);

    /** KVM_GET_SREGS (§4.13). */
    Sregs getSregs();

    /** KVM_SET_SREGS (§4.14). EINVAL for an inconsistent state (e.g. CR0.PG without PE, reserved CR4 bits). */
    void setSregs(Sregs sregs);

    /** KVM_TRANSLATE (§4.15): linear → physical under the current paging mode. */
    Translation translate(long linear_address);

    /** KVM_INTERRUPT (§4.16): queue external interrupt {@code irq} (a vector). EINVAL for irq &gt;= 256, ENXIO with an in-kernel PIC. */
    void interrupt(int irq);

    /** KVM_DEBUG_GUEST (§4.17): removed; EINVAL, x86's answer to a vCPU ioctl it does not know (use KVM_SET_GUEST_DEBUG). */
    void debugGuest();

    /**
     * KVM_GET_MSRS (§4.18). Linux stops at the first MSR it cannot read; the result holds the prefix read.
     *
     * @throws KvmException E2BIG for more than KVM_MAX_MSR_ENTRIES (255)
     */
    MsrEntry[] getMsrs(int... indices);

    /** KVM_SET_MSRS (§4.19): returns how many entries, from the first, were written. */
    int setMsrs(MsrEntry... entries);

    /** KVM_SET_CPUID (§4.20), legacy entries. E2BIG above KVM_MAX_CPUID_ENTRIES. */
    void setCpuid(List<CpuidEntry> entries);

    /** KVM_SET_CPUID2: the CPUID the guest sees. E2BIG above KVM_MAX_CPUID_ENTRIES. */
    void setCpuid2(List<CpuidEntry2> entries);

    /** KVM_GET_CPUID2: the CPUID set for this vCPU; E2BIG if it has more than {@code nent} entries. */
    List<CpuidEntry2> getCpuid2(int nent);

    /** KVM_SET_SIGNAL_MASK (§4.21): signals blocked during KVM_RUN; null removes the mask. EINVAL unless len is 8. */
    void setSignalMask(SignalMask mask);

    /** KVM_GET_FPU (§4.22). */
    Fpu getFpu();

    /** KVM_SET_FPU (§4.23). */
    void setFpu(Fpu fpu);

    /** KVM_GET_VCPU_EVENTS (§4.31). */
    VcpuEvents getVcpuEvents();

    /** KVM_SET_VCPU_EVENTS (§4.32). EINVAL for unknown flags or an out-of-range vector. */
    void setVcpuEvents(VcpuEvents events);

    /** KVM_GET_DEBUGREGS (§4.33). */
    Debugregs getDebugregs();

    /** KVM_SET_DEBUGREGS (§4.34). EINVAL for non-zero flags or DR6/DR7 bits 63:32 set. */
    void setDebugregs(Debugregs regs);

    /** KVM_ENABLE_CAP on the vCPU (§4.37). EINVAL for caps that cannot be enabled per vCPU. */
    void enableCap(EnableCap cap);

    /** KVM_GET_MP_STATE (§4.38). */
    MpState getMpState();

    /** KVM_SET_MP_STATE (§4.39). EINVAL for states invalid on x86. */
    void setMpState(MpState state);

    /** KVM_GET_XSAVE (§4.42). */
    Xsave getXsave();

    /** KVM_SET_XSAVE (§4.43). EINVAL for XSTATE_BV bits not supported. */
    void setXsave(Xsave xsave);

    /** KVM_GET_XCRS (§4.44). */
    Xcrs getXcrs();

    /** KVM_SET_XCRS (§4.45). EINVAL for an invalid XCR0. */
    void setXcrs(Xcrs xcrs);

    /** KVM_SET_TSC_KHZ (§4.54). */
    void setTscKhz(int khz);

    /** KVM_GET_TSC_KHZ (§4.55). */
    int getTscKhz();

    /** KVM_GET_LAPIC: the local APIC registers (requires an in-kernel irqchip, EINVAL otherwise). */
    LapicState getLapic();

    /** KVM_SET_LAPIC. */
    void setLapic(LapicState state);

    /** Closes the vCPU fd. */
    @Override
    void close();
}
