package io.jkvm.api;

import io.jkvm.api.uapi.Mem;
import java.lang.foreign.MemorySegment;

/**
 * {@code struct kvm_run} (seed 003 §5), read and written in place. On the linux backend this is the vCPU
 * fd's mmap; the java backend keeps a segment of the same size and layout, so code that reads
 * {@code kvm_run} works unchanged on both. Accessors carry the kernel's field names; members of the exit
 * union carry their union member's prefix ({@code io_port}, {@code mmio_phys_addr}…).
 *
 * <p>Nothing here allocates: {@link #exit()} returns one of this block's preallocated {@link VcpuExit} views.
 * A view, and the data it points at, is valid until the next {@code run()} of its vCPU.
 */
public final class KvmRun {
    /** Bytes of kvm_run that precede the PIO data page (KVM_PIO_PAGE_OFFSET 1 × 4096). */
    public static final int KVM_PIO_PAGE_OFFSET = 1;
    /** Size of the block both backends expose (three pages, as Linux x86 with coalesced MMIO). */
    public static final int SIZE = 3 * 4096;

    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    public static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    public static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    public static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;
    public static final long KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;

    // Offsets of struct kvm_run (x86-64), checked against the C header by KvmRunLayoutTest.
    static final int REQUEST_INTERRUPT_WINDOW = 0, IMMEDIATE_EXIT = 1, EXIT_REASON = 8,
            READY_FOR_INTERRUPT_INJECTION = 12, IF_FLAG = 13, FLAGS = 14, CR8 = 16, APIC_BASE = 24, U = 32;

    private final MemorySegment seg;
    private final VcpuExit[] exits = new VcpuExit[VcpuExit.KVM_EXIT_MAX + 1];
    private final VcpuExit.Unknown unknown;

    /** Wraps a kvm_run block of at least {@link #SIZE} bytes. */
    public KvmRun(MemorySegment seg) {
        if (seg.byteSize() < 4096) throw new IllegalArgumentException("kvm_run needs at least a page");
        this.seg = seg;
        this.unknown = new VcpuExit.Unknown(this);
        VcpuExit.populate(this, exits);
    }

    /** The underlying block (for backends and for tests that compare raw bytes). */
    public MemorySegment segment() { return seg; }

    /** The typed view of the current exit_reason; never null, {@link VcpuExit.Unknown} for reasons jkvm does not know. */
    public VcpuExit exit() {
        int r = exit_reason();
        return r >= 0 && r < exits.length ? exits[r] : unknown;
    }

    // --- in ---
    public int request_interrupt_window() { return Mem.u8(seg, REQUEST_INTERRUPT_WINDOW); }
    public void request_interrupt_window(int v) { Mem.u8(seg, REQUEST_INTERRUPT_WINDOW, v); }
    public int immediate_exit() { return Mem.u8(seg, IMMEDIATE_EXIT); }
    public void immediate_exit(int v) { Mem.u8(seg, IMMEDIATE_EXIT, v); }

    // --- out ---
    public int exit_reason() { return Mem.u32(seg, EXIT_REASON); }
    public void exit_reason(int v) { Mem.u32(seg, EXIT_REASON, v); }
    public int ready_for_interrupt_injection() { return Mem.u8(seg, READY_FOR_INTERRUPT_INJECTION); }
    public void ready_for_interrupt_injection(int v) { Mem.u8(seg, READY_FOR_INTERRUPT_INJECTION, v); }
    public int if_flag() { return Mem.u8(seg, IF_FLAG); }
    public void if_flag(int v) { Mem.u8(seg, IF_FLAG, v); }
    public int flags() { return Mem.u16(seg, FLAGS); }
    public void flags(int v) { Mem.u16(seg, FLAGS, v); }

    // --- in/out ---
    public long cr8() { return Mem.u64(seg, CR8); }
    public void cr8(long v) { Mem.u64(seg, CR8, v); }
    public long apic_base() { return Mem.u64(seg, APIC_BASE); }
    public void apic_base(long v) { Mem.u64(seg, APIC_BASE, v); }

    // --- the exit union, generic access (offsets relative to the union) ---
    public int u8(int off) { return Mem.u8(seg, U + off); }
    public int u16(int off) { return Mem.u16(seg, U + off); }
    public int u32(int off) { return Mem.u32(seg, U + off); }
    public long u64(int off) { return Mem.u64(seg, U + off); }
    public void u8(int off, int v) { Mem.u8(seg, U + off, v); }
    public void u16(int off, int v) { Mem.u16(seg, U + off, v); }
    public void u32(int off, int v) { Mem.u32(seg, U + off, v); }
    public void u64(int off, long v) { Mem.u64(seg, U + off, v); }

    /** Clears the 256-byte exit union (backends do this before filling a new exit). */
    public void clearUnion() { seg.asSlice(U, 256).fill((byte) 0); }

    // hw / fail_entry / ex
    public long hardware_exit_reason() { return u64(0); }
    public long hardware_entry_failure_reason() { return u64(0); }
    public int fail_entry_cpu() { return u32(8); }
    public int ex_exception() { return u32(0); }
    public int ex_error_code() { return u32(4); }

    // io
    public int io_direction() { return u8(0); }
    public int io_size() { return u8(1); }
    public int io_port() { return u16(2); }
    public int io_count() { return u32(4); }
    public long io_data_offset() { return u64(8); }

    /** The packed PIO data array: {@code io_size * io_count} bytes at {@code io_data_offset}. */
    public MemorySegment io_data() {
        return seg.asSlice(io_data_offset(), (long) io_size() * io_count());
    }

    // mmio
    public long mmio_phys_addr() { return u64(0); }
    /** The 8-byte data field as a little-endian long (only the low {@code mmio_len} bytes matter). */
    public long mmio_data() { return u64(8); }
    public void mmio_data(long v) { u64(8, v); }
    public int mmio_len() { return u32(16); }
    public int mmio_is_write() { return u8(20); }

    // debug
    public int debug_exception() { return u32(0); }
    public long debug_pc() { return u64(8); }
    public long debug_dr6() { return u64(16); }
    public long debug_dr7() { return u64(24); }

    // hypercall
    public long hypercall_nr() { return u64(0); }
    public long hypercall_arg(int i) { return u64(8 + 8 * i); }
    public long hypercall_ret() { return u64(56); }
    public void hypercall_ret(long v) { u64(56, v); }
    public int hypercall_longmode() { return u32(64); }

    // tpr_access
    public long tpr_access_rip() { return u64(0); }
    public int tpr_access_is_write() { return u32(8); }

    // internal / emulation_failure
    public int internal_suberror() { return u32(0); }
    public int internal_ndata() { return u32(4); }
    public long internal_data(int i) { return u64(8 + 8 * i); }
    public long emulation_failure_flags() { return u64(8); }
    public int emulation_failure_insn_size() { return u8(16); }
    public byte[] emulation_failure_insn_bytes() {
        int n = Math.min(15, emulation_failure_insn_size());
        return Mem.bytes(seg, U + 17, n);
    }

    // system_event
    public int system_event_type() { return u32(0); }
    public int system_event_ndata() { return u32(4); }
    public long system_event_data(int i) { return u64(8 + 8 * i); }

    // eoi, msr, notify
    public int eoi_vector() { return u8(0); }
    public int msr_error() { return u8(0); }
    public void msr_error(int v) { u8(0, v); }
    public int msr_reason() { return u32(8); }
    public int msr_index() { return u32(12); }
    public long msr_data() { return u64(16); }
    public void msr_data(long v) { u64(16, v); }
    public int notify_flags() { return u32(0); }
}
