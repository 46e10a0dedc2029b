package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.E820;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.util.List;

/**
 * {@code struct boot_params} (the "zero page", {@code arch/x86/include/uapi/asm/bootparam.h}): offsets of the
 * fields a VMM fills, and the writer shared by the bzImage and vmlinux loaders.
 */
public final class ZeroPage {
    private ZeroPage() {}

    public static final int SIZE = 4096;
    public static final int OFF_ACPI_RSDP_ADDR = 0x070, OFF_EXT_RAMDISK_IMAGE = 0x0c0, OFF_EXT_RAMDISK_SIZE = 0x0c4, OFF_EXT_CMD_LINE_PTR = 0x0c8,
            OFF_ALT_MEM_K = 0x1e0, OFF_E820_ENTRIES = 0x1e8, OFF_E820_TABLE = 0x2d0;
    public static final int E820_MAX_ENTRIES_ZEROPAGE = 128, E820_ENTRY_SIZE = 20;
    /** The boot protocol version from which the kernel reads acpi_rsdp_addr (Documentation/arch/x86/boot.rst). */
    public static final int ACPI_RSDP_ADDR_VERSION = 0x020e;

    /**
     * Writes boot_params at {@link Layout#ZERO_PAGE}: {@code setupHeader} (the file's bytes 0x1f1..header end,
     * or a synthesized header) with the loader's fields set, and the e820 map of {@code memSize}. A nonzero
     * {@code acpiRsdpAddr} goes into acpi_rsdp_addr when the header's protocol version has that field (2.14+);
     * an older kernel still finds the RSDP by scanning the BIOS area.
     */
    static void write(GuestMemory mem, byte[] setupHeader, long memSize, long cmdlineAddr, long initrdAddr, long initrdSize,
                      long acpiRsdpAddr) {
        mem.slice(Layout.ZERO_PAGE, SIZE).fill((byte) 0);
        mem.write(Layout.ZERO_PAGE + SetupHeader.OFF_SETUP_SECTS, setupHeader);
        long zp = Layout.ZERO_PAGE;
        mem.u8(zp + SetupHeader.OFF_TYPE_OF_LOADER, SetupHeader.TYPE_OF_LOADER_UNDEFINED);
        int loadflags = mem.u8(zp + SetupHeader.OFF_LOADFLAGS);
        // 16-bit setup code never runs, but the protocol asks loaders to report a heap they provide: none.
        mem.u8(zp + SetupHeader.OFF_LOADFLAGS, loadflags & ~SetupHeader.CAN_USE_HEAP);
        mem.u32(zp + SetupHeader.OFF_CMD_LINE_PTR, (int) cmdlineAddr);
        mem.u32(zp + OFF_EXT_CMD_LINE_PTR, (int) (cmdlineAddr >>> 32));
        mem.u32(zp + SetupHeader.OFF_RAMDISK_IMAGE, (int) initrdAddr);
        mem.u32(zp + SetupHeader.OFF_RAMDISK_SIZE, (int) initrdSize);
        mem.u32(zp + OFF_EXT_RAMDISK_IMAGE, (int) (initrdAddr >>> 32));
        mem.u32(zp + OFF_EXT_RAMDISK_SIZE, (int) (initrdSize >>> 32));
        if (acpiRsdpAddr != 0 && mem.u16(zp + SetupHeader.OFF_VERSION) >= ACPI_RSDP_ADDR_VERSION)
            mem.u64(zp + OFF_ACPI_RSDP_ADDR, acpiRsdpAddr);
        mem.u32(zp + OFF_ALT_MEM_K, (int) Math.min(0xffffffffL, (Layout.lowRamEnd(memSize) - Layout.HIMEM_START) >> 10));
        List<E820.Entry> map = E820.map(memSize);
        mem.u8(zp + OFF_E820_ENTRIES, map.size());
        for (int i = 0; i < map.size(); i++) {
            long e = zp + OFF_E820_TABLE + (long) E820_ENTRY_SIZE * i;
            mem.u64(e, map.get(i).addr());
            mem.u64(e + 8, map.get(i).size());
            mem.u32(e + 16, map.get(i).type());
        }
    }

    /** Puts the NUL-terminated command line at {@link Layout#CMDLINE}; {@code max} is the kernel's cmdline_size. */
    static long writeCmdline(GuestMemory mem, String what, String cmdline, long max) {
        byte[] b = (cmdline + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (b.length - 1 > max)
            throw new BootException(String.format("%s: command line of %d bytes exceeds cmdline_size %d", what, b.length - 1, max));
        if (b.length > Layout.CMDLINE_MAX) throw new BootException(what + ": command line longer than " + Layout.CMDLINE_MAX);
        mem.write(Layout.CMDLINE, b);
        return b.length;
    }
}
