package io.jkvm.api;

import java.lang.foreign.MemorySegment;

/**
 * Why {@code KVM_RUN} returned: one case per {@code KVM_EXIT_*} (seed 003 §5). Each case is a view over
 * the vCPU's {@link KvmRun}, preallocated once per vCPU, so an exit costs no allocation; its accessors read
 * the exit union in place and are valid until the next {@code run()}. Reasons jkvm does not know, and
 * KVM_EXIT_UNKNOWN itself, are {@link Unknown}.
 *
 * <pre>{@code
 * switch (vcpu.run()) {
 *     case VcpuExit.Io io when io.port() == 0x3f8 -> console.write(io.data());
 *     case VcpuExit.Mmio m -> bus.access(m);
 *     case VcpuExit.Hlt h -> { return; }
 *     default -> throw new IllegalStateException("unexpected " + exit);
 * }
 * }</pre>
 */
public sealed interface VcpuExit {

    int KVM_EXIT_UNKNOWN = 0, KVM_EXIT_EXCEPTION = 1, KVM_EXIT_IO = 2, KVM_EXIT_HYPERCALL = 3, KVM_EXIT_DEBUG = 4,
            KVM_EXIT_HLT = 5, KVM_EXIT_MMIO = 6, KVM_EXIT_IRQ_WINDOW_OPEN = 7, KVM_EXIT_SHUTDOWN = 8,
            KVM_EXIT_FAIL_ENTRY = 9, KVM_EXIT_INTR = 10, KVM_EXIT_SET_TPR = 11, KVM_EXIT_TPR_ACCESS = 12,
            KVM_EXIT_S390_SIEIC = 13, KVM_EXIT_S390_RESET = 14, KVM_EXIT_DCR = 15, KVM_EXIT_NMI = 16,
            KVM_EXIT_INTERNAL_ERROR = 17, KVM_EXIT_OSI = 18, KVM_EXIT_PAPR_HCALL = 19, KVM_EXIT_S390_UCONTROL = 20,
            KVM_EXIT_WATCHDOG = 21, KVM_EXIT_S390_TSCH = 22, KVM_EXIT_EPR = 23, KVM_EXIT_SYSTEM_EVENT = 24,
            KVM_EXIT_S390_STSI = 25, KVM_EXIT_IOAPIC_EOI = 26, KVM_EXIT_HYPERV = 27, KVM_EXIT_ARM_NISV = 28,
            KVM_EXIT_X86_RDMSR = 29, KVM_EXIT_X86_WRMSR = 30, KVM_EXIT_DIRTY_RING_FULL = 31,
            KVM_EXIT_AP_RESET_HOLD = 32, KVM_EXIT_X86_BUS_LOCK = 33, KVM_EXIT_XEN = 34, KVM_EXIT_RISCV_SBI = 35,
            KVM_EXIT_RISCV_CSR = 36, KVM_EXIT_NOTIFY = 37;
    int KVM_EXIT_MAX = 37;

    /** The kvm_run block this exit reads. */
    KvmRun run();

    /** The raw {@code exit_reason}. */
    default int reason() {
        return run().exit_reason();
    }

    /** The {@code KVM_EXIT_*} name of this exit. */
    default String name() {
        return nameOf(reason());
    }

