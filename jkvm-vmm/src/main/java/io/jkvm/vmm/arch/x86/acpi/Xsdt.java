package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Extended System Description Table (ACPI 6.5 §5.2.8), revision 1: the header followed by the 64-bit
 * physical address of every other table except the DSDT (which the FADT points to) and the FACS.
 */
public final class Xsdt {
    private Xsdt() {}

    public static final String SIGNATURE = "XSDT";
    public static final int REVISION = 1;

    public static byte[] of(long... tables) {
        ByteBuffer b = ByteBuffer.allocate(8 * tables.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long t : tables) b.putLong(t);
        return Sdt.table(SIGNATURE, REVISION, b.array());
    }
}
