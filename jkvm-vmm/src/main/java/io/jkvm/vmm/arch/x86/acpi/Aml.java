package io.jkvm.vmm.arch.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An encoder for the part of ACPI Machine Language (ACPI 6.5 §20.2, "AML Grammar Definition") that a
 * VMM's DSDT needs: names, scopes, devices, packages, integers, strings and buffers. Each method returns
 * the bytes of one term, so a table is written as nested calls in the shape of its ASL source:
 * <pre>
 *   scope("\\_SB", device("COM1", name("_HID", eisaId("PNP0501")), name("_UID", integer(0))))
 * </pre>
 * Encodings follow the grammar exactly; what is outside this subset (methods, operators, fields) is
 * simply absent rather than approximated.
 */
public final class Aml {
    private Aml() {}

    // §20.2.3 data objects, §20.2.5 term objects
    static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
            DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10, BUFFER_OP = 0x11,
            PACKAGE_OP = 0x12, EXT_OP_PREFIX = 0x5b, DEVICE_OP = 0x82;
    // §20.2.2 name objects
    static final int NULL_NAME = 0x00, DUAL_NAME_PREFIX = 0x2e, MULTI_NAME_PREFIX = 0x2f, ROOT_CHAR = '\\',
            PARENT_PREFIX_CHAR = '^';

