package io.jkvm.api.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * {@code struct kvm_segment}: a segment register's selector and its hidden descriptor cache, unpacked.
 * {@code type} is the 4-bit descriptor type; present, dpl, db, s, l, g, avl are the descriptor's bits.
 */
public record Segment(long base, int limit, int selector, int type, int present, int dpl, int db, int s,
                      int l, int g, int avl, int unusable, int padding) {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"))
            .withName("kvm_segment");

    public static Segment read(MemorySegment m, long o) {
        return new Segment(Mem.u64(m, o), Mem.u32(m, o + 8), Mem.u16(m, o + 12), Mem.u8(m, o + 14),
                Mem.u8(m, o + 15), Mem.u8(m, o + 16), Mem.u8(m, o + 17), Mem.u8(m, o + 18), Mem.u8(m, o + 19),
                Mem.u8(m, o + 20), Mem.u8(m, o + 21), Mem.u8(m, o + 22), Mem.u8(m, o + 23));
    }

    public void write(MemorySegment m, long o) {
        Mem.u64(m, o, base);
        Mem.u32(m, o + 8, limit);
        Mem.u16(m, o + 12, selector);
        Mem.u8(m, o + 14, type);
        Mem.u8(m, o + 15, present);
        Mem.u8(m, o + 16, dpl);
        Mem.u8(m, o + 17, db);
        Mem.u8(m, o + 18, s);
        Mem.u8(m, o + 19, l);
        Mem.u8(m, o + 20, g);
        Mem.u8(m, o + 21, avl);
        Mem.u8(m, o + 22, unusable);
        Mem.u8(m, o + 23, padding);
    }

    /** A present code/data segment (S=1) with the given selector, base, limit (bytes−1), type and flags. */
    public static Segment of(int selector, long base, int limit, int type, int dpl, int db, int l, int g) {
        return new Segment(base, limit, selector, type, 1, dpl, db, 1, l, g, 0, 0, 0);
    }

    public Segment withSelector(int v) {
        return new Segment(base, limit, v, type, present, dpl, db, s, l, g, avl, unusable, padding);
    }

    public Segment withBase(long v) {
        return new Segment(v, limit, selector, type, present, dpl, db, s, l, g, avl, unusable, padding);
    }
}
