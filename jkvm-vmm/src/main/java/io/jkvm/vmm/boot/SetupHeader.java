package io.jkvm.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields of the Linux x86 boot protocol's setup header (Documentation/arch/x86/boot.rst; {@code struct
 * setup_header} in {@code arch/x86/include/uapi/asm/bootparam.h}) that jkvm reads, at their offsets in the
 * bzImage file (which equal their offsets in boot_params).
 */
public record SetupHeader(int setup_sects, int boot_flag, int header, int version, int loadflags,
                          long code32_start, long initrd_addr_max, long kernel_alignment, int relocatable_kernel,
                          int xloadflags, long cmdline_size, long pref_address, long init_size, int header_end) {
    public static final int OFF_SETUP_SECTS = 0x1f1, OFF_BOOT_FLAG = 0x1fe, OFF_JUMP = 0x200, OFF_HEADER = 0x202,
            OFF_VERSION = 0x206, OFF_TYPE_OF_LOADER = 0x210, OFF_LOADFLAGS = 0x211, OFF_CODE32_START = 0x214,
            OFF_RAMDISK_IMAGE = 0x218, OFF_RAMDISK_SIZE = 0x21c, OFF_HEAP_END_PTR = 0x224, OFF_CMD_LINE_PTR = 0x228,
            OFF_INITRD_ADDR_MAX = 0x22c, OFF_KERNEL_ALIGNMENT = 0x230, OFF_RELOCATABLE_KERNEL = 0x234,
            OFF_XLOADFLAGS = 0x236, OFF_CMDLINE_SIZE = 0x238, OFF_PREF_ADDRESS = 0x258, OFF_INIT_SIZE = 0x260;
    /** "HdrS" */
    public static final int HDRS_MAGIC = 0x53726448;
    public static final int BOOT_FLAG = 0xaa55;
    public static final int LOADED_HIGH = 0x01, KEEP_SEGMENTS = 0x40, CAN_USE_HEAP = 0x80;
    public static final int XLF_KERNEL_64 = 0x01, XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;
    /** type_of_loader 0xff: "undefined" boot loader, the value VMMs use. */
    public static final int TYPE_OF_LOADER_UNDEFINED = 0xff;

    /** Reads the header from a bzImage's bytes (at least 0x264 of them, checked by the caller). */
    static SetupHeader read(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getShort(OFF_VERSION) & 0xffff;
        return new SetupHeader(f[OFF_SETUP_SECTS] & 0xff, b.getShort(OFF_BOOT_FLAG) & 0xffff, b.getInt(OFF_HEADER),
                version, f[OFF_LOADFLAGS] & 0xff, b.getInt(OFF_CODE32_START) & 0xffffffffL,
                b.getInt(OFF_INITRD_ADDR_MAX) & 0xffffffffL, b.getInt(OFF_KERNEL_ALIGNMENT) & 0xffffffffL,
                f[OFF_RELOCATABLE_KERNEL] & 0xff, version >= 0x020c ? b.getShort(OFF_XLOADFLAGS) & 0xffff : 0,
                b.getInt(OFF_CMDLINE_SIZE) & 0xffffffffL, version >= 0x020a ? b.getLong(OFF_PREF_ADDRESS) : 0,
                version >= 0x020a ? b.getInt(OFF_INIT_SIZE) & 0xffffffffL : 0, OFF_JUMP + 2 + (f[OFF_JUMP + 1] & 0xff));
    }

    /** setup_sects, with the protocol's "0 means 4". */
    public int setupSectors() {
        return setup_sects == 0 ? 4 : setup_sects;
    }
}
