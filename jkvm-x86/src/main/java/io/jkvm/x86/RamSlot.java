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
    /**
     * Per page: 1 while cached blocks may hold its bytes and no CPU wrote it since ({@link CodeGuard}); the
     * first CPU write clears it and bumps the page's {@link #codeGen}, later writes cost one byte load.
     */
    final byte[] code;
    final int[] codeGen;
    private static final VarHandle GEN = MethodHandles.arrayElementVarHandle(int[].class);

    public RamSlot(int id, long gpa, MemorySegment memory, boolean readonly, boolean logDirty) {
        this.id = id;
        this.gpa = gpa;
        this.size = memory.byteSize();
        this.memory = memory;
        this.readonly = readonly;
        int pages = (int) ((size + 4095) >>> 12);
        this.dirty = logDirty ? new byte[pages] : null;
        this.code = new byte[pages];
        this.codeGen = new int[pages];
    }

    public boolean contains(long addr) {
        return addr - gpa >= 0 && addr - gpa < size;
    }

    /** A CPU wrote {@code addr}: logs the page dirty, and tells cached code of the page. */
    public void written(long addr) {
        writtenPage((int) ((addr - gpa) >>> 12));
    }

    /** A CPU wrote page {@code p} of the slot (the store path's form of {@link #written}). */
    void writtenPage(int p) {
        byte[] d = dirty;
        if (d != null) d[p] = 1;
        if (code[p] != 0) codeWritten(p);
    }

    /** A CPU wrote page {@code p}, which cached blocks were decoded from. */
    void codeWritten(int p) {
        code[p] = 0;
        GEN.getAndAdd(codeGen, p, 1);
    }

    /** Cached blocks hold bytes of page {@code p} from now on. */
    void watchCode(int p) {
        code[p] = 1;
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
