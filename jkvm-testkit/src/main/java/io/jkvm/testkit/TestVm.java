package io.jkvm.testkit;

import static io.jkvm.api.x86.Cr.*;
import static io.jkvm.api.x86.Efer.*;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.Vm;
import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A small machine for behaviour tests: one RAM slot at guest-physical 0 and helpers that put a vCPU into
 * real mode, 32-bit protected mode or 64-bit long mode. The fixed layout (guest-physical):
 * <pre>
 *   0x0500  GDT: 0x08 code64, 0x10 data, 0x18 code32, 0x20 code16, 0x28 data16, 0x33 user code64, 0x3b user data,
 *                0x43 user code32
 *   0x1000  code (entry)          0x8000  initial stack top
 *   0x9000  PML4  0xA000 PDPT  0xB000 PD (2 MiB identity pages for the first 1 GiB)  0xC000 spare PT
 * </pre>
 * Memory is native (page-aligned, shared arena), so the same VM layout runs on every backend.
 */
public final class TestVm implements AutoCloseable {
    public static final long GDT = 0x500, CODE = 0x1000, STACK_TOP = 0x8000, PML4 = 0x9000, PDPT = 0xA000, PD = 0xB000,
            PT = 0xC000;
    public static final int SEL_CODE64 = 0x08, SEL_DATA = 0x10, SEL_CODE32 = 0x18, SEL_CODE16 = 0x20, SEL_DATA16 = 0x28,
            SEL_UCODE64 = 0x33, SEL_UDATA = 0x3b, SEL_UCODE32 = 0x43;

    public final String backend;
    public final Kvm kvm;
    public final Vm vm;
    public final Arena arena;
    public final MemorySegment ram;

    private TestVm(String backend, long ramSize) {
        this.backend = backend;
        this.kvm = Kvm.open(backend);
        this.vm = kvm.createVm();
        this.arena = Arena.ofShared();
        this.ram = arena.allocate(ramSize, 4096);
        vm.setUserMemoryRegion(0, 0, 0, ram);
    }

    /** A VM on {@code backend} with {@code ramSize} bytes of RAM at address 0. */
    public static TestVm create(String backend, long ramSize) {
        return new TestVm(backend, ramSize);
    }

    public static TestVm create(String backend) {
        return create(backend, 4 << 20);
    }

    public void load(long gpa, byte[] bytes) {
        MemorySegment.copy(bytes, 0, ram, ValueLayout.JAVA_BYTE, gpa, bytes.length);
    }

    /** Assembles {@code source} at {@link #CODE} and loads it there. */
    public void loadAsm(String source) {
        load(CODE, Gas.assemble(source, CODE));
    }

