package io.jkvm.vmm.devices.virtio;

import static io.jkvm.vmm.devices.virtio.mmio.MmioTransport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.devices.virtio.console.Console;
import io.jkvm.vmm.devices.virtio.mmio.MmioTransport;
import io.jkvm.vmm.devices.virtio.rng.Rng;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The virtio-mmio v2 transport (virtio 1.x §4.2) and the split virtqueue's defences against bad drivers. */
class VirtioMmioTest {
    final TestDriver d = new TestDriver();

    @Test
    void identifiesItselfAsVersion2() {
        d.t = MmioTransport.create(Rng.create(b -> {}), d.mem, d.irq::add);
        assertEquals(0x74726976, d.r(VIRTIO_MMIO_MAGIC_VALUE));
        assertEquals(2, d.r(VIRTIO_MMIO_VERSION));
        assertEquals(VirtioDevice.VIRTIO_ID_RNG, d.r(VIRTIO_MMIO_DEVICE_ID));
        d.w(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
        assertEquals(1, d.r(VIRTIO_MMIO_DEVICE_FEATURES), "VIRTIO_F_VERSION_1 is bit 32");
        d.w(VIRTIO_MMIO_QUEUE_SEL, 0);
        assertEquals(Rng.QUEUE_SIZE, d.r(VIRTIO_MMIO_QUEUE_NUM_MAX));
        d.w(VIRTIO_MMIO_QUEUE_SEL, 1);
        assertEquals(0, d.r(VIRTIO_MMIO_QUEUE_NUM_MAX), "no second queue");
    }

    @Test
    void featuresOkIsRefusedWithoutVersion1OrWithUnofferedBits() {
        assertEquals(0, d.init(Rng.create(b -> {}), 0) & VIRTIO_CONFIG_S_FEATURES_OK);
        assertEquals(0, new TestDriver().init(Rng.create(b -> {}), VirtioDevice.VIRTIO_F_VERSION_1 | 1) & VIRTIO_CONFIG_S_FEATURES_OK);
    }

    @Test
    void rngFillsWritableBuffersAndInterrupts() {
        int st = d.init(Rng.create(b -> Arrays.fill(b, (byte) 0x5a)), VirtioDevice.VIRTIO_F_VERSION_1);
        assertEquals(VIRTIO_CONFIG_S_DRIVER_OK, st & VIRTIO_CONFIG_S_DRIVER_OK);
        TestDriver.Buf b = d.wbuf(32);
        d.offer(0, 0, b);
        d.notify(0);
        assertArrayEquals(new int[] {0, 32}, d.takeUsed(0));
        byte[] want = new byte[32];
        Arrays.fill(want, (byte) 0x5a);
        assertArrayEquals(want, d.bytes(b));
        assertTrue(d.line());
        assertEquals(VIRTIO_MMIO_INT_VRING, d.r(VIRTIO_MMIO_INTERRUPT_STATUS));
        d.w(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
        assertFalse(d.line(), "ack lowers the line");
    }

    @Test
    void aDescriptorOutsideRamSetsNeedsResetInsteadOfTouchingHostMemory() {
        d.init(Rng.create(b -> {}), VirtioDevice.VIRTIO_F_VERSION_1);
        d.offer(0, 0, new TestDriver.Buf(TestDriver.RAM - 8, 64, true));
        d.notify(0);
        assertNotEquals(0, d.r(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
        assertEquals(VIRTIO_MMIO_INT_CONFIG, d.r(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
        assertTrue(d.t.lastError().contains("not in RAM"), d.t.lastError());
        d.w(VIRTIO_MMIO_STATUS, 0);
        assertEquals(0, d.r(VIRTIO_MMIO_STATUS), "a reset recovers");
    }

    @Test
    void aLoopingChainIsCaught() {
        d.init(Rng.create(b -> {}), VirtioDevice.VIRTIO_F_VERSION_1);
        long desc = d.desc(0);
        d.mem.u64(desc, TestDriver.BUFFERS);
        d.mem.u32(desc + 8, 4);
        d.mem.u16(desc + 12, Queue.VIRTQ_DESC_F_NEXT | Queue.VIRTQ_DESC_F_WRITE);
        d.mem.u16(desc + 14, 0);  // next = itself
        d.mem.u16(d.avail(0) + 4, 0);
        d.mem.u16(d.avail(0) + 2, 1);
        d.notify(0);
        assertTrue(d.t.lastError().contains("loops"), d.t.lastError());
    }

    @Test
    void anAvailIndexRunningAheadIsCaught() {
        d.init(Rng.create(b -> {}), VirtioDevice.VIRTIO_F_VERSION_1);
        d.mem.u16(d.avail(0) + 2, 100);
        d.notify(0);
        assertTrue(d.t.lastError().contains("ahead"), d.t.lastError());
    }

    @Test
    void aRingOutsideRamRefusesDriverOk() {
        d.qsize = 8;
        d.t = MmioTransport.create(Rng.create(b -> {}), d.mem, d.irq::add);
        d.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        d.w(VIRTIO_MMIO_DRIVER_FEATURES, 1);
        d.w(VIRTIO_MMIO_STATUS, 1 | 2 | 8);
        d.w(VIRTIO_MMIO_QUEUE_NUM, 8);
        d.w(VIRTIO_MMIO_QUEUE_DESC_LOW, TestDriver.RAM + 0x1000);
        d.w(VIRTIO_MMIO_QUEUE_READY, 1);
        d.w(VIRTIO_MMIO_STATUS, 1 | 2 | 8 | 4);
        assertEquals(0, d.r(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
        assertNotEquals(0, d.r(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
    }

    @Test
    void consoleTransmitsAndReceives() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console c = Console.create(out);
        d.init(c, VirtioDevice.VIRTIO_F_VERSION_1);
        d.offer(Console.TRANSMITQ, 0, d.buf("hel".getBytes()), d.buf("lo".getBytes()));
        d.notify(Console.TRANSMITQ);
        assertEquals("hello", out.toString());
        assertNotNull(d.takeUsed(Console.TRANSMITQ));
        d.t.locked(() -> c.input("typed".getBytes()));  // no receive buffer yet: held back
        assertNull(d.takeUsed(Console.RECEIVEQ));
        TestDriver.Buf rx = d.wbuf(3);
        d.offer(Console.RECEIVEQ, 0, rx);
        d.notify(Console.RECEIVEQ);
        assertArrayEquals(new int[] {0, 3}, d.takeUsed(Console.RECEIVEQ));
        assertEquals("typ", new String(d.bytes(rx)));
        assertArrayEquals("ed".getBytes(), c.state().pendingInput());
    }

    @Test
    void transportStateRoundTripsAndReactivates() {
        Rng rng = Rng.create(b -> Arrays.fill(b, (byte) 1));
        d.init(rng, VirtioDevice.VIRTIO_F_VERSION_1);
        d.offer(0, 0, d.wbuf(4));
        d.notify(0);
        var s = d.t.state();
        assertEquals(1, s.queues().get(0).nextAvail());
        d.t = MmioTransport.fromState(s, Rng.create(b -> Arrays.fill(b, (byte) 2)), d.mem, d.irq::add);
        assertEquals(s, d.t.state());
        TestDriver.Buf b = d.wbuf(4);
        d.offer(0, 1, b);
        d.notify(0);
        d.takeUsed(0);
        assertArrayEquals(new int[] {1, 4}, d.takeUsed(0), "the restored queue continues where it was");
        assertArrayEquals(new byte[] {2, 2, 2, 2}, d.bytes(b));
    }
}
