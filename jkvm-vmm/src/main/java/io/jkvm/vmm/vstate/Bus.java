package io.jkvm.vmm.vstate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An address space of devices: the port-I/O bus (KVM_EXIT_IO) or the MMIO bus (KVM_EXIT_MMIO). Each device
 * claims one range [base, base + length); ranges never overlap. An access that no device claims reads as
 * all ones and its writes are dropped, as on an ISA bus with nothing answering — a guest that probes a
 * missing device sees "no device", it never stops the VM.
 *
 * <p>Registration happens while the machine is built; dispatch is lock-free over an immutable array and
 * takes the device's monitor for the access itself.
 */
public final class Bus {
    /** One claimed range. */
    public record Range(long base, long length, String name, BusDevice device) {
        boolean contains(long addr) {
            return addr - base >= 0 && addr - base < length;
        }
    }

    private final String name;
    private volatile Range[] ranges = new Range[0];

    public Bus(String name) {
        this.name = name;
    }

    /** Claims [base, base + length) for {@code device}; IllegalArgumentException when it overlaps a claim. */
    public synchronized void register(long base, long length, String deviceName, BusDevice device) {
        if (length <= 0) throw new IllegalArgumentException(name + ": empty range for " + deviceName);
        for (Range r : ranges) {
            if (base < r.base + r.length && r.base < base + length)
                throw new IllegalArgumentException(String.format("%s: %s at %#x+%#x overlaps %s at %#x+%#x",
                        name, deviceName, base, length, r.name, r.base, r.length));
        }
        Range[] next = Arrays.copyOf(ranges, ranges.length + 1);
        next[ranges.length] = new Range(base, length, deviceName, device);
        Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.base, b.base));
        ranges = next;
    }

    /** The range holding {@code addr}, or null. */
    public Range find(long addr) {
        Range[] rs = ranges;
        int lo = 0, hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Range r = rs[mid];
            if (Long.compareUnsigned(addr, r.base) < 0) hi = mid - 1;
            else if (r.contains(addr)) return r;
            else lo = mid + 1;
        }
        return null;
    }

    /** Reads {@code size} bytes at {@code addr}; all ones when nothing is there. */
    public long read(long addr, int size) {
        Range r = find(addr);
        if (r == null) return size >= 8 ? -1L : (1L << (8 * size)) - 1;
        synchronized (r.device) {
            return r.device.read(addr - r.base, size);
        }
    }

    /** Writes {@code size} bytes at {@code addr}; dropped when nothing is there. */
    public void write(long addr, int size, long value) {
        Range r = find(addr);
        if (r == null) return;
        synchronized (r.device) {
            r.device.write(addr - r.base, size, value);
        }
    }

    /** Every claim, in address order (for the machine's description and tests). */
    public List<Range> ranges() {
        return new ArrayList<>(Arrays.asList(ranges));
    }

    @Override
    public String toString() {
        return name;
    }
}
