package io.jkvm.vmm.arch.x86;

/**
 * Where everything sits in a jkvm x86 machine's guest-physical address space — one place, so the loaders, the
 * builder and the tests agree. The low megabyte follows the PC conventions Linux expects (EBDA below 640 KiB,
 * BIOS area up to 1 MiB); RAM beyond {@link #MMIO_HOLE_START} continues at 4 GiB, leaving the last 512 MiB
 * below 4 GiB for devices (virtio-mmio windows, IOAPIC 0xfec00000, local APIC 0xfee00000), as PCs do.
 * <pre>
 *   0x0000_0500  boot GDT              0x0000_7000  zero page (boot_params)   0x0000_8ff0  boot stack top
 *   0x0000_9000  PML4, PDPT, 4 PDs (identity map of 4 GiB, 2 MiB pages) up to 0xe fff
 *   0x0001_0000  multiboot information (mbi, memory map, module list, strings) up to 0x1_ffff
 *   0x0002_0000  kernel command line (up to 64 KiB)
 *   0x0009_fc00  EBDA: MP floating pointer + MP configuration table
 *   0x000e_0000  ACPI tables: RSDP first (where a scan of 0xe0000-0xfffff finds it), then XSDT, FADT, MADT, DSDT
 *   0x0010_0000  kernel (bzImage protected-mode part; multiboot images load where their header says)
 *   0xe000_0000  virtio-mmio windows, 0x1000 apart
 * </pre>
 */
public final class Layout {
    private Layout() {}

    public static final long BOOT_GDT = 0x500;
    public static final long ZERO_PAGE = 0x7000;
    public static final long BOOT_STACK_TOP = 0x8ff0;
    public static final long PML4 = 0x9000, PDPT = 0xa000, PD = 0xb000;
    public static final long MULTIBOOT_INFO = 0x10000, MULTIBOOT_INFO_END = 0x20000;
    public static final long CMDLINE = 0x20000, CMDLINE_MAX = 0x10000;
    /** Start of the Extended BIOS Data Area: the end of usable base memory (639 KiB). */
    public static final long EBDA_START = 0x9fc00;
    public static final long MPTABLE = EBDA_START;
    /** The BIOS read-only area 0xe0000-0xfffff, reserved in the e820 map; jkvm's ACPI tables live there. */
    public static final long BIOS_START = 0xe0000;
    public static final long ACPI_TABLES = 0xe0000, ACPI_TABLES_END = 0x100000;
    public static final long HIMEM_START = 0x100000;
    public static final long MMIO_HOLE_START = 0xe000_0000L, FOUR_GIB = 0x1_0000_0000L;
    public static final long VIRTIO_MMIO_BASE = 0xe000_0000L, VIRTIO_MMIO_STRIDE = 0x1000;
    public static final long IOAPIC_ADDR = 0xfec0_0000L, APIC_DEFAULT_PHYS_BASE = 0xfee0_0000L;
    /** ISA IRQs free for virtio-mmio devices (COM1 is 4, the RTC 8, the i8042 1 and 12). */
    public static final int[] VIRTIO_IRQS = {5, 6, 7, 9, 10, 11};

    /** The IOAPIC's id in the MP table and the MADT: one past the last vCPU's APIC id. */
    public static int ioapicId(int cpus) {
        return cpus;
    }

    /** RAM below the MMIO hole for a machine with {@code memSize} bytes. */
    public static long lowRamEnd(long memSize) {
        return Math.min(memSize, MMIO_HOLE_START);
    }

    /** RAM at 4 GiB and above. */
    public static long highRamSize(long memSize) {
        return Math.max(0, memSize - MMIO_HOLE_START);
    }
}
