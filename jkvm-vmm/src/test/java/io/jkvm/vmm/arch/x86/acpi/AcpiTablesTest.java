package io.jkvm.vmm.arch.x86.acpi;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.arch.x86.E820;
import io.jkvm.vmm.arch.x86.Layout;
import io.jkvm.vmm.devices.legacy.AcpiPm;
import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tables {@link Acpi#write} puts in guest memory, read back field by field at the offsets of ACPI 6.5
 * (§5.2.5.3 RSDP, §5.2.8 XSDT, §5.2.9 FADT, §5.2.12 MADT, §5.2.11.1 DSDT), the way an OS finds them:
 * from the RSDP, through the XSDT, by signature.
 */
class AcpiTablesTest {
    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, MemorySegment.ofArray(new byte[1 << 20]))));

    static final List<Dsdt.VirtioMmio> VIRTIO = List.of(new Dsdt.VirtioMmio(0xe000_0000L, 0x200, 5),
            new Dsdt.VirtioMmio(0xe000_1000L, 0x200, 6));

    int sum(long gpa, int len) {
        int s = 0;
        for (byte b : mem.read(gpa, len)) s += b;
        return s & 0xff;
    }

    String ascii(long gpa, int len) {
        return new String(mem.read(gpa, len), java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Checks a table header at {@code t} and returns its length. */
    int header(long t, String signature, int revision) {
        assertEquals(signature, ascii(t, 4), "signature at " + Long.toHexString(t));
        int length = mem.u32(t + Sdt.OFF_LENGTH);
        assertEquals(revision, mem.u8(t + Sdt.OFF_REVISION), signature + " revision");
        assertEquals(0, sum(t, length), signature + " checksum");
        assertEquals("JKVM  ", ascii(t + Sdt.OFF_OEMID, 6));
        assertEquals("JKVM" + signature, ascii(t + Sdt.OFF_OEM_TABLE_ID, 8));
        return length;
    }

    /** The tables the XSDT lists, by signature. */
    java.util.Map<String, Long> xsdtEntries(long xsdt) {
        int length = header(xsdt, "XSDT", 1);
        assertEquals(0, (length - Sdt.HEADER_SIZE) % 8);
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (long e = xsdt + Sdt.HEADER_SIZE; e < xsdt + length; e += 8) {
            long t = mem.u64(e);
            m.put(ascii(t, 4), t);
        }
        return m;
    }

    @Test
    void rsdpAtTheStartOfTheBiosAreaPointsToTheXsdt() {
        Acpi.Tables t = Acpi.write(mem, 2, VIRTIO);
        long r = Acpi.RSDP_ADDR;
        assertEquals(0xe0000, r);
        assertEquals(0, r % 16, "on a 16-byte boundary, where the spec's scan looks");
        assertEquals("RSD PTR ", ascii(r, 8));
        assertEquals(0, sum(r, 20), "checksum over the ACPI 1.0 part");
        assertEquals(0, sum(r, 36), "extended checksum over all 36 bytes");
        assertEquals("JKVM  ", ascii(r + Rsdp.OFF_OEMID, 6));
        assertEquals(2, mem.u8(r + Rsdp.OFF_REVISION));
        assertEquals(0, mem.u32(r + Rsdp.OFF_RSDT_ADDRESS), "no RSDT");
        assertEquals(36, mem.u32(r + Rsdp.OFF_LENGTH));
        assertEquals(t.xsdt(), mem.u64(r + Rsdp.OFF_XSDT_ADDRESS));
        assertEquals(List.of("FACP", "APIC"), new ArrayList<>(xsdtEntries(t.xsdt()).keySet()));
    }

    @Test
    void tablesLieInAReservedE820RangeAndDoNotOverlap() {
        Acpi.Tables t = Acpi.write(mem, io.jkvm.vmm.Builder.MAX_CPUS, VIRTIO);
        E820.Entry reserved = E820.map(64 << 20).stream()
                .filter(e -> e.addr() <= t.rsdp() && t.end() <= e.addr() + e.size()).findFirst().orElseThrow();
        assertEquals(E820.E820_RESERVED, reserved.type());
        assertEquals(new E820.Entry(0xe0000, 0x20000, E820.E820_RESERVED), reserved, "0xe0000-0xfffff reserved");
        long[] starts = {t.rsdp(), t.xsdt(), t.fadt(), t.madt(), t.dsdt()};
        long[] ends = {t.rsdp() + 36, t.xsdt() + mem.u32(t.xsdt() + 4), t.fadt() + mem.u32(t.fadt() + 4),
                t.madt() + mem.u32(t.madt() + 4), t.dsdt() + mem.u32(t.dsdt() + 4)};
        for (int i = 1; i < starts.length; i++) assertTrue(ends[i - 1] <= starts[i], "table " + i + " after the one before");
        assertEquals(t.end(), ends[4]);
    }

    @Test
    void fadtIsHardwareReducedWithSleepAndResetRegisters() {
        Acpi.Tables t = Acpi.write(mem, 1, VIRTIO);
        long f = xsdtEntries(t.xsdt()).get("FACP");
        assertEquals(276, header(f, "FACP", 6), "revision 6 layout");
        assertEquals(5, mem.u8(f + Fadt.OFF_MINOR_VERSION));
        assertEquals(0, mem.u32(f + 36), "FIRMWARE_CTRL: no FACS on a hardware-reduced platform");
        assertEquals(0, mem.u32(f + Fadt.OFF_DSDT), "32-bit DSDT unused: X_DSDT is set");
        assertEquals(t.dsdt(), mem.u64(f + Fadt.OFF_X_DSDT));
        assertEquals(0, mem.u64(f + Fadt.OFF_X_FIRMWARE_CTRL));
        assertEquals(0, mem.u16(f + Fadt.OFF_SCI_INT), "no SCI");
        assertEquals(0x32, mem.u8(f + Fadt.OFF_CENTURY), "the CMOS century byte");
        for (int off = 48; off < 88; off += 4) assertEquals(0, mem.u32(f + off), "SMI_CMD, PM1/PM2/PM_TMR/GPE blocks at " + off + " absent");
        int flags = mem.u32(f + Fadt.OFF_FLAGS);
        assertEquals(1 << 20, flags & 1 << 20, "HW_REDUCED_ACPI");
        assertEquals(1 << 10, flags & 1 << 10, "RESET_REG_SUP");
        assertEquals(3 << 4, flags & 3 << 4, "no fixed-feature power or sleep button");
        int boot = mem.u16(f + Fadt.OFF_IAPC_BOOT_ARCH);
        assertEquals(0x2, boot & 0x2, "an 8042 is present");
        assertEquals(0, boot & 0x20, "the CMOS RTC is present");
        assertGas(f + Fadt.OFF_RESET_REG, AcpiPm.RESET_REG);
        assertEquals(AcpiPm.RESET_VALUE, mem.u8(f + Fadt.OFF_RESET_VALUE));
        assertGas(f + Fadt.OFF_SLEEP_CONTROL_REG, 0x600);
        assertGas(f + Fadt.OFF_SLEEP_STATUS_REG, 0x601);
        for (int off = 148; off < 244; off += 4) assertEquals(0, mem.u32(f + off), "X_PM*/X_GPE* blocks absent at " + off);
    }

    /** A Generic Address Structure for an 8-bit I/O port register. */
    void assertGas(long g, int port) {
        assertEquals(1, mem.u8(g), "Address Space ID: System I/O");
        assertEquals(8, mem.u8(g + 1), "Register Bit Width");
        assertEquals(0, mem.u8(g + 2), "Register Bit Offset");
        assertEquals(1, mem.u8(g + 3), "Access Size: byte");
        assertEquals(port, mem.u64(g + 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 32})
    void madtHasOneEnabledLocalApicPerVcpuAndTheIoapic(int cpus) {
        Acpi.Tables t = Acpi.write(mem, cpus, VIRTIO);
        long m = xsdtEntries(t.xsdt()).get("APIC");
        int length = header(m, "APIC", 5);
        assertEquals(44 + 8 * cpus + 12 + 6, length);
        assertEquals((int) Layout.APIC_DEFAULT_PHYS_BASE, mem.u32(m + Madt.OFF_LOCAL_APIC_ADDRESS));
        assertEquals(1, mem.u32(m + Madt.OFF_FLAGS), "PCAT_COMPAT");
        int lapics = 0, ioapics = 0, nmis = 0;
        long e = m + Madt.OFF_ENTRIES;
        while (e < m + length) {
            int type = mem.u8(e), len = mem.u8(e + 1);
            switch (type) {
                case 0 -> {
                    assertEquals(8, len);
                    assertEquals(lapics, mem.u8(e + 2), "ACPI processor UID");
                    assertEquals(lapics, mem.u8(e + 3), "APIC id = vCPU id");
                    assertEquals(1, mem.u32(e + 4), "enabled (and so not merely online-capable)");
                    lapics++;
                }
                case 1 -> {
                    assertEquals(12, len);
                    assertEquals(cpus, mem.u8(e + 2), "IOAPIC id, the same as in the MP table");
                    assertEquals(0, mem.u8(e + 3));
                    assertEquals((int) Layout.IOAPIC_ADDR, mem.u32(e + 4));
                    assertEquals(0, mem.u32(e + 8), "GSI base");
                    ioapics++;
                }
                case 4 -> {
                    assertEquals(6, len);
                    assertEquals(0xff, mem.u8(e + 2), "all processors");
                    assertEquals(0, mem.u16(e + 3), "conforming flags");
                    assertEquals(1, mem.u8(e + 5), "LINT1");
                    nmis++;
                }
                default -> fail("unexpected MADT entry type " + type + " (no interrupt source overrides: GSI i is pin i)");
            }
            e += len;
        }
        assertEquals(m + length, e, "entries fill the table exactly");
        assertEquals(cpus, lapics);
        assertEquals(1, ioapics);
        assertEquals(1, nmis);
    }

    @Test
    void dsdtHoldsTheDevicesAndS5() {
        Acpi.Tables t = Acpi.write(mem, 1, VIRTIO);
        long d = mem.u64(t.fadt() + Fadt.OFF_X_DSDT);
        int length = header(d, "DSDT", 2);
        byte[] aml = mem.read(d + Sdt.HEADER_SIZE, length - Sdt.HEADER_SIZE);
        assertArrayEquals(Dsdt.aml(Acpi.ISA_DEVICES, VIRTIO, AcpiPm.SLP_TYP_S5), aml);
        String s = new String(aml, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(2, s.split("LNRO0005", -1).length - 1, "one LNRO0005 device per virtio-mmio transport");
        assertTrue(s.contains("VR00") && s.contains("VR01"));
        // Name (\_S5, Package (4) {5, 5, Zero, Zero}) at the root
        assertTrue(indexOf(aml, AmlTest.hex("08 5c 5f 53 35 5f 12 08 04 0a 05 0a 05 00 00")) >= 0, "\\_S5 package");
        // the second device's window and IRQ: Memory32Fixed (ReadWrite, 0xE0001000, 0x200), Interrupt (...) {6}
        assertTrue(indexOf(aml, AmlTest.hex("86 09 00 01 00 10 00 e0 00 02 00 00 89 06 00 03 01 06 00 00 00 79")) >= 0);
        // COM1: _HID EisaId ("PNP0501"), IO (Decode16, 0x3F8, 0x3F8, 1, 8), IRQNoFlags () {4}
        assertTrue(indexOf(aml, AmlTest.hex("08 5f 48 49 44 0c 41 d0 05 01")) >= 0);
        assertTrue(indexOf(aml, AmlTest.hex("47 01 f8 03 f8 03 01 08 22 10 00 79")) >= 0);
        // RTC: _HID EisaId ("PNP0B00"), IO (Decode16, 0x70, 0x70, 1, 2), IRQNoFlags () {8}
        assertTrue(indexOf(aml, AmlTest.hex("08 5f 48 49 44 0c 41 d0 0b 00")) >= 0);
        assertTrue(indexOf(aml, AmlTest.hex("47 01 70 00 70 00 01 02 22 00 01 79")) >= 0);
        // KBD: _HID EisaId ("PNP0303"), IO 0x60 and 0x64 one port each, IRQNoFlags () {1}
        assertTrue(indexOf(aml, AmlTest.hex("08 5f 48 49 44 0c 41 d0 03 03")) >= 0);
        assertTrue(indexOf(aml, AmlTest.hex("47 01 60 00 60 00 01 01 47 01 64 00 64 00 01 01 22 02 00 79")) >= 0);
    }

    @Test
    void noVirtioDevicesStillGiveAValidDsdt() {
        Acpi.Tables t = Acpi.write(mem, 1, List.of());
        header(t.dsdt(), "DSDT", 2);
        assertFalse(new String(mem.read(t.dsdt(), mem.u32(t.dsdt() + 4)), java.nio.charset.StandardCharsets.ISO_8859_1).contains("LNRO"));
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