    static String nameOf(int reason) {
        return switch (reason) {
            case KVM_EXIT_UNKNOWN -> "KVM_EXIT_UNKNOWN"; case KVM_EXIT_EXCEPTION -> "KVM_EXIT_EXCEPTION";
            case KVM_EXIT_IO -> "KVM_EXIT_IO"; case KVM_EXIT_HYPERCALL -> "KVM_EXIT_HYPERCALL";
            case KVM_EXIT_DEBUG -> "KVM_EXIT_DEBUG"; case KVM_EXIT_HLT -> "KVM_EXIT_HLT";
            case KVM_EXIT_MMIO -> "KVM_EXIT_MMIO"; case KVM_EXIT_IRQ_WINDOW_OPEN -> "KVM_EXIT_IRQ_WINDOW_OPEN";
            case KVM_EXIT_SHUTDOWN -> "KVM_EXIT_SHUTDOWN"; case KVM_EXIT_FAIL_ENTRY -> "KVM_EXIT_FAIL_ENTRY";
            case KVM_EXIT_INTR -> "KVM_EXIT_INTR"; case KVM_EXIT_SET_TPR -> "KVM_EXIT_SET_TPR";
            case KVM_EXIT_TPR_ACCESS -> "KVM_EXIT_TPR_ACCESS"; case KVM_EXIT_S390_SIEIC -> "KVM_EXIT_S390_SIEIC";
            case KVM_EXIT_S390_RESET -> "KVM_EXIT_S390_RESET"; case KVM_EXIT_DCR -> "KVM_EXIT_DCR";
            case KVM_EXIT_NMI -> "KVM_EXIT_NMI"; case KVM_EXIT_INTERNAL_ERROR -> "KVM_EXIT_INTERNAL_ERROR";
            case KVM_EXIT_OSI -> "KVM_EXIT_OSI"; case KVM_EXIT_PAPR_HCALL -> "KVM_EXIT_PAPR_HCALL";
            case KVM_EXIT_S390_UCONTROL -> "KVM_EXIT_S390_UCONTROL"; case KVM_EXIT_WATCHDOG -> "KVM_EXIT_WATCHDOG";
            case KVM_EXIT_S390_TSCH -> "KVM_EXIT_S390_TSCH"; case KVM_EXIT_EPR -> "KVM_EXIT_EPR";
            case KVM_EXIT_SYSTEM_EVENT -> "KVM_EXIT_SYSTEM_EVENT"; case KVM_EXIT_S390_STSI -> "KVM_EXIT_S390_STSI";
            case KVM_EXIT_IOAPIC_EOI -> "KVM_EXIT_IOAPIC_EOI"; case KVM_EXIT_HYPERV -> "KVM_EXIT_HYPERV";
            case KVM_EXIT_ARM_NISV -> "KVM_EXIT_ARM_NISV"; case KVM_EXIT_X86_RDMSR -> "KVM_EXIT_X86_RDMSR";
            case KVM_EXIT_X86_WRMSR -> "KVM_EXIT_X86_WRMSR"; case KVM_EXIT_DIRTY_RING_FULL -> "KVM_EXIT_DIRTY_RING_FULL";
            case KVM_EXIT_AP_RESET_HOLD -> "KVM_EXIT_AP_RESET_HOLD"; case KVM_EXIT_X86_BUS_LOCK -> "KVM_EXIT_X86_BUS_LOCK";
            case KVM_EXIT_XEN -> "KVM_EXIT_XEN"; case KVM_EXIT_RISCV_SBI -> "KVM_EXIT_RISCV_SBI";
            case KVM_EXIT_RISCV_CSR -> "KVM_EXIT_RISCV_CSR"; case KVM_EXIT_NOTIFY -> "KVM_EXIT_NOTIFY";
            default -> "KVM_EXIT_" + reason;
        };
    }

