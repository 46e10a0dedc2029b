package io.jkvm.vmm.devices.virtio;

import static io.jkvm.vmm.devices.virtio.block.Block.*;
import static io.jkvm.vmm.devices.virtio.mmio.MmioTransport.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jkvm.vmm.devices.virtio.block.Block;
import io.jkvm.vmm.devices.virtio.block.DiskFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk requests (virtio 1.x §5.2.6) against a temporary raw image. */
class BlockTest {
    @TempDir
    Path dir;
    final TestDriver d = new TestDriver();

    Path image(int sectors) throws Exception {
        byte[] b = new byte[sectors * SECTOR_SIZE];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i / SECTOR_SIZE);
        return Files.write(dir.resolve("disk.img"), b);
    }

    static byte[] header(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
    }

    int status(TestDriver.Buf s) {
        return d.bytes(s)[0];
    }

    @Test
    void configSpaceHasTheCapacityInSectors() throws Exception {
        d.init(Block.create(DiskFile.open(image(8), false), "x"), VIRTIO_F_VERSION_1);
        assertEquals(8, d.r(VIRTIO_MMIO_CONFIG));
        assertEquals(0, d.r(VIRTIO_MMIO_CONFIG + 4));
    }

    @Test
    void readsWritesAndFlushes() throws Exception {
        Path img = image(8);
        d.init(Block.create(DiskFile.open(img, false), "x"), VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
        TestDriver.Buf data = d.wbuf(1024), st = d.wbuf(1);
        d.offer(0, 0, d.buf(header(VIRTIO_BLK_T_IN, 3)), data, st);
        d.notify(0);
        assertArrayEquals(new int[] {0, 1025}, d.takeUsed(0), "used length = data + status");
        assertEquals(VIRTIO_BLK_S_OK, status(st));
        assertEquals(3, d.bytes(data)[0]);
        assertEquals(4, d.bytes(data)[1023]);

        byte[] payload = new byte[512];
        Arrays.fill(payload, (byte) 0x77);
        TestDriver.Buf st2 = d.wbuf(1);
        // header and data split across descriptors in an unusual way: 10 + 6+512 bytes
        byte[] h = header(VIRTIO_BLK_T_OUT, 7);
        byte[] rest = new byte[6 + 512];
        System.arraycopy(h, 10, rest, 0, 6);
        System.arraycopy(payload, 0, rest, 6, 512);
        d.offer(0, 3, d.buf(Arrays.copyOf(h, 10)), d.buf(rest), st2);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_OK, status(st2));
        TestDriver.Buf st3 = d.wbuf(1);
        d.offer(0, 6, d.buf(header(VIRTIO_BLK_T_FLUSH, 0)), st3);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_OK, status(st3));
        byte[] file = Files.readAllBytes(img);
        assertEquals(0x77, file[7 * 512]);
        assertEquals(0x77, file[8 * 512 - 1]);
        assertEquals(6, file[6 * 512 + 511], "neighbours untouched");
    }

    @Test
    void outOfBoundsAndPartialSectorsAreIoErrors() throws Exception {
        d.init(Block.create(DiskFile.open(image(8), false), "x"), VIRTIO_F_VERSION_1);
        TestDriver.Buf st = d.wbuf(1);
        d.offer(0, 0, d.buf(header(VIRTIO_BLK_T_IN, 7)), d.wbuf(1024), st);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_IOERR, status(st), "sector 7 + 2 sectors > capacity 8");
        TestDriver.Buf st2 = d.wbuf(1);
        d.offer(0, 3, d.buf(header(VIRTIO_BLK_T_IN, Long.MAX_VALUE / 256)), d.wbuf(512), st2);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_IOERR, status(st2), "huge sector, no overflow");
        TestDriver.Buf st3 = d.wbuf(1);
        d.offer(0, 0, d.buf(header(VIRTIO_BLK_T_IN, 0)), d.wbuf(100), st3);  // descriptors 0-2 are free again
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_IOERR, status(st3), "not a whole sector");
    }

    @Test
    void readOnlyOffersRoAndRefusesWrites() throws Exception {
        Path img = image(8);
        Block b = Block.create(DiskFile.open(img, true), "x");
        assertNotEquals(0, b.deviceFeatures() & VIRTIO_BLK_F_RO);
        d.init(b, VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO);
        TestDriver.Buf st = d.wbuf(1);
        d.offer(0, 0, d.buf(header(VIRTIO_BLK_T_OUT, 0)), d.buf(new byte[512]), st);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_IOERR, status(st));
        assertEquals(0, Files.readAllBytes(img)[0] + 0, "sector 0 kept its content");
        assertEquals(1, Files.readAllBytes(img)[512]);
    }

    @Test
    void getIdAndUnknownTypes() throws Exception {
        d.init(Block.create(DiskFile.open(image(1), false), "jkvm-disk-0"), VIRTIO_F_VERSION_1);
        TestDriver.Buf id = d.wbuf(VIRTIO_BLK_ID_BYTES), st = d.wbuf(1);
        d.offer(0, 0, d.buf(header(VIRTIO_BLK_T_GET_ID, 0)), id, st);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_OK, status(st));
        assertEquals("jkvm-disk-0", new String(d.bytes(id)).trim().replace("\0", ""));
        TestDriver.Buf st2 = d.wbuf(1);
        d.offer(0, 3, d.buf(header(99, 0)), st2);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_UNSUPP, status(st2));
    }

    @Test
    void aShortHeaderIsAnIoErrorAndNoStatusByteReturnsTheChainUnused() throws Exception {
        d.init(Block.create(DiskFile.open(image(1), false), "x"), VIRTIO_F_VERSION_1);
        TestDriver.Buf st = d.wbuf(1);
        d.offer(0, 0, d.buf(new byte[8]), st);
        d.notify(0);
        assertEquals(VIRTIO_BLK_S_IOERR, status(st));
        d.takeUsed(0);
        d.offer(0, 2, d.buf(header(VIRTIO_BLK_T_IN, 0)));
        d.notify(0);
        assertArrayEquals(new int[] {2, 0}, d.takeUsed(0));
    }
}
