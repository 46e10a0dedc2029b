package io.jkvm.vmm.boot;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ELF vmlinux and multiboot loaders on hand-made images: what they load where, and what they refuse. */
class LoaderTest {
    @TempDir
    Path dir;

    static final long MEM = 32 << 20;
    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, Arena.ofAuto().allocate(MEM, 4096))));

    Path write(String name, byte[] b) throws Exception {
        return Files.write(dir.resolve(name), b);
    }

    static byte[] code(int n) {
        byte[] c = new byte[n];
        for (int i = 0; i < n; i++) c[i] = (byte) (i * 13 + 1);
        return c;
    }

    @Test
    void vmlinuxLoadsAtPaddrWithASynthesizedSetupHeader() throws Exception {
        byte[] c = code(0x800);
        Path k = write("vmlinux", ElfImages.elf64(0x1000000, 0xffffffff81000000L, 0x1000000, c, 0x2000));
        Boot b = Vmlinux.load(mem, MEM, k, null, "console=ttyS0", 0xe0000);
        assertEquals(new BootCpu.Entry(BootCpu.Mode.LONG_64, 0x1000000, 0, 0, Layout.ZERO_PAGE), b.entry());
        assertArrayEquals(c, mem.read(0x1000000, c.length));
        assertArrayEquals(new byte[0x2000 - 0x800], mem.read(0x1000000 + 0x800, 0x2000 - 0x800), "bss zeroed");
        assertEquals(SetupHeader.HDRS_MAGIC, mem.u32(Layout.ZERO_PAGE + 0x202));
        assertEquals(0xaa55, mem.u16(Layout.ZERO_PAGE + 0x1fe));
        assertEquals(0xff, mem.u8(Layout.ZERO_PAGE + 0x210));
        assertEquals("console=ttyS0", mem.cString(mem.u32(Layout.ZERO_PAGE + 0x228), 100));
        assertEquals(0xe0000, mem.u64(Layout.ZERO_PAGE + 0x070), "acpi_rsdp_addr: the synthesized header is protocol 2.15");
    }

    @Test
    void vmlinuxRefusals() throws Exception {
        Path i386 = write("v32", ElfImages.elf32(Elf.EM_386, 0x100000, 0x100000, code(16), 16));
        assertMessage(() -> Vmlinux.load(mem, MEM, i386, null, "", 0), "vmlinux " + i386 + ": e_machine 3");
        Path low = write("vlow", ElfImages.elf64(0x1000, 0x1000, 0x1000, code(16), 16));
        assertMessage(() -> Vmlinux.load(mem, MEM, low, null, "", 0), "outside RAM from 1 MiB");
        Path huge = write("vhuge", ElfImages.elf64(0x1000000, 0x1000000, 0x1000000, code(16), 64 << 20));
        assertMessage(() -> Vmlinux.load(mem, MEM, huge, null, "", 0), "raise --mem");
        byte[] truncated = ElfImages.elf64(0x1000000, 0x1000000, 0x1000000, code(16), 16);
        Path cut = write("vcut", Arrays.copyOf(truncated, 0x1004));
        assertMessage(() -> Vmlinux.load(mem, MEM, cut, null, "", 0), "outside the file");
        Path entry = write("ventry", ElfImages.elf64(0x2000000, 0x1000000, 0x1000000, code(16), 16));
        assertMessage(() -> Vmlinux.load(mem, MEM, entry, null, "", 0), "e_entry 0x2000000 is not in a loaded segment");
    }

    /** A multiboot header at {@code off} of a 0x2000-byte image; a.out fields only with the kludge. */
    static byte[] multiboot(int off, int flags, int checksumDelta, long headerAddr, long loadAddr, long loadEnd, long bssEnd, long entry) {
        ByteBuffer b = ByteBuffer.allocate(0x2000).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(off, Multiboot.MULTIBOOT_HEADER_MAGIC).putInt(off + 4, flags)
                .putInt(off + 8, -(Multiboot.MULTIBOOT_HEADER_MAGIC + flags) + checksumDelta)
                .putInt(off + 12, (int) headerAddr).putInt(off + 16, (int) loadAddr).putInt(off + 20, (int) loadEnd)
                .putInt(off + 24, (int) bssEnd).putInt(off + 28, (int) entry);
        return b.array();
    }

    @Test
    void multibootAoutKludgeHonoursTheHeaderAddresses() throws Exception {
        // image loaded at 0x200000; header at file offset 0x40 → header_addr 0x200040; bss to 0x204000
        byte[] f = multiboot(0x40, 0x10002, 0, 0x200040, 0x200000, 0x201000, 0x204000, 0x200080);
        Arrays.fill(f, 0x1000, 0x2000, (byte) 0x77);  // past load_end_addr: must not be loaded
        mem.slice(0x201000, 0x3000).fill((byte) 0x55);
        Boot b = Multiboot.load(mem, MEM, write("mb", f), List.of(), "x");
        assertEquals(new BootCpu.Entry(BootCpu.Mode.PROTECTED_32, 0x200080, 0x2BADB002, Layout.MULTIBOOT_INFO, 0), b.entry());
        assertArrayEquals(Arrays.copyOf(f, 0x1000), mem.read(0x200000, 0x1000));
        assertArrayEquals(new byte[0x3000], mem.read(0x201000, 0x3000), "bss cleared, file beyond load_end_addr not loaded");
    }

    @Test
    void multibootElfWithoutTheKludge() throws Exception {
        byte[] c = code(0x100);
        byte[] elf = ElfImages.elf32(Elf.EM_386, 0x300010, 0x300000, c, 0x100);
        byte[] header = multiboot(0, 0x2, 0, 0, 0, 0, 0, 0);
        byte[] f = elf.clone();
        System.arraycopy(header, 0, f, 0x1000 + 0x20, 12);  // the header inside the loaded code
        Boot b = Multiboot.load(mem, MEM, write("mbelf", f), List.of(), "");
        assertEquals(0x300010, b.entry().rip());
        assertEquals(Multiboot.MULTIBOOT_HEADER_MAGIC, mem.u32(0x300020));
    }

    @Test
    void multibootRefusals() throws Exception {
        Path bad = write("cs", multiboot(0, 0x10002, 1, 0x200000, 0x200000, 0, 0, 0x200020));
        assertMessage(() -> Multiboot.load(mem, MEM, bad, List.of(), ""), "multiboot " + bad + ": header at 0x0: checksum");
        Path video = write("video", multiboot(0, 0x10006, 0, 0x200000, 0x200000, 0, 0, 0x200020));
        assertMessage(() -> Multiboot.load(mem, MEM, video, List.of(), ""), "bit 2 = video mode");
        Path low = write("low", multiboot(0, 0x10002, 0, 0x8000, 0x8000, 0, 0, 0x8020));
        assertMessage(() -> Multiboot.load(mem, MEM, low, List.of(), ""), "load_addr 0x8000 is below 1 MiB");
        Path entry = write("entry", multiboot(0, 0x10002, 0, 0x200000, 0x200000, 0x201000, 0, 0x300000));
        assertMessage(() -> Multiboot.load(mem, MEM, entry, List.of(), ""), "entry_addr 0x300000 is outside the loaded image");
        Path order = write("order", multiboot(0, 0x10002, 0, 0x200000, 0x200100, 0, 0, 0x200200));
        assertMessage(() -> Multiboot.load(mem, MEM, order, List.of(), ""), "load_addr 0x200100 > header_addr 0x200000");
        Path bss = write("bss", multiboot(0, 0x10002, 0, 0x200000, 0x200000, 0x201000, 0x200800, 0x200020));
        assertMessage(() -> Multiboot.load(mem, MEM, bss, List.of(), ""), "bss_end_addr 0x200800 < load_end_addr 0x201000");
        Path big = write("big", multiboot(0, 0x10002, 0, 0x200000, 0x200000, 0, 0x4000000, 0x200020));
        assertMessage(() -> Multiboot.load(mem, MEM, big, List.of(), ""), "raise --mem");
        byte[] late = new byte[0x4000];
        System.arraycopy(multiboot(0, 0x10002, 0, 0x200000, 0x200000, 0, 0, 0x200020), 0, late, 0x2000, 32);
        Path none = write("late", late);
        assertMessage(() -> Multiboot.load(mem, MEM, none, List.of(), ""), "no multiboot header (magic 0x1BADB002) in the first 8 KiB");
        Path ok = write("ok", multiboot(0, 0x10002, 0, 0x200000, 0x200000, 0, 0, 0x200020));
        Path missing = dir.resolve("nomod");
        assertMessage(() -> Multiboot.load(mem, MEM, ok, List.of(missing), ""), "module " + missing + ": no such file");
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String message) {
        BootException e = assertThrows(BootException.class, call);
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in: " + e.getMessage());
    }
}