    /** Fills {@code exits[reason]} with this block's views; called once by {@link KvmRun}'s constructor. */
    static void populate(KvmRun r, VcpuExit[] exits) {
        exits[KVM_EXIT_UNKNOWN] = new Unknown(r);
        exits[KVM_EXIT_EXCEPTION] = new Exception(r);
        exits[KVM_EXIT_IO] = new Io(r);
        exits[KVM_EXIT_HYPERCALL] = new Hypercall(r);
        exits[KVM_EXIT_DEBUG] = new Debug(r);
        exits[KVM_EXIT_HLT] = new Hlt(r);
        exits[KVM_EXIT_MMIO] = new Mmio(r);
        exits[KVM_EXIT_IRQ_WINDOW_OPEN] = new IrqWindowOpen(r);
        exits[KVM_EXIT_SHUTDOWN] = new Shutdown(r);
        exits[KVM_EXIT_FAIL_ENTRY] = new FailEntry(r);
        exits[KVM_EXIT_INTR] = new Intr(r);
        exits[KVM_EXIT_SET_TPR] = new SetTpr(r);
        exits[KVM_EXIT_TPR_ACCESS] = new TprAccess(r);
        exits[KVM_EXIT_S390_SIEIC] = new S390Sieic(r);
        exits[KVM_EXIT_S390_RESET] = new S390Reset(r);
        exits[KVM_EXIT_DCR] = new Dcr(r);
        exits[KVM_EXIT_NMI] = new Nmi(r);
        exits[KVM_EXIT_INTERNAL_ERROR] = new InternalError(r);
        exits[KVM_EXIT_OSI] = new Osi(r);
        exits[KVM_EXIT_PAPR_HCALL] = new PaprHcall(r);
        exits[KVM_EXIT_S390_UCONTROL] = new S390Ucontrol(r);
        exits[KVM_EXIT_WATCHDOG] = new Watchdog(r);
        exits[KVM_EXIT_S390_TSCH] = new S390Tsch(r);
        exits[KVM_EXIT_EPR] = new Epr(r);
        exits[KVM_EXIT_SYSTEM_EVENT] = new SystemEvent(r);
        exits[KVM_EXIT_S390_STSI] = new S390Stsi(r);
        exits[KVM_EXIT_IOAPIC_EOI] = new IoapicEoi(r);
        exits[KVM_EXIT_HYPERV] = new Hyperv(r);
        exits[KVM_EXIT_ARM_NISV] = new ArmNisv(r);
        exits[KVM_EXIT_X86_RDMSR] = new X86Rdmsr(r);
        exits[KVM_EXIT_X86_WRMSR] = new X86Wrmsr(r);
        exits[KVM_EXIT_DIRTY_RING_FULL] = new DirtyRingFull(r);
        exits[KVM_EXIT_AP_RESET_HOLD] = new ApResetHold(r);
        exits[KVM_EXIT_X86_BUS_LOCK] = new X86BusLock(r);
        exits[KVM_EXIT_XEN] = new Xen(r);
        exits[KVM_EXIT_RISCV_SBI] = new RiscvSbi(r);
        exits[KVM_EXIT_RISCV_CSR] = new RiscvCsr(r);
        exits[KVM_EXIT_NOTIFY] = new Notify(r);
    }

    /** KVM_EXIT_UNKNOWN, or any exit_reason jkvm does not know; {@link #reason()} tells which. */
    record Unknown(KvmRun run) implements VcpuExit {
        public long hardware_exit_reason() { return run.hardware_exit_reason(); }
        @Override public String toString() { return name() + "[hardware_exit_reason=" + hardware_exit_reason() + "]"; }
    }

    /** KVM_EXIT_EXCEPTION (ex.exception, ex.error_code). */
    record Exception(KvmRun run) implements VcpuExit {
        public int exception() { return run.ex_exception(); }
        public int error_code() { return run.ex_error_code(); }
        @Override public String toString() { return "KVM_EXIT_EXCEPTION[exception=" + exception() + ", error_code=" + error_code() + "]"; }
    }

