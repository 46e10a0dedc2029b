package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;

/**
 * A Generic Address Structure (ACPI 6.5 §5.2.3.2), 12 bytes: how the FADT names a register.
 * <pre>
 *   0 Address Space ID  1 Register Bit Width  2 Register Bit Offset  3 Access Size  4 Address (u64)
 * </pre>
 */
public record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    public static final int SIZE = 12;
    public static final int SYSTEM_MEMORY = 0, SYSTEM_IO = 1;
    /** Access Size 1: byte access. */
    public static final int ACCESS_BYTE = 1;
    public static final GenericAddress NONE = new GenericAddress(0, 0, 0, 0, 0);

    /** An 8-bit register at an I/O port, accessed a byte at a time. */
    public static GenericAddress ioPort8(int port) {
        return new GenericAddress(SYSTEM_IO, 8, 0, ACCESS_BYTE, port);
    }

    void put(ByteBuffer b) {
        b.put((byte) spaceId).put((byte) bitWidth).put((byte) bitOffset).put((byte) accessSize).putLong(address);
    }
}
