package io.jkvm.vmm.arch.x86;

import java.util.ArrayList;
import java.util.List;

/**
 * The BIOS memory map (ACPI "System Address Map", INT 15h E820) jkvm reports to guests through boot_params
 * and the multiboot mmap: usable base memory up to the EBDA, the EBDA and BIOS area reserved, RAM from 1 MiB
 * to the MMIO hole, and RAM above 4 GiB.
 */
public final class E820 {
    private E820() {}

    public static final int E820_RAM = 1, E820_RESERVED = 2;

    /** {@code struct boot_e820_entry}: addr, size, type. */
    public record Entry(long addr, long size, int type) {}

    public static List<Entry> map(long memSize) {
        List<Entry> m = new ArrayList<>();
        m.add(new Entry(0, Layout.EBDA_START, E820_RAM));
        m.add(new Entry(Layout.EBDA_START, 0xa0000 - Layout.EBDA_START, E820_RESERVED));
        m.add(new Entry(Layout.BIOS_START, Layout.HIMEM_START - Layout.BIOS_START, E820_RESERVED));
        long low = Layout.lowRamEnd(memSize);
        if (low > Layout.HIMEM_START) m.add(new Entry(Layout.HIMEM_START, low - Layout.HIMEM_START, E820_RAM));
        long high = Layout.highRamSize(memSize);
        if (high > 0) m.add(new Entry(Layout.FOUR_GIB, high, E820_RAM));
        return m;
    }
}
