package io.jkvm.java;

import io.jkvm.api.Cap;
import io.jkvm.api.Errno;
import io.jkvm.api.Kvm;
import io.jkvm.api.KvmException;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.java.timer.KvmClock;
import io.jkvm.x86.cpuid.Features;
import io.jkvm.x86.insn.Msrs;
import java.util.ArrayList;
import java.util.List;

/** System ioctls of the java backend. Capabilities are reported only where implemented. */
final class JavaKvm implements Kvm {
    static final int MAX_VCPUS = 64;
    private volatile boolean closed;

    @Override
    public String backendName() {
        return "java";
    }

    private void check() {
        if (closed) throw new KvmException(Errno.EBADF, "/dev/kvm handle is closed");
    }

    @Override
    public int getApiVersion() {
        check();
        return KVM_API_VERSION;
    }

    @Override
    public Vm createVm(long type) {
        check();
        if (type != 0) throw new KvmException(Errno.EINVAL, "KVM_CREATE_VM: machine type " + type + " is not supported");
        return new JavaVm();
    }

    @Override
    public int[] getMsrIndexList(int nmsrs) {
        check();
        int[] all = msrIndexList();
        if (nmsrs < all.length) throw new KvmException(Errno.E2BIG, "KVM_GET_MSR_INDEX_LIST: " + all.length + " MSRs, room for " + nmsrs);
        return all;
    }

    /**
     * The core's MSRs, then the platform's: the TSC-deadline timer (after IA32_TSC, so that a VMM restoring
     * them in this order arms the deadline against the restored TSC, as QEMU does) and kvmclock's MSRs.
     */
    static int[] msrIndexList() {
        int[] core = Msrs.indexList();
        int[] platform = {VcpuPlatform.MSR_IA32_TSC_DEADLINE, KvmClock.MSR_KVM_WALL_CLOCK_NEW, KvmClock.MSR_KVM_SYSTEM_TIME_NEW,
            KvmClock.MSR_KVM_WALL_CLOCK, KvmClock.MSR_KVM_SYSTEM_TIME};
        int[] all = java.util.Arrays.copyOf(core, core.length + platform.length);
        System.arraycopy(platform, 0, all, core.length, platform.length);
        return all;
    }

    @Override
    public int checkExtension(int cap) {
        check();
        return extension(cap);
    }

    /** The answer of KVM_CHECK_EXTENSION for the java backend (system and VM level alike). */
    static int extension(int n) {
        Cap cap = Cap.of(n);
        if (cap == null) return 0;
        return switch (cap) {
            case KVM_CAP_HLT, KVM_CAP_USER_MEMORY, KVM_CAP_SET_TSS_ADDR, KVM_CAP_EXT_CPUID, KVM_CAP_MP_STATE,
                 KVM_CAP_SYNC_MMU, KVM_CAP_DESTROY_MEMORY_REGION_WORKS, KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
                 KVM_CAP_SET_IDENTITY_MAP_ADDR, KVM_CAP_SET_BOOT_CPU_ID, KVM_CAP_VCPU_EVENTS, KVM_CAP_INTR_SHADOW,
                 KVM_CAP_DEBUGREGS, KVM_CAP_XSAVE, KVM_CAP_XCRS, KVM_CAP_GET_TSC_KHZ, KVM_CAP_TSC_CONTROL,
                 KVM_CAP_READONLY_MEM, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_CHECK_EXTENSION_VM, KVM_CAP_ADJUST_CLOCK,
                 KVM_CAP_INTERNAL_ERROR_DATA, KVM_CAP_IRQCHIP, KVM_CAP_IRQ_ROUTING, KVM_CAP_PIT2, KVM_CAP_PIT_STATE2,
                 KVM_CAP_SIGNAL_MSI, KVM_CAP_TSC_DEADLINE_TIMER, KVM_CAP_CLOCKSOURCE, KVM_CAP_ENABLE_CAP,
                 KVM_CAP_ENABLE_CAP_VM, KVM_CAP_EXCEPTION_PAYLOAD, KVM_CAP_HALT_POLL, KVM_CAP_ENFORCE_PV_FEATURE_CPUID -> 1;
            case KVM_CAP_X86_DISABLE_EXITS -> VmCaps.DISABLE_EXITS_SUPPORTED;
            case KVM_CAP_NR_VCPUS, KVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPU_ID -> MAX_VCPUS;
            case KVM_CAP_NR_MEMSLOTS -> MemSlots.KVM_USER_MEM_SLOTS;
            default -> 0;
        };
    }

    @Override
    public int getVcpuMmapSize() {
        check();
        return io.jkvm.api.KvmRun.SIZE;
    }

    /** KVM's paravirtual leaves: the "KVMKVMKVM" signature and the features jkvm implements (kvmclock). */
    static final int KVM_FEATURE_CLOCKSOURCE = 0, KVM_FEATURE_NOP_IO_DELAY = 1, KVM_FEATURE_CLOCKSOURCE2 = 3,
            KVM_FEATURE_CLOCKSOURCE_STABLE_BIT = 24;

    /**
     * The core's CPUID plus what the backend adds, as Linux's KVM does: the local APIC, x2APIC and the
     * TSC-deadline timer (emulated in-kernel), and the KVM leaves at 0x40000000.
     */
    static List<int[]> supported() {
        List<int[]> all = new ArrayList<>();
        for (int[] e : Features.supported()) {
            int[] x = e.clone();
            if (x[0] == 1) {
                x[6] |= 1 << 9;                      // EDX.APIC
                x[5] |= (1 << 21) | (1 << 24);       // ECX.X2APIC, ECX.TSC_DEADLINE
            }
            all.add(x);
        }
        byte[] sig = "KVMKVMKVM\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sig).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        all.add(new int[] {0x40000000, 0, 0, 0x40000001, b.getInt(0), b.getInt(4), b.getInt(8)});
        int kvm = (1 << KVM_FEATURE_CLOCKSOURCE) | (1 << KVM_FEATURE_NOP_IO_DELAY) | (1 << KVM_FEATURE_CLOCKSOURCE2)
                | (1 << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
        all.add(new int[] {0x40000001, 0, 0, kvm, 0, 0, 0});
        return all;
    }

    @Override
    public List<CpuidEntry2> getSupportedCpuid(int nent) {
        check();
        List<int[]> all = supported();
        if (nent < all.size()) throw new KvmException(Errno.E2BIG, "KVM_GET_SUPPORTED_CPUID: " + all.size() + " entries, room for " + nent);
        List<CpuidEntry2> r = new ArrayList<>();
        for (int[] e : all) r.add(new CpuidEntry2(e[0], e[1], e[2], e[3], e[4], e[5], e[6]));
        return List.copyOf(r);
    }

    @Override
    public void close() {
        closed = true;
    }
}
