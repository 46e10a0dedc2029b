package io.jkvm.vmm.boot;

import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.E820;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a Multiboot (version 0.6.96) kernel — the format of kvm-unit-tests images. The header is searched in
 * the first 8 KiB on 4-byte boundaries; its checksum must make magic + flags + checksum = 0. With flag bit 16
 * (MULTIBOOT_AOUT_KLUDGE) the load addresses come from the header, otherwise from the ELF32 program headers.
 * The multiboot information structure (mbi) carries mem_lower/mem_upper, the command line, the modules, the
 * memory map (from the e820 map) and the boot loader's name. Entry: flat 32-bit protected mode, paging off,
 * interrupts off, EAX = 0x2BADB002, EBX = mbi.
 */
public final class Multiboot {
    private Multiboot() {}

    public static final int MULTIBOOT_HEADER_MAGIC = 0x1BADB002, MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;
    public static final int MULTIBOOT_SEARCH = 8192;
    public static final int MULTIBOOT_PAGE_ALIGN = 0x1, MULTIBOOT_MEMORY_INFO = 0x2, MULTIBOOT_VIDEO_MODE = 0x4,
            MULTIBOOT_AOUT_KLUDGE = 0x10000;
    public static final int MULTIBOOT_INFO_MEMORY = 0x1, MULTIBOOT_INFO_CMDLINE = 0x4, MULTIBOOT_INFO_MODS = 0x8,
            MULTIBOOT_INFO_MEM_MAP = 0x40, MULTIBOOT_INFO_BOOT_LOADER_NAME = 0x200;
    /** struct multiboot_info field offsets. */
    public static final int MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_CMDLINE = 16, MBI_MODS_COUNT = 20,
            MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48, MBI_BOOT_LOADER_NAME = 64, MBI_SIZE = 120;
    public static final String LOADER_NAME = "jkvm";

    /** The multiboot header: where it was found and its fields (the a.out ones valid with the kludge flag). */
    public record Header(int offset, int flags, long header_addr, long load_addr, long load_end_addr,
                         long bss_end_addr, long entry_addr) {}

