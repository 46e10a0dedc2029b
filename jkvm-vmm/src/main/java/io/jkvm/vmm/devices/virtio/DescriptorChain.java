package io.jkvm.vmm.devices.virtio;

import io.jkvm.vmm.vstate.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A request taken from a virtqueue: the head index (returned in the used ring) and its buffers, readable
 * ones first (the order the spec requires of drivers, checked when the chain is read). The cursors below
 * read and write across descriptor boundaries, because a device "MUST NOT make assumptions about the
 * particular arrangement of descriptors" (virtio 1.x §2.7.4).
 */
public record DescriptorChain(int head, List<Descriptor> descriptors) {

    public long readableLength() {
        return descriptors.stream().filter(d -> !d.writable()).mapToLong(Descriptor::length).sum();
    }

    public long writableLength() {
        return descriptors.stream().filter(Descriptor::writable).mapToLong(Descriptor::length).sum();
    }

    /** The guest memory of every buffer of one direction, in order. */
    public List<MemorySegment> segments(GuestMemory mem, boolean writable) {
        return descriptors.stream().filter(d -> d.writable() == writable)
                .map(d -> mem.slice(d.gpa(), d.length())).toList();
    }

    /** Reads {@code n} bytes from the readable buffers, starting {@code skip} bytes in. */
    public byte[] read(GuestMemory mem, long skip, int n) {
        byte[] out = new byte[n];
        int done = 0;
        for (MemorySegment s : segments(mem, false)) {
            if (done == n) break;
            if (skip >= s.byteSize()) {
                skip -= s.byteSize();
                continue;
            }
            int k = (int) Math.min(n - done, s.byteSize() - skip);
            MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, skip, out, done, k);
            done += k;
            skip = 0;
        }
        if (done < n) throw new VirtioException("descriptor chain " + head + ": " + n + " readable bytes expected");
        return out;
    }

    /** Writes {@code data} into the writable buffers, starting {@code skip} bytes in. */
    public void write(GuestMemory mem, long skip, byte[] data) {
        int done = 0;
        for (MemorySegment s : segments(mem, true)) {
            if (done == data.length) break;
            if (skip >= s.byteSize()) {
                skip -= s.byteSize();
                continue;
            }
            int k = (int) Math.min(data.length - done, s.byteSize() - skip);
            MemorySegment.copy(data, done, s, java.lang.foreign.ValueLayout.JAVA_BYTE, skip, k);
            done += k;
            skip = 0;
        }
        if (done < data.length)
            throw new VirtioException("descriptor chain " + head + ": " + data.length + " writable bytes expected");
    }

    /** The slices covering [skip, skip + n) of the buffers of one direction (for bulk I/O without copying). */
    public List<MemorySegment> range(GuestMemory mem, boolean writable, long skip, long n) {
        List<MemorySegment> out = new java.util.ArrayList<>();
        for (MemorySegment s : segments(mem, writable)) {
            if (n == 0) break;
            if (skip >= s.byteSize()) {
                skip -= s.byteSize();
                continue;
            }
            long k = Math.min(n, s.byteSize() - skip);
            out.add(s.asSlice(skip, k));
            n -= k;
            skip = 0;
        }
        if (n != 0) throw new VirtioException("descriptor chain " + head + ": buffers shorter than the request");
        return out;
    }
}
