package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Root System Description Pointer (ACPI 6.5 §5.2.5.3), revision 2: where the OS starts. Linux finds it
 * through boot_params.acpi_rsdp_addr, or by scanning 0xE0000–0xFFFFF on 16-byte boundaries for the
 * signature (§5.2.5.1), which is why jkvm puts it at the start of that area. It points only to the XSDT:
 * OSPM uses the XSDT when the revision is 2 or more and XsdtAddress is set, so the RSDT is omitted.
 * <pre>
 *   0 "RSD PTR "  8 Checksum (bytes 0-19)  9 OEMID[6]  15 Revision = 2  16 RsdtAddress = 0
 *  20 Length = 36  24 XsdtAddress  32 Extended Checksum (all 36 bytes)  33 Reserved[3]
 * </pre>
 */
public final class Rsdp {
    private Rsdp() {}

    public static final int SIZE = 36, V1_SIZE = 20, REVISION = 2;
    public static final int OFF_CHECKSUM = 8, OFF_OEMID = 9, OFF_REVISION = 15, OFF_RSDT_ADDRESS = 16, OFF_LENGTH = 20,
            OFF_XSDT_ADDRESS = 24, OFF_EXTENDED_CHECKSUM = 32;

    public static byte[] of(long xsdtAddress) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Sdt.ascii("RSD PTR ", 8)).put((byte) 0).put(Sdt.ascii(Sdt.OEM_ID, 6)).put((byte) REVISION).putInt(0)
                .putInt(SIZE).putLong(xsdtAddress);
        byte[] r = b.array();
        r[OFF_CHECKSUM] = Sdt.checksum(r, 0, V1_SIZE);                  // the ACPI 1.0 part first ...
        r[OFF_EXTENDED_CHECKSUM] = Sdt.checksum(r, 0, SIZE);            // ... then the whole, which includes it
        return r;
    }
}
