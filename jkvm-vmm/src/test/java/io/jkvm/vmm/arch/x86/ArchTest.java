package io.jkvm.vmm.arch.x86;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.api.uapi.CpuidEntry2;
import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MP table (MP spec 1.4), the e820 map and the per-vCPU CPUID. */
class ArchTest {
    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, MemorySegment.ofArray(new byte[1 << 20]))));

    static int sum(byte[] b) {
        int s = 0;
        for (byte x : b) s += x;
        return s & 0xff;
    }

    @Test
    void mpTableHasValidChecksumsAndOneProcessorEntryPerVcpu() {
        Mptable.write(mem, 3);
        assertEquals("_MP_", new String(mem.read(Layout.MPTABLE, 4)));
        assertEquals(0, sum(mem.read(Layout.MPTABLE, 16)), "floating pointer checksum");
        long table = mem.u32(Layout.MPTABLE + 4);
        assertEquals("PCMP", new String(mem.read(table, 4)));
        int length = mem.u16(table + 4);
        assertEquals(0, sum(mem.read(table, length)), "configuration table checksum");
        assertEquals((int) Layout.APIC_DEFAULT_PHYS_BASE, mem.u32(table + 36));
        int entries = mem.u16(table + 34), cpus = 0;
        long e = table + 44;
        boolean ioapic = false;
        for (int i = 0; i < entries; i++) {
            int type = mem.u8(e);
            if (type == Mptable.MP_PROCESSOR) {
                assertEquals(cpus, mem.u8(e + 1), "APIC id = vCPU id");
                assertEquals(cpus == 0 ? 3 : 1, mem.u8(e + 3), "enabled, BSP flag on vCPU 0 only");
                cpus++;
            }
            if (type == Mptable.MP_IOAPIC) {
                ioapic = true;
                assertEquals((int) Layout.IOAPIC_ADDR, mem.u32(e + 4));
            }
            e += type == Mptable.MP_PROCESSOR ? 20 : 8;
        }
        assertEquals(3, cpus);
        assertTrue(ioapic);
        assertEquals(table + length, e, "entries fill the table exactly");
        assertThrows(IllegalArgumentException.class, () -> Mptable.write(mem, Mptable.MAX_CPUS + 1));
    }

    @Test
    void e820LeavesTheHoleAndContinuesAt4GiB() {
        var map = E820.map(5L << 30);
        assertEquals(new E820.Entry(0x100000, Layout.MMIO_HOLE_START - 0x100000, E820.E820_RAM), map.get(3));
        assertEquals(new E820.Entry(Layout.FOUR_GIB, (5L << 30) - Layout.MMIO_HOLE_START, E820.E820_RAM), map.get(4));
        assertEquals(4, E820.map(64 << 20).size(), "no high RAM entry below 3.5 GiB");
    }

    @Test
    void cpuidCarriesTheApicId() {
        var supported = List.of(new CpuidEntry2(1, 0, 0, 0x806f0, 0x00000800, 0, 0), new CpuidEntry2(0xb, 0, 1, 1, 1, 0x100, 0));
        var c = Cpuid.forVcpu(supported, 5, 8);
        assertEquals(5, c.get(0).ebx() >>> 24);
        assertEquals(8, c.get(0).ebx() >> 16 & 0xff);
        assertEquals(0x800, c.get(0).ebx() & 0xffff, "CLFLUSH size kept");
        assertEquals(5, c.get(1).edx(), "x2APIC id");
    }
}