    /**
     * KVM_EXIT_IO: port I/O the kernel did not handle. For OUT the data are in {@link #data()}; for IN the
     * caller writes {@code size * count} bytes there before the next run. String I/O ({@code rep insb/outsb})
     * may batch {@code count > 1} elements.
     */
    record Io(KvmRun run) implements VcpuExit {
        public int direction() { return run.io_direction(); }
        public boolean isOut() { return run.io_direction() == KvmRun.KVM_EXIT_IO_OUT; }
        public boolean isIn() { return run.io_direction() == KvmRun.KVM_EXIT_IO_IN; }
        public int size() { return run.io_size(); }
        public int port() { return run.io_port(); }
        public int count() { return run.io_count(); }
        public long data_offset() { return run.io_data_offset(); }
        public MemorySegment data() { return run.io_data(); }
        /** The first element as an unsigned value of {@code size} bytes. */
        public int value() {
            MemorySegment d = run.segment();
            long o = run.io_data_offset();
            return switch (size()) {
                case 1 -> io.jkvm.api.uapi.Mem.u8(d, o);
                case 2 -> io.jkvm.api.uapi.Mem.u16(d, o);
                default -> io.jkvm.api.uapi.Mem.u32(d, o);
            };
        }
        /** Sets every IN element to {@code v} (for count 1, simply the IN value). */
        public void value(int v) {
            MemorySegment d = run.segment();
            long o = run.io_data_offset();
            for (int i = 0; i < count(); i++, o += size()) {
                switch (size()) {
                    case 1 -> io.jkvm.api.uapi.Mem.u8(d, o, v);
                    case 2 -> io.jkvm.api.uapi.Mem.u16(d, o, v);
                    default -> io.jkvm.api.uapi.Mem.u32(d, o, v);
                }
            }
        }
        @Override public String toString() {
            return String.format("KVM_EXIT_IO[%s port=%#x size=%d count=%d]", isOut() ? "out" : "in", port(), size(), count());
        }
    }

    /** KVM_EXIT_HYPERCALL (unused on x86 by modern KVM; fields as the union defines them). */
    record Hypercall(KvmRun run) implements VcpuExit {
        public long nr() { return run.hypercall_nr(); }
        public long arg(int i) { return run.hypercall_arg(i); }
        public long ret() { return run.hypercall_ret(); }
        public void ret(long v) { run.hypercall_ret(v); }
        public int longmode() { return run.hypercall_longmode(); }
    }

    /** KVM_EXIT_DEBUG: struct kvm_debug_exit_arch. */
    record Debug(KvmRun run) implements VcpuExit {
        public int exception() { return run.debug_exception(); }
        public long pc() { return run.debug_pc(); }
        public long dr6() { return run.debug_dr6(); }
        public long dr7() { return run.debug_dr7(); }
    }

    /** KVM_EXIT_HLT: the guest executed HLT and no in-kernel irqchip waits for it. */
    record Hlt(KvmRun run) implements VcpuExit {
        @Override public String toString() { return "KVM_EXIT_HLT"; }
    }

    /**
     * KVM_EXIT_MMIO: an access to guest-physical memory no slot backs (or a write to a READONLY slot).
     * For a read, put the value with {@link #data(long)}; the instruction completes on the next run.
     */
    record Mmio(KvmRun run) implements VcpuExit {
        public long phys_addr() { return run.mmio_phys_addr(); }
        public long data() { return run.mmio_data(); }
        public void data(long v) { run.mmio_data(v); }
        public int len() { return run.mmio_len(); }
        public boolean is_write() { return run.mmio_is_write() != 0; }
        @Override public String toString() {
            return String.format("KVM_EXIT_MMIO[%s %#x len=%d data=%#x]", is_write() ? "write" : "read", phys_addr(), len(), data());
        }
    }

    /** KVM_EXIT_IRQ_WINDOW_OPEN: requested by request_interrupt_window; KVM_INTERRUPT can inject now. */
    record IrqWindowOpen(KvmRun run) implements VcpuExit {
        @Override public String toString() { return "KVM_EXIT_IRQ_WINDOW_OPEN"; }
    }

    /** KVM_EXIT_SHUTDOWN: the guest triple-faulted (or otherwise reached the shutdown state). */
    record Shutdown(KvmRun run) implements VcpuExit {
        @Override public String toString() { return "KVM_EXIT_SHUTDOWN"; }
    }

    /** KVM_EXIT_FAIL_ENTRY: the vCPU state cannot be entered (fail_entry.hardware_entry_failure_reason). */
    record FailEntry(KvmRun run) implements VcpuExit {
        public long hardware_entry_failure_reason() { return run.hardware_entry_failure_reason(); }
        public int cpu() { return run.fail_entry_cpu(); }
        @Override public String toString() { return "KVM_EXIT_FAIL_ENTRY[reason=" + hardware_entry_failure_reason() + "]"; }
    }

