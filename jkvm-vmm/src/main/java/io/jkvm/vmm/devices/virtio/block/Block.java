package io.jkvm.vmm.devices.virtio.block;

import io.jkvm.vmm.devices.virtio.DescriptorChain;
import io.jkvm.vmm.devices.virtio.SingleQueueDevice;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * virtio-blk (virtio 1.x §5.2; names from Linux's {@code include/uapi/linux/virtio_blk.h}) over a
 * {@link Disk}: one request queue; IN, OUT, FLUSH and GET_ID. Every request is checked: its header must be
 * complete, its data a whole number of 512-byte sectors inside the disk (overflow-safe), a status byte must
 * exist. A bad request gets VIRTIO_BLK_S_IOERR, an unknown type VIRTIO_BLK_S_UNSUPP; a request without room
 * for a status byte is returned unused (length 0). A read-only disk offers VIRTIO_BLK_F_RO and answers
 * writes with IOERR.
 */
public final class Block extends SingleQueueDevice {
    public static final long VIRTIO_BLK_F_SEG_MAX = 1L << 2, VIRTIO_BLK_F_RO = 1L << 5, VIRTIO_BLK_F_FLUSH = 1L << 9;
    public static final int VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_GET_ID = 8;
    public static final int VIRTIO_BLK_S_OK = 0, VIRTIO_BLK_S_IOERR = 1, VIRTIO_BLK_S_UNSUPP = 2;
    public static final int SECTOR_SIZE = 512, VIRTIO_BLK_ID_BYTES = 20, QUEUE_SIZE = 256;
    /** Header: le32 type, le32 reserved, le64 sector. */
    static final int HEADER = 16;

    /** virtio-blk keeps no state between requests. */
    public record State() {}

    private final Disk disk;
    private final byte[] id;

    private Block(Disk disk, String id) {
        this.disk = disk;
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        this.id = java.util.Arrays.copyOf(b, Math.min(b.length, VIRTIO_BLK_ID_BYTES));
    }

    /** A block device on {@code disk}; {@code id} (≤ 20 ASCII bytes) is what GET_ID answers. */
    public static Block fromState(State s, Disk disk, String id) {
        return new Block(disk, id);
    }

    public static Block create(Disk disk, String id) {
        return fromState(new State(), disk, id);
    }

    @Override
    public State state() {
        return new State();
    }

    /** Capacity in 512-byte sectors (a trailing partial sector is not exposed). */
    public long capacity() {
        return disk.size() / SECTOR_SIZE;
    }

    @Override
    public int deviceType() {
        return VIRTIO_ID_BLOCK;
    }

    @Override
    public long deviceFeatures() {
        return VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX | (disk.readOnly() ? VIRTIO_BLK_F_RO : 0);
    }

    @Override
    public int[] queueMaxSizes() {
        return new int[] {QUEUE_SIZE};
    }

    /** struct virtio_blk_config: le64 capacity, le32 size_max, le32 seg_max. */
    @Override
    public int readConfig(int offset) {
        ByteBuffer c = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(capacity()).putInt(0).putInt(QUEUE_SIZE - 2);
        return offset >= 0 && offset < 16 ? c.get(offset) & 0xff : 0;
    }

    /** Serves one request; returns the number of bytes written into the chain (data + status). */
    @Override
    protected long serve(DescriptorChain c) {
        long writable = c.writableLength();
        if (writable < 1) return 0;  // nowhere to put a status: return the buffers untouched
        long statusAt = writable - 1;
        if (c.readableLength() < HEADER) return status(c, statusAt, VIRTIO_BLK_S_IOERR, 0);
        ByteBuffer h = ByteBuffer.wrap(c.read(mem(), 0, HEADER)).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        return switch (type) {
            case VIRTIO_BLK_T_IN -> in(c, sector, statusAt);
            case VIRTIO_BLK_T_OUT -> out(c, sector, c.readableLength() - HEADER, statusAt);
            case VIRTIO_BLK_T_FLUSH -> flush(c, statusAt);
            case VIRTIO_BLK_T_GET_ID -> getId(c, statusAt);
            default -> status(c, statusAt, VIRTIO_BLK_S_UNSUPP, 0);
        };
    }

    private long in(DescriptorChain c, long sector, long len) {
        if (!inBounds(sector, len)) return status(c, len, VIRTIO_BLK_S_IOERR, 0);
        try {
            long off = sector * SECTOR_SIZE;
            for (MemorySegment s : c.range(mem(), true, 0, len)) {
                disk.read(off, s);
                off += s.byteSize();
            }
        } catch (IOException e) {
            return status(c, len, VIRTIO_BLK_S_IOERR, 0);
        }
        return status(c, len, VIRTIO_BLK_S_OK, len);
    }

    private long out(DescriptorChain c, long sector, long len, long statusAt) {
        if (disk.readOnly() || !inBounds(sector, len)) return status(c, statusAt, VIRTIO_BLK_S_IOERR, 0);
        try {
            long off = sector * SECTOR_SIZE;
            for (MemorySegment s : c.range(mem(), false, HEADER, len)) {
                disk.write(off, s);
                off += s.byteSize();
            }
        } catch (IOException e) {
            return status(c, statusAt, VIRTIO_BLK_S_IOERR, 0);
        }
        return status(c, statusAt, VIRTIO_BLK_S_OK, 0);
    }

    private long flush(DescriptorChain c, long statusAt) {
        try {
            disk.flush();
        } catch (IOException e) {
            return status(c, statusAt, VIRTIO_BLK_S_IOERR, 0);
        }
        return status(c, statusAt, VIRTIO_BLK_S_OK, 0);
    }

    private long getId(DescriptorChain c, long statusAt) {
        byte[] answer = java.util.Arrays.copyOf(id, (int) Math.min(VIRTIO_BLK_ID_BYTES, statusAt));
        c.write(mem(), 0, answer);
        return status(c, statusAt, VIRTIO_BLK_S_OK, answer.length);
    }

    /** [sector, sector + len/512) lies inside the disk and len is whole sectors; no overflow for any input. */
    private boolean inBounds(long sector, long len) {
        if (len % SECTOR_SIZE != 0 || sector < 0) return false;
        long cap = capacity();
        return sector <= cap && len / SECTOR_SIZE <= cap - sector;
    }

    private long status(DescriptorChain c, long statusAt, int status, long dataWritten) {
        c.write(mem(), statusAt, new byte[] {(byte) status});
        return dataWritten + 1;
    }
}