    /** Finds and checks the header of {@code f}. */
    public static Header header(Path file, byte[] f) {
        String what = "multiboot " + file;
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 12 <= Math.min(f.length, MULTIBOOT_SEARCH); off += 4) {
            if (b.getInt(off) != MULTIBOOT_HEADER_MAGIC) continue;
            int flags = b.getInt(off + 4), checksum = b.getInt(off + 8);
            if (MULTIBOOT_HEADER_MAGIC + flags + checksum != 0)
                throw new BootException(String.format("%s: header at %#x: checksum %#010x does not make magic + flags + checksum zero",
                        what, off, checksum));
            int unknownRequired = flags & 0xffff & ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
            if (unknownRequired != 0)
                throw new BootException(String.format("%s: header flags %#x require features jkvm lacks (bit 2 = video mode)", what, unknownRequired));
            if ((flags & MULTIBOOT_AOUT_KLUDGE) == 0) return new Header(off, flags, 0, 0, 0, 0, 0);
            if (off + 32 > f.length) throw new BootException(what + ": header at " + off + " truncated (a.out kludge fields)");
            return new Header(off, flags, u32(b, off + 12), u32(b, off + 16), u32(b, off + 20), u32(b, off + 24), u32(b, off + 28));
        }
        throw new BootException(what + ": no multiboot header (magic 0x1BADB002) in the first 8 KiB");
    }

    /** Loads {@code kernel} and {@code modules}; {@code cmdline} is passed in the mbi. */
    public static Boot load(GuestMemory mem, long memSize, Path kernel, List<Path> modules, String cmdline) {
        String what = "multiboot " + kernel;
        byte[] f = Files.read("multiboot", kernel, memSize);
        Header h = header(kernel, f);
        long[] span = (h.flags() & MULTIBOOT_AOUT_KLUDGE) != 0 ? loadAout(mem, memSize, what, f, h) : loadElf(mem, memSize, what, f);
        long entry = span[2];
        long next = (span[1] + 0xfff) & ~0xfffL;
        MbiWriter mbi = new MbiWriter(mem, what);
        long modsAddr = mbi.alloc(16L * modules.size());
        for (int i = 0; i < modules.size(); i++) {
            byte[] m = Files.read("module", modules.get(i), memSize);
            if (next + m.length > Layout.lowRamEnd(memSize))
                throw new BootException(String.format("module %s: %d bytes do not fit after %#x in low RAM ending at %#x; raise --mem",
                        modules.get(i), m.length, next, Layout.lowRamEnd(memSize)));
            mem.write(next, m);
            long e = modsAddr + 16L * i;
            mem.u32(e, (int) next);
            mem.u32(e + 4, (int) (next + m.length));
            mem.u32(e + 8, (int) mbi.string(modules.get(i).toString()));
            mem.u32(e + 12, 0);
            next = (next + m.length + 0xfff) & ~0xfffL;
        }
        long info = mbi.write(memSize, cmdline, modules.size(), modsAddr);
        return new Boot(new BootCpu.Entry(BootCpu.Mode.PROTECTED_32, entry, MULTIBOOT_BOOTLOADER_MAGIC, info, 0),
                span[0], span[1] - span[0], 0, 0, Layout.MULTIBOOT_INFO, cmdline.length() + 1);
    }

    /** Returns {start, end (incl. bss), entry}. */
    private static long[] loadAout(GuestMemory mem, long memSize, String what, byte[] f, Header h) {
        if (h.load_addr() > h.header_addr())
            throw new BootException(String.format("%s: load_addr %#x > header_addr %#x", what, h.load_addr(), h.header_addr()));
        long fileStart = h.offset() - (h.header_addr() - h.load_addr());
        if (fileStart < 0) throw new BootException(String.format("%s: header_addr - load_addr %#x reaches before the file's start", what, h.header_addr() - h.load_addr()));
        long loadEnd = h.load_end_addr() == 0 ? h.load_addr() + (f.length - fileStart) : h.load_end_addr();
        if (loadEnd < h.load_addr() || fileStart + (loadEnd - h.load_addr()) > f.length)
            throw new BootException(String.format("%s: load_end_addr %#x is outside the file (load_addr %#x, %d bytes)", what, loadEnd, h.load_addr(), f.length));
        long bssEnd = h.bss_end_addr() == 0 ? loadEnd : h.bss_end_addr();
        if (bssEnd < loadEnd) throw new BootException(String.format("%s: bss_end_addr %#x < load_end_addr %#x", what, bssEnd, loadEnd));
        checkPlacement(what, h.load_addr(), bssEnd, memSize, "load_addr");
        if (h.entry_addr() < h.load_addr() || h.entry_addr() >= loadEnd)
            throw new BootException(String.format("%s: entry_addr %#x is outside the loaded image %#x..%#x", what, h.entry_addr(), h.load_addr(), loadEnd));
        mem.write(h.load_addr(), f, (int) fileStart, (int) (loadEnd - h.load_addr()));
        mem.slice(loadEnd, bssEnd - loadEnd).fill((byte) 0);
        return new long[] {h.load_addr(), bssEnd, h.entry_addr()};
    }

    private static long[] loadElf(GuestMemory mem, long memSize, String what, byte[] f) {
        Elf elf = Elf.parse(what, f);
        if (elf.elfClass() != Elf.ELFCLASS32 || elf.machine() != Elf.EM_386)
            throw new BootException(what + ": ELF without the a.out kludge must be 32-bit i386 (e_machine " + elf.machine() + ")");
        long lo = Long.MAX_VALUE, hi = 0;
        for (Elf.Load l : elf.loads()) {
            checkPlacement(what, l.paddr(), l.paddr() + l.memsz(), memSize, "p_paddr");
            mem.slice(l.paddr(), l.memsz()).fill((byte) 0);
            mem.write(l.paddr(), f, (int) l.offset(), (int) l.filesz());
            lo = Math.min(lo, l.paddr());
            hi = Math.max(hi, l.paddr() + l.memsz());
        }
        if (elf.entry() < lo || elf.entry() >= hi)
            throw new BootException(String.format("%s: e_entry %#x is not in a loaded segment", what, elf.entry()));
        return new long[] {lo, hi, elf.entry()};
    }

    /** The image must sit in RAM from 1 MiB to the MMIO hole: below that live the boot structures. */
    private static void checkPlacement(String what, long start, long end, long memSize, String field) {
        if (start < Layout.HIMEM_START)
            throw new BootException(String.format("%s: %s %#x is below 1 MiB (reserved for boot data)", what, field, start));
        if (end > Layout.lowRamEnd(memSize) || end < start)
            throw new BootException(String.format("%s: image %#x..%#x does not fit in RAM ending at %#x; raise --mem",
                    what, start, end, Layout.lowRamEnd(memSize)));
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    /** Bump allocation in the multiboot information area. */
    private static final class MbiWriter {
        private final GuestMemory mem;
        private final String what;
        private final long mbi = Layout.MULTIBOOT_INFO;
        private long next = Layout.MULTIBOOT_INFO + MBI_SIZE;

        MbiWriter(GuestMemory mem, String what) {
            this.mem = mem;
            this.what = what;
            mem.slice(Layout.MULTIBOOT_INFO, Layout.MULTIBOOT_INFO_END - Layout.MULTIBOOT_INFO).fill((byte) 0);
        }

        long alloc(long n) {
            long at = (next + 7) & ~7L;
            if (at + n > Layout.MULTIBOOT_INFO_END)
                throw new BootException(what + ": command line, module names and memory map exceed the 64 KiB multiboot information area");
            next = at + n;
            return at;
        }

        long string(String s) {
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            long at = alloc(b.length);
            mem.write(at, b);
            return at;
        }

        long write(long memSize, String cmdline, int modsCount, long modsAddr) {
            List<E820.Entry> map = E820.map(memSize);
            long mmap = alloc(24L * map.size());
            for (int i = 0; i < map.size(); i++) {
                long e = mmap + 24L * i;
                mem.u32(e, 20);  // size of the entry, not counting this field
                mem.u64(e + 4, map.get(i).addr());
                mem.u64(e + 12, map.get(i).size());
                mem.u32(e + 20, map.get(i).type());
            }
            mem.u32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS
                    | MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME);
            mem.u32(mbi + MBI_MEM_LOWER, (int) (Layout.EBDA_START >> 10));
            mem.u32(mbi + MBI_MEM_UPPER, (int) ((Layout.lowRamEnd(memSize) - Layout.HIMEM_START) >> 10));
            mem.u32(mbi + MBI_CMDLINE, (int) string(cmdline));
            mem.u32(mbi + MBI_MODS_COUNT, modsCount);
            mem.u32(mbi + MBI_MODS_ADDR, (int) modsAddr);
            mem.u32(mbi + MBI_MMAP_LENGTH, 24 * map.size());
            mem.u32(mbi + MBI_MMAP_ADDR, (int) mmap);
            mem.u32(mbi + MBI_BOOT_LOADER_NAME, (int) string(LOADER_NAME));
            return mbi;
        }
    }
}
