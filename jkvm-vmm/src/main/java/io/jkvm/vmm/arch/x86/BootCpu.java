package io.jkvm.vmm.arch.x86;

import static io.jkvm.api.x86.Cr.*;
import static io.jkvm.api.x86.Efer.*;

import io.jkvm.api.Vcpu;
import io.jkvm.api.uapi.Dtable;
import io.jkvm.api.uapi.Regs;
import io.jkvm.api.uapi.Segment;
import io.jkvm.api.uapi.Sregs;
import io.jkvm.vmm.vstate.GuestMemory;

/**
 * The CPU state a loader hands over: flat 32-bit protected mode (multiboot, the 32-bit Linux entry) or 64-bit
 * long mode with an identity map of the first 4 GiB (the 64-bit Linux entry). The GDT has the selectors the
 * Linux boot protocol names: __BOOT_CS = 0x10 and __BOOT_DS = 0x18 (4 GiB flat), plus a TSS at 0x20 so TR is
 * usable, as VMX requires.
 */
public final class BootCpu {
    private BootCpu() {}

    public static final int BOOT_CS = 0x10, BOOT_DS = 0x18, BOOT_TSS = 0x20;
    public static final int GDT_LIMIT = 5 * 8 - 1;

    /** How the entry point is entered. */
    public enum Mode { PROTECTED_32, LONG_64 }

    /** Where and how a loaded kernel starts: mode, RIP and the registers its protocol passes values in. */
    public record Entry(Mode mode, long rip, long rax, long rbx, long rsi) {}

    /** Writes the GDT (and, for long mode, the page tables) into guest memory and loads the vCPU's registers. */
    public static void setup(Vcpu cpu, GuestMemory mem, Entry e) {
        boolean lm = e.mode() == Mode.LONG_64;
        mem.u64(Layout.BOOT_GDT, 0);
        mem.u64(Layout.BOOT_GDT + 0x08, 0);
        mem.u64(Layout.BOOT_GDT + BOOT_CS, descriptor(0, 0xfffff, 0x9b, lm ? 0xa : 0xc));
        mem.u64(Layout.BOOT_GDT + BOOT_DS, descriptor(0, 0xfffff, 0x93, 0xc));
        mem.u64(Layout.BOOT_GDT + BOOT_TSS, descriptor(0, 0xfffff, 0x8b, 0x0));
        if (lm) writeIdentityMap(mem);
        Sregs s = cpu.getSregs();
        cpu.setSregs(s.with(b -> {
            b.cs = new Segment(0, 0xffffffff, BOOT_CS, 0xb, 1, 0, lm ? 0 : 1, 1, lm ? 1 : 0, 1, 0, 0, 0);
            b.allData(new Segment(0, 0xffffffff, BOOT_DS, 0x3, 1, 0, 1, 1, 0, 1, 0, 0, 0));
            b.tr = new Segment(0, 0xfffff, BOOT_TSS, 0xb, 1, 0, 0, 0, 0, 0, 0, 0, 0);
            b.gdt = new Dtable(Layout.BOOT_GDT, GDT_LIMIT);
            b.idt = new Dtable(0, 0);
            b.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | (lm ? X86_CR0_PG : 0);
            b.cr3 = lm ? Layout.PML4 : 0;
            b.cr4 = lm ? X86_CR4_PAE : 0;
            b.efer = lm ? EFER_LME | EFER_LMA : 0;
        }));
        cpu.setRegs(Regs.ZERO.withRip(e.rip()).withRax(e.rax()).withRbx(e.rbx()).withRsi(e.rsi())
                .withRsp(Layout.BOOT_STACK_TOP));
    }

    /** PML4[0] → PDPT[0..3] → 4 PDs of 2 MiB pages: virtual = physical for [0, 4 GiB). */
    static void writeIdentityMap(GuestMemory mem) {
        mem.slice(Layout.PML4, 0x6000).fill((byte) 0);
        mem.u64(Layout.PML4, Layout.PDPT | 0x3);
        for (int i = 0; i < 4; i++) {
            long pd = Layout.PD + 0x1000L * i;
            mem.u64(Layout.PDPT + 8L * i, pd | 0x3);
            for (int j = 0; j < 512; j++) mem.u64(pd + 8L * j, ((long) (i * 512 + j) << 21) | 0x83);  // P, RW, PS
        }
    }

    /** An 8-byte segment descriptor: access byte (P, DPL, S, type) and flags nibble (G, D/B, L, AVL). */
    public static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xffff) | (base & 0xffffff) << 16 | (long) (access & 0xff) << 40
                | ((limit >> 16) & 0xf) << 48 | (long) (flags & 0xf) << 52 | ((base >> 24) & 0xff) << 56;
    }
}
