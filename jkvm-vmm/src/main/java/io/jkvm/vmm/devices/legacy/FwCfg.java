package io.jkvm.vmm.devices.legacy;

import io.jkvm.vmm.vstate.BusDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * QEMU's firmware configuration device, traditional (non-DMA) interface (QEMU {@code docs/specs/fw_cfg.rst};
 * keys from {@code include/standard-headers/linux/qemu_fw_cfg.h}): a 16-bit write to the selector port 0x510
 * selects an item and rewinds it; each 8-bit read of the data port 0x511 returns its next byte, 0 past the
 * end. Numeric items are little-endian; the file directory (key 0x19) is big-endian, as QEMU writes it.
 * FW_CFG_ID advertises only the traditional interface (no DMA). The items are configuration fixed when the
 * machine is built; the state is only the selector and the read position.
 */
public final class FwCfg implements BusDevice {
    public static final int PORT_SEL = 0x510, PORT_DATA = 0x511, LENGTH = 2;
    public static final int FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02, FW_CFG_RAM_SIZE = 0x03,
            FW_CFG_NOGRAPHIC = 0x04, FW_CFG_NB_CPUS = 0x05, FW_CFG_MACHINE_ID = 0x06, FW_CFG_KERNEL_ADDR = 0x07,
            FW_CFG_KERNEL_SIZE = 0x08, FW_CFG_KERNEL_CMDLINE = 0x09, FW_CFG_INITRD_ADDR = 0x0a,
            FW_CFG_INITRD_SIZE = 0x0b, FW_CFG_BOOT_DEVICE = 0x0c, FW_CFG_NUMA = 0x0d, FW_CFG_BOOT_MENU = 0x0e,
            FW_CFG_MAX_CPUS = 0x0f, FW_CFG_KERNEL_ENTRY = 0x10, FW_CFG_KERNEL_DATA = 0x11,
            FW_CFG_INITRD_DATA = 0x12, FW_CFG_CMDLINE_ADDR = 0x13, FW_CFG_CMDLINE_SIZE = 0x14,
            FW_CFG_CMDLINE_DATA = 0x15, FW_CFG_SETUP_ADDR = 0x16, FW_CFG_SETUP_SIZE = 0x17,
            FW_CFG_SETUP_DATA = 0x18, FW_CFG_FILE_DIR = 0x19, FW_CFG_FILE_FIRST = 0x20;
    /** FW_CFG_ID bit 0: the traditional I/O-port interface is present. */
    public static final int FW_CFG_VERSION = 0x01;
    /** Length of a file name in a directory entry, NUL included. */
    public static final int FW_CFG_MAX_FILE_PATH = 56;

    /** @param selector the selected key; @param offset the next byte of it to read */
    public record State(int selector, int offset) {}

    private final Map<Integer, byte[]> items;
    private int selector, offset;

    private FwCfg(State s, Map<Integer, byte[]> items) {
        this.items = items;
        selector = s.selector();
        offset = s.offset();
    }

    public static FwCfg fromState(State s, Map<Integer, byte[]> items) {
        return new FwCfg(s, Map.copyOf(items));
    }

    public State state() {
        return new State(selector, offset);
    }

    /** The same items in state {@code s} (a restore rebuilds the items from the machine's configuration). */
    public FwCfg withState(State s) {
        return new FwCfg(s, items);
    }

    /** The bytes of item {@code key}, or null. */
    public byte[] item(int key) {
        byte[] b = items.get(key);
        return b == null ? null : b.clone();
    }

    @Override
    public long read(long offset, int size) {
        if (offset != 1) return 0;  // the selector is write-only
        byte[] item = items.get(selector);
        if (item == null || this.offset >= item.length) return 0;
        return item[this.offset++] & 0xff;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == 0) {
            selector = (int) value & 0xffff;
            this.offset = 0;
        }
        // writes to the data port have been ignored since QEMU 2.4; so here
    }

    /** Collects the items of a machine; {@link #build()} adds the signature, ID and the file directory. */
    public static final class Builder {
        private final Map<Integer, byte[]> items = new TreeMap<>();
        private final Map<String, byte[]> files = new TreeMap<>();

        public Builder u16(int key, int v) { return put(key, le(2, v)); }
        public Builder u32(int key, long v) { return put(key, le(4, v)); }
        public Builder u64(int key, long v) { return put(key, le(8, v)); }

        public Builder put(int key, byte[] data) {
            items.put(key, data.clone());
            return this;
        }

        /** A named file ("etc/…", "opt/…"), listed in FW_CFG_FILE_DIR. */
        public Builder file(String name, byte[] data) {
            if (name.getBytes(StandardCharsets.US_ASCII).length >= FW_CFG_MAX_FILE_PATH)
                throw new IllegalArgumentException("fw_cfg file name too long: " + name);
            files.put(name, data.clone());
            return this;
        }

        public FwCfg build() {
            Map<Integer, byte[]> all = new TreeMap<>(items);
            all.put(FW_CFG_SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
            all.put(FW_CFG_ID, le(4, FW_CFG_VERSION));
            ByteBuffer dir = ByteBuffer.allocate(4 + 64 * files.size()).order(ByteOrder.BIG_ENDIAN);
            dir.putInt(files.size());
            int key = FW_CFG_FILE_FIRST;
            for (var f : files.entrySet()) {
                dir.putInt(f.getValue().length).putShort((short) key).putShort((short) 0);
                byte[] name = new byte[FW_CFG_MAX_FILE_PATH];
                byte[] n = f.getKey().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(n, 0, name, 0, n.length);
                dir.put(name);
                all.put(key++, f.getValue());
            }
            all.put(FW_CFG_FILE_DIR, dir.array());
            return fromState(new State(0, 0), all);
        }

        private static byte[] le(int n, long v) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte) (v >>> (8 * i));
            return b;
        }
    }
}
