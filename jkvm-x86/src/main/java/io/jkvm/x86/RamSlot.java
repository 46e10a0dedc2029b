package io.jkvm.x86;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One memory slot as the CPU sees it: guest-physical {@code [gpa, gpa+size)} backed by {@code memory}.
 * A READONLY slot turns writes into MMIO exits; a dirty-logged slot records each written page in
 * {@code dirty} (one byte per page: plain stores by vCPUs, atomic exchange by the reader, so no write
 * between a read and its clear is lost).
 */
public final class RamSlot {
    private static final VarHandle DIRTY = MethodHandles.arrayElementVarHandle(byte[].class);

    public final int id;
    public final long gpa;
    public final long size;
    public final MemorySegment memory;
    public final boolean readonly;
    /** One byte per 4 KiB page, or null when the slot does not log dirty pages. */
    public final byte[] dirty;

    public RamSlot(int id, long gpa, MemorySegment memory, boolean readonly, boolean logDirty) {
        this.id = id;
        this.gpa = gpa;
        this.size = memory.byteSize();
        this.memory = memory;
        this.readonly = readonly;
        this.dirty = logDirty ? new byte[(int) ((size + 4095) >>> 12)] : null;
    }

    public boolean contains(long addr) {
        return addr - gpa >= 0 && addr - gpa < size;
    }

    public void markDirty(long addr) {
        if (dirty != null) dirty[(int) ((addr - gpa) >>> 12)] = 1;
    }

    /** Copies the dirty pages into {@code bitmap} (bit i = page i) and clears them, atomically per page. */
    public void collectDirty(long[] bitmap) {
        java.util.Arrays.fill(bitmap, 0);
        if (dirty == null) return;
        for (int p = 0; p < dirty.length; p++) {
            if (dirty[p] != 0 && (byte) DIRTY.getAndSet(dirty, p, (byte) 0) != 0) bitmap[p >>> 6] |= 1L << (p & 63);
        }
    }
}
