package io.jkvm.vmm.arch.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The System Description Table Header (ACPI 6.5 §5.2.6) every table but the RSDP starts with, and the
 * checksum rule they all share: the bytes of a table (its whole Length) sum to zero.
 * <pre>
 *   0 Signature[4]  4 Length  8 Revision  9 Checksum  10 OEMID[6]  16 OEM Table ID[8]  24 OEM Revision
 *  28 Creator ID[4]  32 Creator Revision                                              36 (table body)
 * </pre>
 */
public final class Sdt {
    private Sdt() {}

    public static final int HEADER_SIZE = 36;
    public static final int OFF_LENGTH = 4, OFF_REVISION = 8, OFF_CHECKSUM = 9, OFF_OEMID = 10, OFF_OEM_TABLE_ID = 16;
    public static final String OEM_ID = "JKVM  ", CREATOR_ID = "JKVM";

    /**
     * The table {@code signature} of {@code revision} with {@code body} after the header: OEM ID "JKVM",
     * OEM Table ID "JKVM" + signature (unique per table, as OSPM expects), Length and Checksum filled in.
     */
    public static byte[] table(String signature, int revision, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii(signature, 4)).putInt(HEADER_SIZE + body.length).put((byte) revision).put((byte) 0)
                .put(ascii(OEM_ID, 6)).put(ascii("JKVM" + signature, 8)).putInt(1)
                .put(ascii(CREATOR_ID, 4)).putInt(1).put(body);
        byte[] t = b.array();
        t[OFF_CHECKSUM] = checksum(t, 0, t.length);
        return t;
    }

    /** The byte that makes {@code b[from..from+len)} sum to zero, given that its own slot holds 0. */
    public static byte checksum(byte[] b, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i++) sum += b[i];
        return (byte) -sum;
    }

    static byte[] ascii(String s, int n) {
        if (s.length() != n) throw new IllegalArgumentException("\"" + s + "\" is not " + n + " characters");
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
