package io.jkvm.vmm.arch.x86.acpi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The AML encoder against bytes worked out by hand from the grammar of ACPI 6.5 §20.2 (and, where a
 * construct is common, the same bytes as iasl emits for it in QEMU's and other VMMs' DSDTs).
 */
class AmlTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static void assertBytes(String expected, byte[] actual) {
        assertEquals(expected.replace(" ", "").toLowerCase(), HexFormat.of().formatHex(actual));
    }

    @Test
    void integersTakeTheShortestEncoding() {
        assertBytes("00", Aml.integer(0));
        assertBytes("01", Aml.integer(1));
        assertBytes("0a 02", Aml.integer(2));
        assertBytes("0a ff", Aml.integer(0xff));
        assertBytes("0b 00 01", Aml.integer(0x100));
        assertBytes("0b ff ff", Aml.integer(0xffff));
        assertBytes("0c 00 00 01 00", Aml.integer(0x10000));
        assertBytes("0c 00 00 00 e0", Aml.integer(0xe000_0000L));
        assertBytes("0e 00 00 00 00 01 00 00 00", Aml.integer(0x1_0000_0000L));
        assertBytes("0e ff ff ff ff ff ff ff ff", Aml.integer(-1), "all ones as a QWord, never OnesOp");
    }

    static void assertBytes(String expected, byte[] actual, String why) {
        assertEquals(expected.replace(" ", ""), HexFormat.of().formatHex(actual), why);
    }

    @Test
    void stringsAndEisaIds() {
        assertBytes("0d 4c 4e 52 4f 30 30 30 35 00", Aml.string("LNRO0005"));
        assertBytes("0d 00", Aml.string(""));
        assertThrows(IllegalArgumentException.class, () -> Aml.string("é"));
        // EISAID("PNP0501") = 0x0105D041 and EISAID("PNP0A03") = 0x030AD041, as in every PC DSDT
        assertBytes("0c 41 d0 05 01", Aml.eisaId("PNP0501"));
        assertBytes("0c 41 d0 0a 03", Aml.eisaId("PNP0A03"));
        assertThrows(IllegalArgumentException.class, () -> Aml.eisaId("LNRO0005"));
    }

    @Test
    void nameStrings() {
        assertBytes("5f 48 49 44", Aml.nameString("_HID"));
        assertBytes("53 35 5f 5f", Aml.nameString("S5"), "short segments are padded with '_'");
        assertBytes("5c 5f 53 42 5f", Aml.nameString("\\_SB"));
        assertBytes("5c 00", Aml.nameString("\\"), "the root alone: RootChar NullName");
        assertBytes("5c 2e 5f 53 42 5f 43 4f 4d 31", Aml.nameString("\\_SB.COM1"), "DualNamePrefix");
        assertBytes("5c 2f 03 5f 53 42 5f 50 43 49 30 49 53 41 5f", Aml.nameString("\\_SB.PCI0.ISA"), "MultiNamePrefix + count");
        assertBytes("5e 5e 46 4f 4f 5f", Aml.nameString("^^FOO"), "ParentPrefixChar per level");
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("TOOLONG"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("1ABC"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("\\_SB..X"));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("abc"));
    }

    @Test
    void pkgLengthCountsItselfAndGrowsAtEachBoundary() {
        assertBytes("01", Aml.pkgLength(0));
        assertBytes("3f", Aml.pkgLength(62), "63 in one byte, the most bits 0-5 hold");
        // 63 bytes of content: 64 does not fit in 6 bits, so two bytes, total 65 = 0x41: nibble 1, then 0x04
        assertBytes("41 04", Aml.pkgLength(63));
        assertBytes("4f ff", Aml.pkgLength(4093), "total 4095, the most two bytes hold");
        // total 4097 = 0x1001 needs three bytes: nibble 1, then 0x00, 0x01
        assertBytes("81 00 01", Aml.pkgLength(4094));
        assertBytes("8f ff ff", Aml.pkgLength((1 << 20) - 4));
        assertBytes("c1 00 00 01", Aml.pkgLength((1 << 20) - 3), "total 2^20 + 1 needs four bytes");
        assertThrows(IllegalArgumentException.class, () -> Aml.pkgLength(1 << 28));
        for (int n : new int[] {0, 1, 62, 63, 64, 100, 4093, 4094, 5000, (1 << 20) - 4, (1 << 20) - 3, 1 << 27}) {
            byte[] p = Aml.pkgLength(n);
            assertEquals(n + p.length, decodePkgLength(p), "PkgLength of " + n + " decodes to its bytes plus content");
        }
    }

    /** The decoder of §20.2.4, written independently of the encoder. */
    static long decodePkgLength(byte[] p) {
        int follow = (p[0] & 0xff) >>> 6;
        assertEquals(follow + 1, p.length);
        if (follow == 0) return p[0] & 0x3f;
        assertEquals(0, p[0] & 0x30, "bits 4-5 of a multi-byte lead are reserved");
        long v = p[0] & 0x0f;
        for (int k = 1; k <= follow; k++) v |= (long) (p[k] & 0xff) << (4 + 8 * (k - 1));
        return v;
    }

    @Test
    void namePackageScopeAndDevice() {
        // Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
        assertBytes("08 5c 5f 53 35 5f 12 08 04 0a 05 0a 05 00 00",
                Aml.name("\\_S5", Aml.pkg(Aml.integer(5), Aml.integer(5), Aml.integer(0), Aml.integer(0))));
        // Device (COM1) { Name (_UID, One) }: DeviceOp 5B 82, PkgLength 0x0b = 1 + 4 (name) + 6 (Name term)
        assertBytes("5b 82 0b 43 4f 4d 31 08 5f 55 49 44 01", Aml.device("COM1", Aml.name("_UID", Aml.integer(1))));
        // Scope (\_SB) {}: PkgLength 6 = 1 + 5
        assertBytes("10 06 5c 5f 53 42 5f", Aml.scope("\\_SB"));
        assertBytes("12 02 00", Aml.pkg(), "an empty package: PkgLength 2, NumElements 0");
    }

    @Test
    void aLargeScopeUsesAMultiBytePkgLength() {
        byte[][] devices = new byte[8][];
        for (int i = 0; i < devices.length; i++) devices[i] = Aml.device("V00" + i, Aml.name("_HID", Aml.string("LNRO0005")));
        byte[] s = Aml.scope("\\_SB", devices);
        int content = 5 + devices.length * devices[0].length;
        assertTrue(content > 63);
        assertEquals(Aml.SCOPE_OP, s[0]);
        assertEquals(0x40, s[1] & 0xc0, "two-byte PkgLength");
        assertEquals(content + 2, decodePkgLength(new byte[] {s[1], s[2]}));
        assertEquals(1 + 2 + content, s.length);
    }

    @Test
    void bufferOfResourceTemplate() {
        // ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08) IRQNoFlags () {4} }
        // sum of the 12 bytes before the checksum = 0x2f2, so the checksum is 0x0e
        byte[] rt = new ResourceTemplate().io(0x3f8, 8).irqNoFlags(4).bytes();
        assertBytes("47 01 f8 03 f8 03 01 08 22 10 00 79 0e", rt);
        assertBytes("11 10 0a 0d 47 01 f8 03 f8 03 01 08 22 10 00 79 0e", Aml.buffer(rt),
                "BufferOp, PkgLength 0x10 = itself + BufferSize (2) + 13 bytes");
    }

    @Test
    void memoryAndExtendedInterruptDescriptors() {
        // Memory32Fixed (ReadWrite, 0xE0000000, 0x00000200)
        // Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) {5}
        byte[] rt = new ResourceTemplate().memory32Fixed(true, 0xe000_0000L, 0x200)
                .interrupt(ResourceTemplate.CONSUMER | ResourceTemplate.EDGE, 5).bytes();
        assertBytes("86 09 00 01 00 00 00 e0 00 02 00 00 89 06 00 03 01 05 00 00 00 79", java.util.Arrays.copyOf(rt, rt.length - 1));
        int sum = 0;
        for (byte b : rt) sum += b;
        assertEquals(0, sum & 0xff, "End Tag checksum makes the template sum to zero");
        assertThrows(IllegalArgumentException.class, () -> new ResourceTemplate().irqNoFlags(16));
    }
}