    /** {@code Name(path, value)}: DefName := NameOp NameString DataRefObject. */
    public static byte[] name(String path, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(path), value);
    }

    /** {@code Scope(path) {terms}}: DefScope := ScopeOp PkgLength NameString TermList. */
    public static byte[] scope(String path, byte[]... terms) {
        return withPkgLength(new byte[] {SCOPE_OP}, concat(nameString(path), concat(terms)));
    }

    /** {@code Device(path) {terms}}: DefDevice := DeviceOp PkgLength NameString TermList; DeviceOp := 0x5B 0x82. */
    public static byte[] device(String path, byte[]... terms) {
        return withPkgLength(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, concat(nameString(path), concat(terms)));
    }

    /**
     * {@code Package() {elements}}: DefPackage := PackageOp PkgLength NumElements PackageElementList, with
     * NumElements a single byte — more than 255 elements would need VarPackageOp, which this encoder lacks.
     */
    public static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) throw new IllegalArgumentException("Package of " + elements.length + " elements: at most 255");
        return withPkgLength(new byte[] {PACKAGE_OP}, concat(new byte[] {(byte) elements.length}, concat(elements)));
    }

    /** {@code Buffer() {bytes}}: DefBuffer := BufferOp PkgLength BufferSize ByteList; BufferSize is an Integer term. */
    public static byte[] buffer(byte[] bytes) {
        return withPkgLength(new byte[] {BUFFER_OP}, concat(integer(bytes.length), bytes));
    }

    /**
     * An Integer in its shortest encoding: ZeroOp, OneOp, or a Byte/Word/DWord/QWord constant ({@code v} read as
     * unsigned). OnesOp is never used: it means 0xFFFFFFFF or all 64 bits depending on the table's revision.
     */
    public static byte[] integer(long v) {
        if (v == 0) return new byte[] {ZERO_OP};
        if (v == 1) return new byte[] {ONE_OP};
        if (Long.compareUnsigned(v, 0xff) <= 0) return le(BYTE_PREFIX, v, 1);
        if (Long.compareUnsigned(v, 0xffff) <= 0) return le(WORD_PREFIX, v, 2);
        if (Long.compareUnsigned(v, 0xffff_ffffL) <= 0) return le(DWORD_PREFIX, v, 4);
        return le(QWORD_PREFIX, v, 8);
    }

    /** A String constant: StringPrefix AsciiCharList NullChar; AsciiChar is 0x01–0x7F. */
    public static byte[] string(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x01 || c > 0x7f) throw new IllegalArgumentException("AML string " + s + ": character " + (int) c + " is not 0x01-0x7F");
        }
        return concat(new byte[] {STRING_PREFIX}, b, new byte[] {0});
    }

    /**
     * {@code EisaId("PNP0501")}: a compressed EISA id as a DWord (ASL reference, EISAID macro): three
     * uppercase letters of 5 bits each (A = 1) and four hex digits, stored big-endian — 0x0105D041 for PNP0501.
     */
    public static byte[] eisaId(String id) {
        if (!id.matches("[A-Z]{3}[0-9A-F]{4}")) throw new IllegalArgumentException("EISA id " + id + ": not three letters and four hex digits");
        int vendor = (id.charAt(0) - 0x40) << 10 | (id.charAt(1) - 0x40) << 5 | (id.charAt(2) - 0x40);
        int product = Integer.parseInt(id.substring(3), 16);
        long be = (long) vendor << 16 | product;
        return le(DWORD_PREFIX, Integer.reverseBytes((int) be) & 0xffff_ffffL, 4);
    }

    /**
     * A NameString (§20.2.2): an optional root prefix {@code \} or parent prefixes {@code ^}, then NameSegs
     * separated by dots, each 1–4 characters (a letter or '_' first, then letters, digits, '_'), padded with
     * '_' to four. No segment gives NullName, two a DualNamePrefix, more a MultiNamePrefix with the count.
     */
    public static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        if (path.startsWith("\\")) {
            out.write(ROOT_CHAR);
            i = 1;
        } else {
            while (i < path.length() && path.charAt(i) == '^') {
                out.write(PARENT_PREFIX_CHAR);
                i++;
            }
        }
        String rest = path.substring(i);
        String[] segs = rest.isEmpty() ? new String[0] : rest.split("\\.", -1);
        if (segs.length == 0) out.write(NULL_NAME);
        else if (segs.length == 2) out.write(DUAL_NAME_PREFIX);
        else if (segs.length > 2) {
            if (segs.length > 255) throw new IllegalArgumentException("AML name " + path + ": more than 255 segments");
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        }
        for (String s : segs) out.writeBytes(nameSeg(path, s));
        return out.toByteArray();
    }

    private static byte[] nameSeg(String path, String s) {
        if (!s.matches("[A-Z_][A-Z0-9_]{0,3}"))
            throw new IllegalArgumentException("AML name " + path + ": segment \"" + s + "\" is not 1-4 of A-Z 0-9 _ (no leading digit)");
        return (s + "___".substring(0, 4 - s.length())).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A PkgLength (§20.2.4) for {@code contentLength} bytes that follow it. The value counts its own bytes too,
     * so the encoding is the shortest that holds contentLength plus its own size: one byte for totals below
     * 64 (bits 0–5), otherwise a lead byte with the count of following bytes in bits 6–7 and the low nibble of
     * the total in bits 0–3, then the remaining bits eight at a time, least significant first (up to 2^28).
     */
    public static byte[] pkgLength(int contentLength) {
        if (contentLength < 0) throw new IllegalArgumentException("negative length");
        if (contentLength + 1 < 1 << 6) return new byte[] {(byte) (contentLength + 1)};
        for (int follow = 1; follow <= 3; follow++) {
            long total = contentLength + 1L + follow;
            if (total < 1L << (4 + 8 * follow)) {
                byte[] b = new byte[1 + follow];
                b[0] = (byte) (follow << 6 | (total & 0xf));
                for (int k = 1; k <= follow; k++) b[k] = (byte) (total >>> (4 + 8 * (k - 1)));
                return b;
            }
        }
        throw new IllegalArgumentException("PkgLength " + contentLength + ": AML packages end below 2^28 bytes");
    }

    private static byte[] withPkgLength(byte[] op, byte[] content) {
        return concat(op, pkgLength(content.length), content);
    }

    private static byte[] le(int prefix, long v, int n) {
        byte[] b = new byte[1 + n];
        b[0] = (byte) prefix;
        for (int k = 0; k < n; k++) b[1 + k] = (byte) (v >>> (8 * k));
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
