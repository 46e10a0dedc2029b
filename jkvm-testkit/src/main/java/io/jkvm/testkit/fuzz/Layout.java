package io.jkvm.testkit.fuzz;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fuzz machine's memory (guest-physical = linear for the mapped pages): system structures and CPL0
 * exception handlers in the low pages, and the user pages the random code may touch. Every handler is
 * {@code out %al, $(0xC0 + vector); jmp .}: it reports the vector and stops — PVM cannot emulate IRET,
 * and the frame the CPU pushed stays readable on the kernel stack.
 */
final class Layout {
    private Layout() {}

    static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, HANDLERS = 0x4000, KSTACK_TOP = 0x6000;
    static final long PML4 = 0x8000, PDPT = 0x9000, PD = 0xA000, PT = 0xB000;   // long mode
    static final long CODE = 0x10000, DATA = 0x20000, DATA_SIZE = 0x2000, RO_PAGE = 0x22000, STACK = 0x30000;
    static final long STACK_TOP = STACK + 0x800;
    static final long RAM = 0x100000;
    /** Handlers report vector v on port EXC_PORT + v. */
    static final int EXC_PORT = 0xC0, IDT_ENTRIES = 32;
    /**
     * A case ends by reading END_ADDR, which nothing maps: a #PF with that CR2 in long mode, an MMIO exit
     * in 32-bit mode. (On PVM a CPL3 OUT faults whatever IOPL says and INT n from CPL3 raises #UD, so
     * neither can mark the end.)
     */
    static final long END_ADDR = 0x0dead000L;

    /**
     * Linux's own GDT layout: PVM runs CPL3 code natively with the host's user selectors, and instructions
     * that store a selector (FNSTENV, FNSAVE, FXSAVE store FCS/FDS) then see the host's values; with the
     * same layout they agree with the guest's view.
     */
    static final int SEL_KCODE32 = 0x08, SEL_KCODE64 = 0x10, SEL_KDATA = 0x18, SEL_UCODE32 = 0x23, SEL_UDATA = 0x2b,
            SEL_UCODE64 = 0x33, SEL_TSS = 0x40;

    static void put64(MemorySegment m, long a, long v) { m.set(ValueLayout.JAVA_LONG_UNALIGNED, a, v); }
    static void put32(MemorySegment m, long a, int v) { m.set(ValueLayout.JAVA_INT_UNALIGNED, a, v); }
    static void put16(MemorySegment m, long a, int v) { m.set(ValueLayout.JAVA_SHORT_UNALIGNED, a, (short) v); }

    static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xffff) | (base & 0xffffff) << 16 | (long) (access & 0xff) << 40
                | ((limit >> 16) & 0xf) << 48 | (long) (flags & 0xf) << 52 | ((base >> 24) & 0xff) << 56;
    }

    /**
     * Writes GDT, TSS, IDT, handlers and page tables. Both modes run under IA-32e paging: 32-bit code runs
     * in compatibility mode (CS.L=0, D=1), which is 32-bit protected-mode code at CPL3 and which PVM runs
     * natively. (Legacy 32-bit paging shuts PVM down at the first instruction; with paging off KVM's
     * instruction emulator runs the guest and lacks DAA, AAA, POPCNT… — not an oracle.)
     */
    static void build(MemorySegment m, Mode mode) {
        m.asSlice(0, 0x10000).fill((byte) 0);
        put64(m, GDT + 0x08, descriptor(0, 0xfffff, 0x9b, 0xc));   // kernel code32
        put64(m, GDT + 0x10, descriptor(0, 0xfffff, 0x9b, 0xa));   // kernel code64
        put64(m, GDT + 0x18, descriptor(0, 0xfffff, 0x93, 0xc));   // kernel data
        put64(m, GDT + 0x20, descriptor(0, 0xfffff, 0xfb, 0xc));   // user code32
        put64(m, GDT + 0x28, descriptor(0, 0xfffff, 0xf3, 0xc));   // user data
        put64(m, GDT + 0x30, descriptor(0, 0xfffff, 0xfb, 0xa));   // user code64
        put64(m, GDT + 0x40, descriptor(TSS, 0x67, 0x89, 0x0));    // TSS (available); upper half 0 in long mode
        put64(m, TSS + 4, KSTACK_TOP);                               // RSP0
        put16(m, TSS + 0x66, 0x68);                                  // no I/O bitmap: IOPL governs
        for (int v = 0; v < IDT_ENTRIES; v++) {
            long h = HANDLERS + 16L * v;
            m.set(ValueLayout.JAVA_BYTE, h, (byte) 0xe6);            // out %al, $(0xC0+v)
            m.set(ValueLayout.JAVA_BYTE, h + 1, (byte) (EXC_PORT + v));
            m.set(ValueLayout.JAVA_BYTE, h + 2, (byte) 0xeb);        // jmp .
            m.set(ValueLayout.JAVA_BYTE, h + 3, (byte) 0xfe);
            long g = IDT + 16L * v;
            put16(m, g, (int) h);
            put16(m, g + 2, SEL_KCODE64);
            put16(m, g + 4, 0x8e00);
            put16(m, g + 6, (int) (h >>> 16));
            put32(m, g + 8, 0);
        }
        pageTables64(m);
    }

    /** Which 4 KiB pages of the first 2 MiB are mapped, and how. */
    private static long pte(long page) {
        long P = 1, RW = 2, US = 4;
        if (page >= CODE && page < CODE + 0x1000) return page | P | US;            // user code: read-only
        if (page >= DATA && page < DATA + DATA_SIZE) return page | P | RW | US;
        if (page == RO_PAGE) return page | P | US;
        if (page == STACK) return page | P | RW | US;
        if (page < 0x10000) return page | P | RW;                                  // system pages: supervisor
        return 0;                                                                  // not present
    }

    private static void pageTables64(MemorySegment m) {
        put64(m, PML4, PDPT | 7);
        put64(m, PDPT, PD | 7);
        put64(m, PD, PT | 7);
        for (int i = 0; i < 512; i++) put64(m, PT + 8L * i, pte(4096L * i));
    }

}
