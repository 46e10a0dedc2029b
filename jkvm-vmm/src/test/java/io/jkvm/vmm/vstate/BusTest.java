package io.jkvm.vmm.vstate;

import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.devices.legacy.Port80;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusTest {
    @Test
    void dispatchesByRangeWithOffsetsAndFloatsWhereNothingAnswers() {
        Bus bus = new Bus("pio");
        Port80 a = Port80.create(), b = Port80.create();
        bus.register(0x80, 1, "a", a);
        bus.register(0x90, 4, "b", b);
        bus.write(0x93, 1, 7);
        assertEquals(7, b.state().lastCode());
        assertEquals(0, a.state().lastCode());
        assertEquals(0xff, bus.read(0x81, 1));
        assertEquals(0xffff, bus.read(0x1000, 2));
        assertEquals(0xffffffffL, bus.read(0x1000, 4));
        bus.write(0x1000, 1, 1);  // dropped, no exception
    }

    @Test
    void overlappingClaimsAreRejected() {
        Bus bus = new Bus("mmio");
        bus.register(0x1000, 0x200, "a", Port80.create());
        var e = assertThrows(IllegalArgumentException.class, () -> bus.register(0x11ff, 1, "b", Port80.create()));
        assertTrue(e.getMessage().contains("overlaps a"), e.getMessage());
    }

    @Test
    void guestMemoryRejectsEverythingOutsideRam() {
        GuestMemory m = new GuestMemory(List.of(new GuestMemory.Region(0, 0x1000, MemorySegment.ofArray(new byte[0x1000])),
                new GuestMemory.Region(1, 0x2000, MemorySegment.ofArray(new byte[0x1000]))));
        m.u32(0x1ffc, 0x12345678);
        assertEquals(0x12345678, m.u32(0x1ffc));
        assertThrows(GuestMemoryException.class, () -> m.u32(0x1ffe));
        assertThrows(GuestMemoryException.class, () -> m.slice(0x0fff, 2));
        assertThrows(GuestMemoryException.class, () -> m.slice(0x1000, -1));
        assertThrows(GuestMemoryException.class, () -> m.slice(Long.MAX_VALUE, 2));
        m.write(0x1ffe, new byte[] {1, 2, 3, 4});  // adjacent regions: spanning is allowed through write/read
        assertArrayEquals(new byte[] {1, 2, 3, 4}, m.read(0x1ffe, 4));
        assertThrows(GuestMemoryException.class, () -> m.write(0x2ffe, new byte[4]));
    }
}
