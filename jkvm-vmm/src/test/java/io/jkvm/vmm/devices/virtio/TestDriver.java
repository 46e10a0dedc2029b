package io.jkvm.vmm.devices.virtio;

import static io.jkvm.vmm.devices.virtio.mmio.MmioTransport.*;

import io.jkvm.vmm.devices.virtio.mmio.MmioTransport;
import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal virtio-mmio driver for unit tests, doing what Linux's virtio_mmio + virtio_ring do: status
 * handshake, feature negotiation, one split queue per index laid out at fixed addresses in a 1 MiB RAM.
 */
final class TestDriver {
    static final long RAM = 1 << 20, QUEUES = 0x10000, BUFFERS = 0x40000;
    final GuestMemory mem = new GuestMemory(List.of(new GuestMemory.Region(0, 0, MemorySegment.ofArray(new byte[(int) RAM]))));
    final List<Boolean> irq = new ArrayList<>();
    MmioTransport t;
    int qsize = 8;
    final int[] availIdx = new int[4];
    final int[] usedSeen = new int[4];
    long nextBuffer = BUFFERS;

    int r(int reg) { return (int) t.read(reg, 4); }
    void w(int reg, long v) { t.write(reg, 4, v); }
    boolean line() { return !irq.isEmpty() && irq.getLast(); }

    long desc(int q) { return QUEUES + q * 0x4000L; }
    long avail(int q) { return desc(q) + 16L * qsize; }
    long used(int q) { return desc(q) + 0x2000; }

    /** The Linux driver's probe sequence; returns the status read back at the end. */
    int init(VirtioDevice dev, long features) {
        t = MmioTransport.create(dev, mem, irq::add);
        w(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
        w(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
        w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        w(VIRTIO_MMIO_DRIVER_FEATURES, features & 0xffffffffL);
        w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        w(VIRTIO_MMIO_DRIVER_FEATURES, features >>> 32);
        w(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
        if ((r(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK) == 0) return r(VIRTIO_MMIO_STATUS);
        for (int q = 0; q < dev.queueMaxSizes().length; q++) {
            w(VIRTIO_MMIO_QUEUE_SEL, q);
            w(VIRTIO_MMIO_QUEUE_NUM, qsize);
            w(VIRTIO_MMIO_QUEUE_DESC_LOW, desc(q));
            w(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
            w(VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail(q));
            w(VIRTIO_MMIO_QUEUE_USED_LOW, used(q));
            w(VIRTIO_MMIO_QUEUE_READY, 1);
        }
        w(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK
                | VIRTIO_CONFIG_S_DRIVER_OK);
        return r(VIRTIO_MMIO_STATUS);
    }

    /** A buffer in guest RAM: gpa, len, writable. */
    record Buf(long gpa, int len, boolean writable) {}

    Buf buf(byte[] data) {
        Buf b = new Buf(nextBuffer, data.length, false);
        mem.write(nextBuffer, data);
        nextBuffer += (data.length + 15) & ~15;
        return b;
    }

    Buf wbuf(int len) {
        Buf b = new Buf(nextBuffer, len, true);
        nextBuffer += (len + 15) & ~15;
        return b;
    }

    /** Puts a chain of {@code bufs} into queue {@code q} starting at descriptor {@code first}; returns the head. */
    int offer(int q, int first, Buf... bufs) {
        for (int i = 0; i < bufs.length; i++) {
            long d = desc(q) + 16L * (first + i);
            mem.u64(d, bufs[i].gpa);
            mem.u32(d + 8, bufs[i].len);
            mem.u16(d + 12, (bufs[i].writable ? Queue.VIRTQ_DESC_F_WRITE : 0) | (i + 1 < bufs.length ? Queue.VIRTQ_DESC_F_NEXT : 0));
            mem.u16(d + 14, first + i + 1);
        }
        mem.u16(avail(q) + 4 + 2L * (availIdx[q] % qsize), first);
        availIdx[q]++;
        mem.u16(avail(q) + 2, availIdx[q]);
        return first;
    }

    void notify(int q) {
        w(VIRTIO_MMIO_QUEUE_NOTIFY, q);
    }

    /** The next used element of queue q: {head, len}, or null. */
    int[] takeUsed(int q) {
        int idx = mem.u16(used(q) + 2);
        if (idx == (usedSeen[q] & 0xffff)) return null;
        long e = used(q) + 4 + 8L * (usedSeen[q] % qsize);
        usedSeen[q]++;
        return new int[] {mem.u32(e), mem.u32(e + 4)};
    }

    byte[] bytes(Buf b) {
        return mem.read(b.gpa, b.len);
    }
}