    /** KVM_EXIT_INTR: run() was interrupted (a kick, immediate_exit, or a signal). */
    record Intr(KvmRun run) implements VcpuExit {
        @Override public String toString() { return "KVM_EXIT_INTR"; }
    }

    /** KVM_EXIT_SET_TPR. */
    record SetTpr(KvmRun run) implements VcpuExit {}

    /** KVM_EXIT_TPR_ACCESS (KVM_TPR_ACCESS_REPORTING). */
    record TprAccess(KvmRun run) implements VcpuExit {
        public long rip() { return run.tpr_access_rip(); }
        public boolean is_write() { return run.tpr_access_is_write() != 0; }
    }

    /** KVM_EXIT_S390_SIEIC (s390). */
    record S390Sieic(KvmRun run) implements VcpuExit {
        public int icptcode() { return run.u8(0); }
        public int ipa() { return run.u16(2); }
        public int ipb() { return run.u32(4); }
    }

    /** KVM_EXIT_S390_RESET (s390): s390_reset_flags. */
    record S390Reset(KvmRun run) implements VcpuExit {
        public long s390_reset_flags() { return run.u64(0); }
    }

    /** KVM_EXIT_DCR (powerpc, deprecated). */
    record Dcr(KvmRun run) implements VcpuExit {
        public int dcrn() { return run.u32(0); }
        public int data() { return run.u32(4); }
        public boolean is_write() { return run.u8(8) != 0; }
    }

    /** KVM_EXIT_NMI. */
    record Nmi(KvmRun run) implements VcpuExit {}

    /**
     * KVM_EXIT_INTERNAL_ERROR: KVM could not handle the guest. For suberror KVM_INTERNAL_ERROR_EMULATION the
     * java backend fills data[0] = RIP and the instruction bytes (emulation_failure.insn_bytes).
     */
    record InternalError(KvmRun run) implements VcpuExit {
        public int suberror() { return run.internal_suberror(); }
        public int ndata() { return run.internal_ndata(); }
        public long data(int i) { return run.internal_data(i); }
        /** The failing instruction's bytes when emulation_failure.flags says they are valid, else empty. */
        public byte[] insn_bytes() {
            boolean valid = suberror() == KvmRun.KVM_INTERNAL_ERROR_EMULATION && ndata() >= 3
                    && (run.emulation_failure_flags() & KvmRun.KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0;
            return valid ? run.emulation_failure_insn_bytes() : new byte[0];
        }
        @Override public String toString() {
            StringBuilder b = new StringBuilder("KVM_EXIT_INTERNAL_ERROR[suberror=" + suberror() + ", ndata=" + ndata());
            for (int i = 0; i < Math.min(ndata(), 16); i++) b.append(String.format(", %#x", data(i)));
            return b.append("]").toString();
        }
    }

    /** KVM_EXIT_OSI (powerpc MOL). */
    record Osi(KvmRun run) implements VcpuExit {
        public long gpr(int i) { return run.u64(8 * i); }
    }

    /** KVM_EXIT_PAPR_HCALL (powerpc). */
    record PaprHcall(KvmRun run) implements VcpuExit {
        public long nr() { return run.u64(0); }
        public long ret() { return run.u64(8); }
        public long arg(int i) { return run.u64(16 + 8 * i); }
    }

    /** KVM_EXIT_S390_UCONTROL (s390). */
    record S390Ucontrol(KvmRun run) implements VcpuExit {
        public long trans_exc_code() { return run.u64(0); }
        public int pgm_code() { return run.u32(8); }
    }

    /** KVM_EXIT_WATCHDOG (powerpc booke). */
    record Watchdog(KvmRun run) implements VcpuExit {}