    public long u64(long gpa) { return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, gpa); }
    public int u32(long gpa) { return ram.get(ValueLayout.JAVA_INT_UNALIGNED, gpa); }
    public int u8(long gpa) { return ram.get(ValueLayout.JAVA_BYTE, gpa) & 0xff; }
    public void u64(long gpa, long v) { ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v); }
    public void u32(long gpa, int v) { ram.set(ValueLayout.JAVA_INT_UNALIGNED, gpa, v); }

    // ---------------------------------------------------------------- mode setup

    /** Real mode at CS:IP = 0:entry, SS:SP = 0:STACK_TOP. */
    public void realMode(Vcpu cpu, long entry) {
        Sregs s = cpu.getSregs();
        Segment real = new Segment(0, 0xffff, 0, 3, 1, 0, 0, 1, 0, 0, 0, 0, 0);
        cpu.setSregs(s.with(b -> {
            b.cs = new Segment(0, 0xffff, 0, 0xb, 1, 0, 0, 1, 0, 0, 0, 0, 0);
            b.allData(real);
        }));
        cpu.setRegs(Regs.ZERO.withRip(entry).withRsp(STACK_TOP));
    }

    /** Flat 32-bit protected mode, paging off, CPL0. */
    public void protectedMode(Vcpu cpu, long entry) {
        writeGdt();
        Sregs s = cpu.getSregs();
        cpu.setSregs(s.with(b -> {
            b.cs = code32(SEL_CODE32, 0);
            b.allData(data(SEL_DATA, 0));
            b.gdt = new Dtable(GDT, 8 * 9 - 1);
            b.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
            b.cr4 = 0;
            b.efer = 0;
        }));
        cpu.setRegs(Regs.ZERO.withRip(entry).withRsp(STACK_TOP));
    }

    /** 64-bit long mode with 4-level paging identity-mapping the first 1 GiB (2 MiB pages), CPL0. */
    public void longMode(Vcpu cpu, long entry) {
        writeGdt();
        writeIdentityPageTables();
        Sregs s = cpu.getSregs();
        cpu.setSregs(s.with(b -> {
            b.cs = code64(SEL_CODE64, 0);
            b.allData(data(SEL_DATA, 0));
            b.gdt = new Dtable(GDT, 8 * 9 - 1);
            b.cr3 = PML4;
            b.cr4 = X86_CR4_PAE;
            b.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
            b.efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NX;
        }));
        cpu.setRegs(Regs.ZERO.withRip(entry).withRsp(STACK_TOP));
    }

    /**
     * Moves a vCPU prepared by {@link #longMode} to CPL3: user code64/data selectors (DPL3) and IOPL 3, so
     * port I/O still exits to the caller. The identity page tables are user-accessible. On a PVM host CPL3
     * code runs natively (fast), while CPL0 code is emulated.
     */
    public void userMode(Vcpu cpu) {
        cpu.setSregs(cpu.getSregs().with(b -> {
            b.cs = code64(SEL_UCODE64, 3);
            b.allData(data(SEL_UDATA, 3));
        }));
        Regs r = cpu.getRegs();
        cpu.setRegs(r.withRflags(r.rflags() | io.jkvm.api.x86.Rflags.X86_EFLAGS_IOPL));
    }

    public static Segment code64(int sel, int dpl) {
        return new Segment(0, 0xffffffff, sel, 0xb, 1, dpl, 0, 1, 1, 1, 0, 0, 0);
    }

    public static Segment code32(int sel, int dpl) {
        return new Segment(0, 0xffffffff, sel, 0xb, 1, dpl, 1, 1, 0, 1, 0, 0, 0);
    }

    public static Segment data(int sel, int dpl) {
        return new Segment(0, 0xffffffff, sel, 0x3, 1, dpl, 1, 1, 0, 1, 0, 0, 0);
    }

    /** Writes the descriptors the selectors above name, so far transfers and interrupts can reload them. */
    public void writeGdt() {
        u64(GDT, 0);
        u64(GDT + 0x08, descriptor(0, 0xfffff, 0x9b, 0xa));  // code64: P, DPL0, S, type b; G, L
        u64(GDT + 0x10, descriptor(0, 0xfffff, 0x93, 0xc));  // data: G, D/B
        u64(GDT + 0x18, descriptor(0, 0xfffff, 0x9b, 0xc));  // code32
        u64(GDT + 0x20, descriptor(0, 0xffff, 0x9b, 0x0));   // code16
        u64(GDT + 0x28, descriptor(0, 0xffff, 0x93, 0x0));   // data16
        u64(GDT + 0x30, descriptor(0, 0xfffff, 0xfb, 0xa));  // user code64 (DPL3)
        u64(GDT + 0x38, descriptor(0, 0xfffff, 0xf3, 0xc));  // user data (DPL3)
        u64(GDT + 0x40, descriptor(0, 0xfffff, 0xfb, 0xc));  // user code32 (DPL3)
    }

    /** An 8-byte segment descriptor: access byte (P, DPL, S, type) and flags nibble (G, D/B, L, AVL). */
    public static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xffff) | (base & 0xffffff) << 16 | (long) (access & 0xff) << 40
                | ((limit >> 16) & 0xf) << 48 | (long) (flags & 0xf) << 52 | ((base >> 24) & 0xff) << 56;
    }

    /** PML4[0] → PDPT[0] → PD with 512 × 2 MiB pages: identity map of [0, 1 GiB), writable, supervisor+user. */
    public void writeIdentityPageTables() {
        ram.asSlice(PML4, 0x4000).fill((byte) 0);
        u64(PML4, PDPT | 0x7);
        u64(PDPT, PD | 0x7);
        for (int i = 0; i < 512; i++) u64(PD + 8L * i, ((long) i << 21) | 0x87);  // P, RW, US, PS
    }

    @Override
    public void close() {
        vm.close();
        kvm.close();
        arena.close();
    }
}
