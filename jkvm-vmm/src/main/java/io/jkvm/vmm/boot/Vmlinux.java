package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Loads an uncompressed 64-bit ELF Linux kernel (vmlinux), as Firecracker does: PT_LOAD segments at their
 * physical addresses, boot_params with a setup header synthesized for the 64-bit boot protocol (boot_flag,
 * "HdrS", version 2.15, type_of_loader 0xff), entry at e_entry (the physical address of startup_64) in long
 * mode with RSI = boot_params.
 */
public final class Vmlinux {
    private Vmlinux() {}

    /** The header bytes 0x1f1..0x268 a vmlinux lacks, with the fields the kernel reads at its 64-bit entry. */
    static byte[] syntheticHeader(long kernelAlignment) {
        ByteBuffer b = ByteBuffer.allocate(0x268 - SetupHeader.OFF_SETUP_SECTS).order(ByteOrder.LITTLE_ENDIAN);
        int base = SetupHeader.OFF_SETUP_SECTS;
        b.putShort(SetupHeader.OFF_BOOT_FLAG - base, (short) SetupHeader.BOOT_FLAG);
        b.put(SetupHeader.OFF_JUMP + 1 - base, (byte) (0x268 - 0x202));
        b.putInt(SetupHeader.OFF_HEADER - base, SetupHeader.HDRS_MAGIC);
        b.putShort(SetupHeader.OFF_VERSION - base, (short) 0x020f);
        b.put(SetupHeader.OFF_LOADFLAGS - base, (byte) SetupHeader.LOADED_HIGH);
        b.putInt(SetupHeader.OFF_INITRD_ADDR_MAX - base, 0x7fffffff);
        b.putInt(SetupHeader.OFF_KERNEL_ALIGNMENT - base, (int) kernelAlignment);
        b.putShort(SetupHeader.OFF_XLOADFLAGS - base, (short) SetupHeader.XLF_KERNEL_64);
        b.putInt(SetupHeader.OFF_CMDLINE_SIZE - base, (int) Layout.CMDLINE_MAX - 1);
        return b.array();
    }

    /** Loads {@code kernel}; {@code acpiRsdpAddr} (0: none) goes into boot_params.acpi_rsdp_addr. */
    public static Boot load(GuestMemory mem, long memSize, Path kernel, Path initrd, String cmdline, long acpiRsdpAddr) {
        String what = "vmlinux " + kernel;
        byte[] f = Files.read("vmlinux", kernel, memSize);
        Elf elf = Elf.parse(what, f);
        if (elf.elfClass() != Elf.ELFCLASS64 || elf.machine() != Elf.EM_X86_64)
            throw new BootException(what + ": e_machine " + elf.machine() + " / class " + elf.elfClass() + " is not a 64-bit x86-64 ELF");
        long lo = Long.MAX_VALUE, hi = 0;
        for (Elf.Load l : elf.loads()) {
            if (l.paddr() < Layout.HIMEM_START || l.paddr() + l.memsz() > Layout.lowRamEnd(memSize) || l.paddr() + l.memsz() < l.paddr())
                throw new BootException(String.format("%s: segment p_paddr %#x + p_memsz %#x is outside RAM from 1 MiB to %#x; raise --mem",
                        what, l.paddr(), l.memsz(), Layout.lowRamEnd(memSize)));
            mem.slice(l.paddr(), l.memsz()).fill((byte) 0);
            mem.write(l.paddr(), f, (int) l.offset(), (int) l.filesz());
            lo = Math.min(lo, l.paddr());
            hi = Math.max(hi, l.paddr() + l.memsz());
        }
        long entry = elf.entry();
        if (entry < lo || entry >= hi)
            throw new BootException(String.format("%s: e_entry %#x is not in a loaded segment (physical %#x..%#x)", what, entry, lo, hi));
        long cmdlineSize = ZeroPage.writeCmdline(mem, what, cmdline, Layout.CMDLINE_MAX - 1);
        long initrdAddr = 0, initrdSize = 0;
        if (initrd != null) {
            byte[] rd = Files.read("initrd", initrd, memSize);
            initrdAddr = Initrd.load(mem, initrd, memSize, 0x7fffffffL, hi, rd);
            initrdSize = rd.length;
        }
        ZeroPage.write(mem, syntheticHeader(0x0100_0000), memSize, Layout.CMDLINE, initrdAddr, initrdSize, acpiRsdpAddr);
        return new Boot(new BootCpu.Entry(BootCpu.Mode.LONG_64, entry, 0, 0, Layout.ZERO_PAGE), lo, hi - lo,
                initrdAddr, initrdSize, Layout.CMDLINE, cmdlineSize);
    }
}