    /** KVM_EXIT_S390_TSCH (s390). */
    record S390Tsch(KvmRun run) implements VcpuExit {
        public int subchannel_id() { return run.u16(0); }
        public int subchannel_nr() { return run.u16(2); }
        public int io_int_parm() { return run.u32(4); }
        public int io_int_word() { return run.u32(8); }
        public int ipb() { return run.u32(12); }
        public int dequeued() { return run.u8(16); }
    }

    /** KVM_EXIT_EPR (powerpc). */
    record Epr(KvmRun run) implements VcpuExit {
        public int epr() { return run.u32(0); }
    }

    /** KVM_EXIT_SYSTEM_EVENT: shutdown/reset/crash requested by the guest (e.g. PSCI, or an SEV termination). */
    record SystemEvent(KvmRun run) implements VcpuExit {
        public int type() { return run.system_event_type(); }
        public int ndata() { return run.system_event_ndata(); }
        public long data(int i) { return run.system_event_data(i); }
        @Override public String toString() { return "KVM_EXIT_SYSTEM_EVENT[type=" + type() + "]"; }
    }

    /** KVM_EXIT_S390_STSI (s390). */
    record S390Stsi(KvmRun run) implements VcpuExit {
        public long addr() { return run.u64(0); }
        public int fc() { return run.u8(10); }
    }

    /** KVM_EXIT_IOAPIC_EOI: EOI of a level-triggered vector with a split irqchip. */
    record IoapicEoi(KvmRun run) implements VcpuExit {
        public int vector() { return run.eoi_vector(); }
    }

    /** KVM_EXIT_HYPERV (struct kvm_hyperv_exit, read through {@link KvmRun#u32(int)} etc.). */
    record Hyperv(KvmRun run) implements VcpuExit {
        public int type() { return run.u32(0); }
    }

    /** KVM_EXIT_ARM_NISV (arm64). */
    record ArmNisv(KvmRun run) implements VcpuExit {
        public long esr_iss() { return run.u64(0); }
        public long fault_ipa() { return run.u64(8); }
    }

    /** KVM_EXIT_X86_RDMSR (with KVM_CAP_X86_USER_SPACE_MSR): put the value with {@link #data(long)}. */
    record X86Rdmsr(KvmRun run) implements VcpuExit {
        public int index() { return run.msr_index(); }
        public int msr_reason() { return run.msr_reason(); }
        public long data() { return run.msr_data(); }
        public void data(long v) { run.msr_data(v); }
        public void error(int v) { run.msr_error(v); }
    }

    /** KVM_EXIT_X86_WRMSR (with KVM_CAP_X86_USER_SPACE_MSR). */
    record X86Wrmsr(KvmRun run) implements VcpuExit {
        public int index() { return run.msr_index(); }
        public long data() { return run.msr_data(); }
        public void error(int v) { run.msr_error(v); }
    }

    /** KVM_EXIT_DIRTY_RING_FULL. */
    record DirtyRingFull(KvmRun run) implements VcpuExit {}

    /** KVM_EXIT_AP_RESET_HOLD (SEV-ES). */
    record ApResetHold(KvmRun run) implements VcpuExit {}

    /** KVM_EXIT_X86_BUS_LOCK. */
    record X86BusLock(KvmRun run) implements VcpuExit {}

    /** KVM_EXIT_XEN (struct kvm_xen_exit). */
    record Xen(KvmRun run) implements VcpuExit {
        public int type() { return run.u32(0); }
    }

    /** KVM_EXIT_RISCV_SBI (riscv). */
    record RiscvSbi(KvmRun run) implements VcpuExit {
        public long extension_id() { return run.u64(0); }
        public long function_id() { return run.u64(8); }
    }

    /** KVM_EXIT_RISCV_CSR (riscv). */
    record RiscvCsr(KvmRun run) implements VcpuExit {
        public long csr_num() { return run.u64(0); }
    }

    /** KVM_EXIT_NOTIFY (KVM_CAP_X86_NOTIFY_VMEXIT). */
    record Notify(KvmRun run) implements VcpuExit {
        public int flags() { return run.notify_flags(); }
    }
}
