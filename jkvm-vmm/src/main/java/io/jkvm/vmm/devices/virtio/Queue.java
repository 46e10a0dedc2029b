package io.jkvm.vmm.devices.virtio;

import io.jkvm.vmm.vstate.GuestMemory;
import io.jkvm.vmm.vstate.GuestMemoryException;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A split virtqueue (virtio 1.x §2.7): the device side of the descriptor table, the available ring and the
 * used ring in guest memory. Everything the driver wrote is checked before use: ring addresses and sizes
 * against guest RAM and the alignment §2.7 requires, head and next indices against the queue size, chains
 * against loops (at most {@code size} descriptors), each buffer against RAM. A violation is a
 * {@link VirtioException}; no guest value can make the VMM read or write outside guest RAM, or loop.
 */
public final class Queue {
    public static final int VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2, VIRTQ_DESC_F_INDIRECT = 4;
    static final int DESC_SIZE = 16;

    private final int maxSize;
    private int size;
    private boolean ready;
    private long descTable, availRing, usedRing;
    private int nextAvail, nextUsed;

    private Queue(QueueState s) {
        maxSize = s.maxSize(); size = s.size(); ready = s.ready(); descTable = s.descTable();
        availRing = s.availRing(); usedRing = s.usedRing(); nextAvail = s.nextAvail(); nextUsed = s.nextUsed();
    }

    public static Queue fromState(QueueState s) {
        return new Queue(s);
    }

    public QueueState state() {
        return new QueueState(maxSize, size, ready, descTable, availRing, usedRing, nextAvail, nextUsed);
    }

    public int maxSize() { return maxSize; }
    public int size() { return size; }
    public boolean ready() { return ready; }
    public void size(int v) { size = v; }
    public void ready(boolean v) { ready = v; }
    public long descTable() { return descTable; }
    public long availRing() { return availRing; }
    public long usedRing() { return usedRing; }
    public void descTable(long gpa) { descTable = gpa; }
    public void availRing(long gpa) { availRing = gpa; }
    public void usedRing(long gpa) { usedRing = gpa; }

    /** Null when the driver's configuration is usable in {@code mem}, else what is wrong with it. */
    public String problem(GuestMemory mem) {
        if (!ready) return "not ready";
        if (size == 0 || size > maxSize || (size & (size - 1)) != 0)
            return "size " + size + " is not a power of 2 in 1.." + maxSize;
        if ((descTable & 15) != 0 || (availRing & 1) != 0 || (usedRing & 3) != 0)
            return String.format("misaligned rings desc=%#x avail=%#x used=%#x", descTable, availRing, usedRing);
        if (!mem.contains(descTable, (long) DESC_SIZE * size)) return String.format("descriptor table %#x not in RAM", descTable);
        if (!mem.contains(availRing, 6 + 2L * size)) return String.format("available ring %#x not in RAM", availRing);
        if (!mem.contains(usedRing, 6 + 8L * size)) return String.format("used ring %#x not in RAM", usedRing);
        return null;
    }

    /** Takes the next available chain, or null when the driver has offered nothing new. */
    public DescriptorChain pop(GuestMemory mem) {
        try {
            String p = problem(mem);
            if (p != null) throw new VirtioException("queue " + p);
            int availIdx = mem.u16(availRing + 2);
            VarHandle.acquireFence();  // ring entries are read after the index that published them
            int pending = (availIdx - nextAvail) & 0xffff;
            if (pending == 0) return null;
            if (pending > size) throw new VirtioException("avail idx " + availIdx + " is " + pending + " ahead of the device, queue size " + size);
            int head = mem.u16(availRing + 4 + 2L * (nextAvail % size));
            nextAvail = (nextAvail + 1) & 0xffff;
            return new DescriptorChain(head, walk(mem, head));
        } catch (GuestMemoryException e) {
            throw new VirtioException(e.getMessage());
        }
    }

    private List<Descriptor> walk(GuestMemory mem, int head) {
        List<Descriptor> out = new ArrayList<>();
        int i = head;
        boolean sawWritable = false;
        while (true) {
            if (i >= size) throw new VirtioException("descriptor index " + i + " >= queue size " + size);
            if (out.size() == size) throw new VirtioException("descriptor chain from " + head + " loops");
            long d = descTable + (long) DESC_SIZE * i;
            long gpa = mem.u64(d);
            int len = mem.u32(d + 8);
            int flags = mem.u16(d + 12);
            int next = mem.u16(d + 14);
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0)
                throw new VirtioException("indirect descriptor, but VIRTIO_F_INDIRECT_DESC was not offered");
            boolean writable = (flags & VIRTQ_DESC_F_WRITE) != 0;
            if (sawWritable && !writable) throw new VirtioException("readable descriptor after a writable one in chain " + head);
            sawWritable |= writable;
            if (!mem.contains(gpa, Integer.toUnsignedLong(len)))
                throw new VirtioException(String.format("descriptor %d buffer %#x+%#x is not in RAM", i, gpa, Integer.toUnsignedLong(len)));
            out.add(new Descriptor(gpa, len, writable));
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) return out;
            i = next;
        }
    }

    /** Returns chain {@code head} to the driver with {@code len} bytes written (virtio 1.x §2.7.8). */
    public void addUsed(GuestMemory mem, int head, long len) {
        try {
            long e = usedRing + 4 + 8L * (nextUsed % size);
            mem.u32(e, head);
            mem.u32(e + 4, (int) Math.min(len, 0xffffffffL));
            nextUsed = (nextUsed + 1) & 0xffff;
            VarHandle.releaseFence();  // the entry is visible before the index that publishes it
            mem.u16(usedRing + 2, nextUsed);
        } catch (GuestMemoryException ex) {
            throw new VirtioException(ex.getMessage());
        }
    }
}
