package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loads a Linux bzImage by the x86 boot protocol (Documentation/arch/x86/boot.rst), the way a 64-bit boot
 * loader does: the protected-mode kernel at 1 MiB, boot_params with the file's setup header, the command line
 * and the initrd, then entry at {@code startup_64} (load address + 0x200) in long mode with RSI = boot_params
 * — or, for a kernel without XLF_KERNEL_64, at code32_start in flat protected mode with ESI = boot_params.
 *
 * <p>Checked, each with an error naming the file and the field: boot_flag 0xAA55, the "HdrS" magic, version
 * ≥ 2.06 (cmdline_size exists), LOADED_HIGH in loadflags, relocatable_kernel, and that init_size bytes from
 * 1 MiB fit in low RAM.
 */
public final class BzImage {
    private BzImage() {}

    public static final int MIN_VERSION = 0x0206;
    /** Offset of startup_64 from the start of the protected-mode kernel. */
    public static final long STARTUP_64_OFFSET = 0x200;

    /** Parses and validates the setup header of {@code bytes} read from {@code file}. */
    public static SetupHeader header(Path file, byte[] bytes) {
        String what = "bzImage " + file;
        if (bytes.length < 0x264) throw new BootException(what + ": " + bytes.length + " bytes, too short for a setup header");
        SetupHeader h = SetupHeader.read(bytes);
        if (h.header() != SetupHeader.HDRS_MAGIC)
            throw new BootException(String.format("%s: setup header magic %#010x is not \"HdrS\" (not a bzImage)", what, h.header()));
        if (h.boot_flag() != SetupHeader.BOOT_FLAG)
            throw new BootException(String.format("%s: boot_flag %#06x is not 0xaa55", what, h.boot_flag()));
        if (h.version() < MIN_VERSION)
            throw new BootException(String.format("%s: setup header version %#06x < 2.06", what, h.version()));
        if ((h.loadflags() & SetupHeader.LOADED_HIGH) == 0)
            throw new BootException(what + ": loadflags lacks LOADED_HIGH (a zImage loaded at 0x10000 is not supported)");
        if (h.relocatable_kernel() == 0)
            throw new BootException(what + ": relocatable_kernel is 0 (jkvm loads at 1 MiB, not at pref_address)");
        long setupBytes = (h.setupSectors() + 1L) * 512;
        if (setupBytes >= bytes.length || h.header_end() > setupBytes)
            throw new BootException(String.format("%s: setup_sects %d points past the end of the file", what, h.setup_sects()));
        return h;
    }

    /**
     * Loads {@code kernel} (and {@code initrd}, may be null) into {@code mem} of a machine with {@code memSize}
     * bytes; {@code acpiRsdpAddr} (0: none) is passed in boot_params.acpi_rsdp_addr if the kernel reads it.
     */
    public static Boot load(GuestMemory mem, long memSize, Path kernel, Path initrd, String cmdline, long acpiRsdpAddr) {
        byte[] f = Files.read("bzImage", kernel, memSize);
        SetupHeader h = header(kernel, f);
        String what = "bzImage " + kernel;
        long setupBytes = (h.setupSectors() + 1L) * 512;
        long payload = f.length - setupBytes;
        long need = Math.max(payload, h.init_size());
        long load = Layout.HIMEM_START;
        if (load + need > Layout.lowRamEnd(memSize))
            throw new BootException(String.format("%s: the kernel needs %d MiB at 1 MiB (init_size %#x, payload %#x) but "
                    + "low RAM ends at %#x; raise --mem", what, (need + (1 << 20) - 1) >> 20, h.init_size(), payload,
                    Layout.lowRamEnd(memSize)));
        mem.write(load, f, (int) setupBytes, (int) payload);
        long cmdlineSize = ZeroPage.writeCmdline(mem, what, cmdline, h.cmdline_size());
        long initrdAddr = 0, initrdSize = 0;
        if (initrd != null) {
            byte[] rd = Files.read("initrd", initrd, memSize);
            initrdAddr = Initrd.load(mem, initrd, memSize, h.initrd_addr_max(), load + need, rd);
            initrdSize = rd.length;
        }
        ZeroPage.write(mem, Arrays.copyOfRange(f, SetupHeader.OFF_SETUP_SECTS, h.header_end()), memSize, Layout.CMDLINE,
                initrdAddr, initrdSize, acpiRsdpAddr);
        mem.u32(Layout.ZERO_PAGE + SetupHeader.OFF_CODE32_START, (int) load);
        boolean lm = (h.xloadflags() & SetupHeader.XLF_KERNEL_64) != 0;
        BootCpu.Entry entry = lm
                ? new BootCpu.Entry(BootCpu.Mode.LONG_64, load + STARTUP_64_OFFSET, 0, 0, Layout.ZERO_PAGE)
                : new BootCpu.Entry(BootCpu.Mode.PROTECTED_32, load, 0, 0, Layout.ZERO_PAGE);
        return new Boot(entry, load, payload, initrdAddr, initrdSize, Layout.CMDLINE, cmdlineSize);
    }
}
