package io.jkvm.vmm.devices.virtio.block;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** The storage behind a virtio-blk device: byte-addressed, bounds already checked by {@link Block}. */
public interface Disk {
    /** Size in bytes. */
    long size();

    boolean readOnly();

    /** Fills {@code dst} from the disk at byte {@code offset}; past the end of a file reads zeros. */
    void read(long offset, MemorySegment dst) throws IOException;

    void write(long offset, MemorySegment src) throws IOException;

    /** Makes every completed write durable (VIRTIO_BLK_T_FLUSH). */
    void flush() throws IOException;
}
