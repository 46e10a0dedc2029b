package io.jkvm.vmm.boot;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.testkit.Backends;
import io.jkvm.vmm.arch.x86.BootCpu;
import io.jkvm.vmm.arch.x86.E820;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bzImage loader, checked on the boot_params it writes, field by field against Documentation/arch/x86/boot.rst. */
class BzImageTest {
    @TempDir
    Path dir;

    static final long MEM = 64 << 20;
    final Arena arena = Arena.ofAuto();
    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, arena.allocate(MEM, 4096))));

    Path write(String name, byte[] b) throws Exception {
        return Files.write(dir.resolve(name), b);
    }

    long zp(int off, int size) {
        long a = Layout.ZERO_PAGE + off;
        return switch (size) {
            case 1 -> mem.u8(a);
            case 2 -> mem.u16(a);
            case 4 -> mem.u32(a) & 0xffffffffL;
            default -> mem.u64(a);
        };
    }

    /** Every field a 64-bit boot loader must fill, for a kernel file {@code f} with header {@code h}. */
    void assertBootParams(byte[] f, SetupHeader h, Boot b, String cmdline, byte[] initrd) {
        // the setup header is copied from the file (0x1f1 .. end of header) ...
        assertArrayEquals(Arrays.copyOfRange(f, 0x1f1, h.header_end()),
                patched(mem.read(Layout.ZERO_PAGE + 0x1f1, h.header_end() - 0x1f1), f));
        assertEquals(SetupHeader.HDRS_MAGIC, (int) zp(0x202, 4), "header");
        assertEquals(0xaa55, zp(0x1fe, 2), "boot_flag");
        // ... with the loader's fields written
        assertEquals(0xff, zp(0x210, 1), "type_of_loader: undefined");
        assertEquals(SetupHeader.LOADED_HIGH, zp(0x211, 1) & SetupHeader.LOADED_HIGH, "loadflags keeps LOADED_HIGH");
        assertEquals(Layout.HIMEM_START, zp(0x214, 4), "code32_start: where the kernel was loaded");
        assertEquals(Layout.CMDLINE, zp(0x228, 4), "cmd_line_ptr");
        assertEquals(cmdline, mem.cString(zp(0x228, 4), 4096));
        assertTrue(cmdline.length() <= h.cmdline_size(), "within cmdline_size");
        long rdImage = zp(0x218, 4), rdSize = zp(0x21c, 4);
        if (initrd == null) {
            assertEquals(0, rdImage);
            assertEquals(0, rdSize);
        } else {
            assertEquals(initrd.length, rdSize, "ramdisk_size");
            assertEquals(0, rdImage & 0xfff, "ramdisk_image page-aligned");
            assertTrue(rdImage + rdSize - 1 <= h.initrd_addr_max(), "ramdisk below initrd_addr_max");
            assertTrue(rdImage >= Layout.HIMEM_START + Math.max(h.init_size(), f.length - (h.setupSectors() + 1) * 512L),
                    "ramdisk above the kernel's init_size");
            assertArrayEquals(initrd, mem.read(rdImage, initrd.length));
        }
        List<E820.Entry> map = E820.map(MEM);
        assertEquals(map.size(), zp(0x1e8, 1), "e820_entries");
        for (int i = 0; i < map.size(); i++) {
            int e = 0x2d0 + 20 * i;
            assertEquals(map.get(i), new E820.Entry(zp(e, 8), zp(e + 8, 8), (int) zp(e + 16, 4)), "e820_table[" + i + "]");
        }
        assertEquals(new E820.Entry(Layout.HIMEM_START, MEM - Layout.HIMEM_START, E820.E820_RAM), map.get(map.size() - 1));
        // the protected-mode kernel at 1 MiB, entered at startup_64 with RSI = boot_params
        int setup = (h.setupSectors() + 1) * 512;
        assertArrayEquals(Arrays.copyOfRange(f, setup, Math.min(f.length, setup + 4096)),
                mem.read(Layout.HIMEM_START, Math.min(f.length - setup, 4096)));
        assertEquals(new BootCpu.Entry(BootCpu.Mode.LONG_64, Layout.HIMEM_START + 0x200, 0, 0, Layout.ZERO_PAGE), b.entry());
    }

    /** The zero page's copy with the loader-written bytes put back to the file's, to compare the rest. */
    static byte[] patched(byte[] zp, byte[] f) {
        byte[] z = zp.clone();
        for (int off : new int[] {0x210, 0x211, 0x214, 0x215, 0x216, 0x217, 0x218, 0x219, 0x21a, 0x21b, 0x21c, 0x21d,
                0x21e, 0x21f, 0x228, 0x229, 0x22a, 0x22b}) {
            if (off - 0x1f1 < z.length) z[off - 0x1f1] = f[off];
        }
        return z;
    }

    @Test
    void syntheticBzImageBootParamsFieldByField() throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        s.initrdAddrMax = 0x37ffffff;
        byte[] f = s.bytes();
        byte[] rd = new byte[3 * 4096 + 5];
        Arrays.fill(rd, (byte) 0x42);
        Boot b = BzImage.load(mem, MEM, write("bzImage", f), write("initrd", rd), "console=ttyS0 root=/dev/vda", 0);
        assertBootParams(f, BzImage.header(Path.of("x"), f), b, "console=ttyS0 root=/dev/vda", rd);
        assertEquals(MEM - 4 * 4096, zp(0x218, 4), "the initrd goes as high as RAM allows");
    }

    @Test
    void acpiRsdpAddrIsPassedFromProtocol2_14On() throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        BzImage.load(mem, MEM, write("bzImage", s.bytes()), null, "", 0xe0000);
        assertEquals(0xe0000, zp(0x070, 8), "boot_params.acpi_rsdp_addr (protocol 2.15)");
        BzImage.load(mem, MEM, write("bzImage", s.bytes()), null, "", 0);
        assertEquals(0, zp(0x070, 8), "0: the machine has no ACPI");
        s.version = 0x020e;
        BzImage.load(mem, MEM, write("bzImage", s.bytes()), null, "", 0xe0000);
        assertEquals(0xe0000, zp(0x070, 8), "protocol 2.14");
        s.version = 0x020d;
        BzImage.load(mem, MEM, write("bzImage", s.bytes()), null, "", 0xe0000);
        assertEquals(0, zp(0x070, 8), "protocol 2.13 has no such field: it stays padding");
    }

    @Test
    void withoutXlfKernel64TheEntryIsCode32StartInProtectedMode() throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        s.xloadflags = 0;
        Boot b = BzImage.load(mem, MEM, write("bzImage", s.bytes()), null, "", 0);
        assertEquals(new BootCpu.Entry(BootCpu.Mode.PROTECTED_32, Layout.HIMEM_START, 0, 0, Layout.ZERO_PAGE), b.entry());
    }

    @Test
    void headerChecksNameTheFileAndTheField() throws Exception {
        assertError(s -> s.version = 0x0204, "setup header version 0x0204 < 2.06");
        assertError(s -> s.magic = 0x12345678, "is not \"HdrS\" (not a bzImage)");
        assertError(s -> s.loadflags = 0, "loadflags lacks LOADED_HIGH");
        assertError(s -> s.relocatable = 0, "relocatable_kernel is 0");
        assertError(s -> s.bootFlag = 0, "boot_flag 0x0000 is not 0xaa55");
        assertError(s -> {
            s.setupSects = 60;
            s.payload = new byte[0];
        }, "setup_sects 60 points past the end of the file");
        assertError(s -> s.initSize = 80 << 20, "raise --mem");
        Path text = write("notes.txt", "just some text, not a kernel\n".repeat(40).getBytes());
        var e = assertThrows(BootException.class, () -> BzImage.load(mem, MEM, text, null, "", 0));
        assertTrue(e.getMessage().startsWith("bzImage " + text + ": "), e.getMessage());
        var missing = assertThrows(BootException.class, () -> BzImage.load(mem, MEM, dir.resolve("nope"), null, "", 0));
        assertEquals("bzImage " + dir.resolve("nope") + ": no such file", missing.getMessage());
    }

    @Test
    void anInitrdThatDoesNotFitIsRefused() throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        s.initSize = 40 << 20;
        Path k = write("bzImage", s.bytes());
        Path rd = write("initrd", new byte[30 << 20]);
        var e = assertThrows(BootException.class, () -> BzImage.load(mem, MEM, k, rd, "", 0));
        assertTrue(e.getMessage().startsWith("initrd " + rd + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }

    @Test
    void aCommandLineLongerThanCmdlineSizeIsRefused() throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        s.cmdlineSize = 10;
        Path k = write("bzImage", s.bytes());
        var e = assertThrows(BootException.class, () -> BzImage.load(mem, MEM, k, null, "console=ttyS0", 0));
        assertTrue(e.getMessage().contains("exceeds cmdline_size 10"), e.getMessage());
    }

    void assertError(java.util.function.Consumer<SyntheticBzImage> edit, String message) throws Exception {
        SyntheticBzImage s = new SyntheticBzImage();
        edit.accept(s);
        Path k = write("bzImage-" + message.hashCode(), s.bytes());
        var e = assertThrows(BootException.class, () -> BzImage.load(mem, MEM, k, null, "", 0));
        assertTrue(e.getMessage().startsWith("bzImage " + k + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in: " + e.getMessage());
    }

    /** Debian's linux-image-cloud-amd64, where installed (or where scripts/build-guest-image extracted it). */
    static Path debianKernel() throws Exception {
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "jkvm", "guest", "bzImage");
        if (Files.isRegularFile(cached)) return cached;
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            return boot.filter(p -> p.getFileName().toString().matches("vmlinuz-.*-cloud-amd64")).sorted().findFirst().orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void debianCloudKernelBootParamsFieldByField() throws Exception {
        Path k = debianKernel();
        if (k == null) Backends.skip("Debian's cloud kernel is not installed (apt-get install linux-image-cloud-amd64, "
                + "or run scripts/build-guest-image): bzImage loader not checked against a real kernel");
        byte[] f = Files.readAllBytes(k);
        SetupHeader h = BzImage.header(k, f);
        assertTrue(h.version() >= 0x020f, "a 6.x kernel has protocol 2.15+: " + Integer.toHexString(h.version()));
        assertNotEquals(0, h.xloadflags() & SetupHeader.XLF_KERNEL_64, "XLF_KERNEL_64");
        byte[] rd = "070701 fake cpio".getBytes();
        Boot b = BzImage.load(mem, MEM, k, write("initrd", rd), "console=ttyS0", 0);
        assertBootParams(f, h, b, "console=ttyS0", rd);
    }
}
