package io.jkvm.api.uapi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Little-endian field access for the uapi structs. Unaligned layouts, so a struct can live in any
 * segment (a heap byte[] for the java backend, an ioctl buffer or the kvm_run mmap for linux).
 */
public final class Mem {
    private Mem() {}

    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    public static int u8(MemorySegment s, long off) { return s.get(U8, off) & 0xff; }
    public static int u16(MemorySegment s, long off) { return s.get(U16, off) & 0xffff; }
    public static int u32(MemorySegment s, long off) { return s.get(U32, off); }
    public static long u64(MemorySegment s, long off) { return s.get(U64, off); }

    public static void u8(MemorySegment s, long off, int v) { s.set(U8, off, (byte) v); }
    public static void u16(MemorySegment s, long off, int v) { s.set(U16, off, (short) v); }
    public static void u32(MemorySegment s, long off, int v) { s.set(U32, off, v); }
    public static void u64(MemorySegment s, long off, long v) { s.set(U64, off, v); }

    /** Byte offset of a named field of a struct layout. */
    public static long off(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    public static byte[] bytes(MemorySegment s, long off, int n) {
        return s.asSlice(off, n).toArray(ValueLayout.JAVA_BYTE);
    }

    public static void bytes(MemorySegment s, long off, byte[] v, int n) {
        if (v.length != n) throw new IllegalArgumentException("expected " + n + " bytes, got " + v.length);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_BYTE, off, n);
    }

    /** A zeroed heap segment, 8-byte aligned, of the layout's size. */
    public static MemorySegment alloc(MemoryLayout layout) {
        return MemorySegment.ofArray(new long[(int) ((layout.byteSize() + 7) / 8)]).asSlice(0, layout.byteSize());
    }
}
