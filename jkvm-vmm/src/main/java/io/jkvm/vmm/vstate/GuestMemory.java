package io.jkvm.vmm.vstate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Guest-physical RAM as the VMM sees it: the segments registered with KVM_SET_USER_MEMORY_REGION, each at
 * its guest-physical address. Every access is bounds-checked against the regions: an address or length a
 * guest supplied (a virtqueue descriptor, a DMA buffer) that is not inside RAM throws
 * {@link GuestMemoryException}, which devices report to the guest; it can never touch host memory outside
 * the segments. An access may span two adjacent regions only through {@link #read}/{@link #write}.
 */
public final class GuestMemory {
    /** One RAM region: guest-physical {@code gpa} backed by {@code segment}, registered as KVM slot {@code slot}. */
    public record Region(int slot, long gpa, MemorySegment segment) {
        public long size() { return segment.byteSize(); }
        public long end() { return gpa + segment.byteSize(); }
    }

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Region[] regions;

    public GuestMemory(List<Region> regions) {
        this.regions = regions.toArray(Region[]::new);
    }

    public List<Region> regions() {
        return List.of(regions);
    }

    /** Total bytes of RAM. */
    public long size() {
        long n = 0;
        for (Region r : regions) n += r.size();
        return n;
    }

    /** True when [gpa, gpa + len) lies inside one region. */
    public boolean contains(long gpa, long len) {
        return regionOf(gpa, len) != null;
    }

    /**
     * The host view of guest [gpa, gpa + len), which must lie inside one region.
     *
     * @throws GuestMemoryException when it does not (negative length, wrap-around, outside RAM, across a hole)
     */
    public MemorySegment slice(long gpa, long len) {
        Region r = regionOf(gpa, len);
        if (r == null) throw new GuestMemoryException(String.format("guest range %#x+%#x is not in RAM", gpa, len));
        return r.segment.asSlice(gpa - r.gpa, len);
    }

    private Region regionOf(long gpa, long len) {
        if (len < 0 || gpa < 0 || gpa + len < gpa) return null;
        for (Region r : regions) {
            if (gpa >= r.gpa && gpa + len <= r.end()) return r;
        }
        return null;
    }

    public int u8(long gpa) { return slice(gpa, 1).get(ValueLayout.JAVA_BYTE, 0) & 0xff; }
    public int u16(long gpa) { return slice(gpa, 2).get(U16, 0) & 0xffff; }
    public int u32(long gpa) { return slice(gpa, 4).get(U32, 0); }
    public long u64(long gpa) { return slice(gpa, 8).get(U64, 0); }
    public void u8(long gpa, int v) { slice(gpa, 1).set(ValueLayout.JAVA_BYTE, 0, (byte) v); }
    public void u16(long gpa, int v) { slice(gpa, 2).set(U16, 0, (short) v); }
    public void u32(long gpa, int v) { slice(gpa, 4).set(U32, 0, v); }
    public void u64(long gpa, long v) { slice(gpa, 8).set(U64, 0, v); }

    /** Copies {@code bytes} to guest {@code gpa}; may span adjacent regions. */
    public void write(long gpa, byte[] bytes) {
        write(gpa, bytes, 0, bytes.length);
    }

    public void write(long gpa, byte[] bytes, int from, int len) {
        int done = 0;
        while (done < len) {
            Region r = regionOf(gpa + done, 1);
            if (r == null) throw new GuestMemoryException(String.format("guest range %#x+%#x is not in RAM", gpa, len));
            int n = (int) Math.min(len - done, r.end() - (gpa + done));
            MemorySegment.copy(bytes, from + done, r.segment, ValueLayout.JAVA_BYTE, gpa + done - r.gpa, n);
            done += n;
        }
    }

    /** Reads {@code len} bytes at guest {@code gpa}; may span adjacent regions. */
    public byte[] read(long gpa, int len) {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            Region r = regionOf(gpa + done, 1);
            if (r == null) throw new GuestMemoryException(String.format("guest range %#x+%#x is not in RAM", gpa, len));
            int n = (int) Math.min(len - done, r.end() - (gpa + done));
            MemorySegment.copy(r.segment, ValueLayout.JAVA_BYTE, gpa + done - r.gpa, out, done, n);
            done += n;
        }
        return out;
    }

    /** A NUL-terminated string at {@code gpa}, at most {@code max} bytes, ISO-8859-1. */
    public String cString(long gpa, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < max; i++) {
            int c = u8(gpa + i);
            if (c == 0) break;
            b.append((char) c);
        }
        return b.toString();
    }
}
