package io.jkvm.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A bzImage made in the test: a setup header with chosen fields, one setup sector, then {@code payload}. */
public final class SyntheticBzImage {
    public int setupSects = 1, version = 0x020f, loadflags = SetupHeader.LOADED_HIGH, relocatable = 1,
            xloadflags = SetupHeader.XLF_KERNEL_64, bootFlag = SetupHeader.BOOT_FLAG, magic = SetupHeader.HDRS_MAGIC;
    public long initSize = 1 << 20, initrdAddrMax = 0x7fffffff, cmdlineSize = 2047, kernelAlignment = 0x200000;
    public byte[] payload = new byte[0x1000];

    public byte[] bytes() {
        int setup = (setupSects + 1) * 512;
        ByteBuffer b = ByteBuffer.allocate(setup + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(SetupHeader.OFF_SETUP_SECTS, (byte) setupSects);
        b.putShort(SetupHeader.OFF_BOOT_FLAG, (short) bootFlag);
        b.put(SetupHeader.OFF_JUMP, (byte) 0xeb).put(SetupHeader.OFF_JUMP + 1, (byte) (0x268 - 0x202));
        b.putInt(SetupHeader.OFF_HEADER, magic);
        b.putShort(SetupHeader.OFF_VERSION, (short) version);
        b.put(SetupHeader.OFF_LOADFLAGS, (byte) loadflags);
        b.putInt(SetupHeader.OFF_CODE32_START, 0x100000);
        b.putInt(SetupHeader.OFF_INITRD_ADDR_MAX, (int) initrdAddrMax);
        b.putInt(SetupHeader.OFF_KERNEL_ALIGNMENT, (int) kernelAlignment);
        b.put(SetupHeader.OFF_RELOCATABLE_KERNEL, (byte) relocatable);
        b.putShort(SetupHeader.OFF_XLOADFLAGS, (short) xloadflags);
        b.putInt(SetupHeader.OFF_CMDLINE_SIZE, (int) cmdlineSize);
        b.putInt(SetupHeader.OFF_INIT_SIZE, (int) initSize);
        b.position(setup);
        b.put(payload);
        return b.array();
    }
}
