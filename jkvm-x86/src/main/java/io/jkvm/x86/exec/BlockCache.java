package io.jkvm.x86.exec;

import io.jkvm.x86.Cpu;
import io.jkvm.x86.RamSlot;
import io.jkvm.x86.decode.Block;
import io.jkvm.x86.decode.Decoder;
import io.jkvm.x86.decode.Insn;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.exc.GuestFault;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decode-once cache: blocks keyed by guest-physical address and CPU mode in a 4-way set-associative table. A hit is
 * checked by the block's {@link io.jkvm.x86.CodeGuard}, so code written by the guest or by the VMM is
 * re-decoded.
 */
public final class BlockCache implements io.jkvm.x86.jit.BlockSource {
    private static final int BITS = 12, SIZE = 1 << BITS;

    private final Block[] table = new Block[SIZE];
    /** Where the next miss is decoded (then it joins the table, or runs once if it is uncached). */
    private Block spare = new Block();
    long decodedBlocks;

    /**
     * The block at the current RIP; throws a guest fault if fetching faults; null when the code is not in
     * RAM. {@code prev}, the block that just ran, remembers its successor: a hit there skips the hash table
     * (the translation, mode and bytes are still checked). With {@code trustCompiled}, a compiled block's
     * bytes are not compared here: its code compares them itself, against constants, before its first
     * instruction, and reports {@code CompiledBlock.CHANGED} — then the caller looks up again without trust.
     */
    Block lookup(Cpu c, Block prev, boolean trustCompiled) {
        long la = c.mode64 ? c.segBase[Cpu.CS] + c.rip : (c.segBase[Cpu.CS] + c.rip) & 0xffffffffL;
        if (!c.mode64 && c.rip > c.segLimit[Cpu.CS]) throw c.fault(io.jkvm.x86.exc.Vector.GP, 0);
        long pa = c.translateExec(la);
        int key = (c.mode64 ? 1 : 0) | (c.defaultSize == 4 ? 2 : 0);
        if (prev != null && prev.succRip == c.rip) {
            Block s = prev.succ;
            if (s.pa == pa && s.modeKey == key && (trustCompiled && s.compiled != null || s.guard.unchanged(c.codeEpoch)))
                return s;
        }
        Block found = lookupSlow(c, pa, key, la, trustCompiled);
        if (prev != null && found != null && !found.uncached && !prev.uncached) {
            prev.succ = found;
            prev.succRip = c.rip;
        }
        return found;
    }

    /** Ways of the table: blocks of the same set, most recently used first. */
    private static final int WAYS = 4;

    /**
     * The first slot of the set for {@code pa}. Multiplicative hashing: code is full of 16-byte aligned
     * entry points at the same offsets of different pages, which a plain xor of page and offset bits maps
     * onto each other.
     */
    private static int index(long pa) {
        return (int) ((pa * 0x9E3779B97F4A7C15L) >>> (64 - BITS)) & -WAYS;
    }

    @Override
    public Block cachedBlock(long pa, int modeKey) {
        int set = index(pa);
        for (int w = 0; w < WAYS; w++) {
            Block b = table[set + w];
            if (b != null && b.pa == pa && b.modeKey == modeKey && b.guard.bytesUnchanged()) return b;
        }
        return null;
    }

    /**
     * The table is set associative, most recently used first: a hit moves the block to the front of its
     * set. A miss decodes into the spare block, which then takes the place of the entry holding stale bytes
     * of the same address if there is one, else of the least recently used; the block it displaces is the
     * next spare. A block whose first instruction crosses the page end is not cached at all.
     */
    private Block lookupSlow(Cpu c, long pa, int key, long la, boolean trustCompiled) {
        RamSlot slot = c.slot(pa);
        if (slot == null) return null;
        int set = index(pa);
        int w = 0;
        Block b = null;
        for (; w < WAYS; w++) {
            b = table[set + w];
            if (b == null || b.pa == pa && b.modeKey == key && b.memory == slot.memory) break;
        }
        if (w < WAYS && b != null && (trustCompiled && b.compiled != null || b.guard.unchanged(c.codeEpoch))) {
            System.arraycopy(table, set, table, set + 1, w);     // to the front
            table[set] = b;
            return b;
        }
        Block d = spare;
        decode(c, d, pa, key, slot, la);
        if (d.uncached) return d;                                // runs once; the spare is reused next time
        if (w == WAYS) b = table[set + (w = WAYS - 1)];          // nothing of this address: the LRU way
        System.arraycopy(table, set, table, set + 1, w);
        table[set] = d;
        spare = b != null ? b : new Block();
        return d;
    }

    void flush() {
        for (Block b : table) if (b != null) { b.succ = null; b.succRip = -1; b.pa = -1; b.compiled = null; b.job = null; }
        java.util.Arrays.fill(table, null);
    }

    /** The decoder's view of a block's bytes in its RAM slot: one per cache, refilled per instruction (no allocation). */
    private static final class RamSource implements Decoder.Source {
        MemorySegment mem;
        long base, limit;
        int start;

        @Override
        public int byteAt(int k) {
            if (start + k >= limit) throw CROSS;
            return mem.get(ValueLayout.JAVA_BYTE, base + start + k) & 0xff;
        }
    }

    private final RamSource ramSource = new RamSource();

    private void decode(Cpu c, Block b, long pa, int key, RamSlot slot, long la) {
        decodedBlocks++;
        b.compiled = null;           // compiled from the old instructions: never valid for new ones
        b.job = null;
        b.hits = 0;
        b.pa = pa;
        b.modeKey = key;
        b.memory = slot.memory;
        b.memOff = pa - slot.gpa;
        b.uncached = false;
        long pageLeft = Math.min(4096 - (pa & 0xfff), slot.size - b.memOff);
        MemorySegment mem = slot.memory;
        long base = b.memOff;
        int off = 0, n = 0;
        while (n < Block.MAX_INSNS) {
            final int start = off;
            Insn in = b.insns[n];
            int len;
            boolean crosses = false;
            try {
                RamSource src = ramSource;
                src.mem = mem;
                src.base = base;
                src.start = start;
                src.limit = pageLeft;
                len = Decoder.decode(src, c.mode64, c.defaultSize, in);
            } catch (CrossPage e) {
                crosses = true;
                len = 0;
            }
            if (crosses) {
                if (n > 0) break;
                // the first instruction straddles the page end: decode it through linear fetch, uncached
                final long lin = la;
                len = Decoder.decode(k -> {
                    int v = c.fetch8(lin + k);
                    if (v < 0) throw new Unimplemented("instruction fetch from MMIO at " + Long.toHexString(lin + k));
                    return v;
                }, c.mode64, c.defaultSize, in);
                b.uncached = true;
            }
            if (len == Decoder.TOO_LONG) {
                if (n > 0) break;
                in.op = Op.INVALID;
                in.sub = 1;        // INVALID/1: longer than 15 bytes → #GP(0)
                len = 15;
                in.len = 15;
            }
            b.offsets[n] = off;
            off += len;
            n++;
            if (b.uncached || endsBlock(in.op) || off >= pageLeft) break;
        }
        b.count = n;
        b.codeLen = (int) Math.min(off, pageLeft);
        MemorySegment.copy(mem, b.memOff, b.codeSeg, 0, b.codeLen);
        b.snapshot();
        if (!b.uncached) b.guard.reset(slot, b.memOff, b.codeWords, b.codeLen);
        b.ripMask = c.mode64 ? -1L : c.defaultSize == 4 ? 0xffffffffL : 0xffff;
        b.succ = null;
        b.succRip = -1;
    }

    /** Instructions after which the next RIP, the mode or the interrupt state may have changed. */
    public static boolean endsBlock(int op) {
        return switch (op) {
            case Op.JCC, Op.JMP_REL, Op.JMP_E, Op.JMP_FAR, Op.CALL_REL, Op.CALL_E, Op.CALL_FAR, Op.RET_NEAR,
                 Op.RET_FAR, Op.IRET, Op.LOOP, Op.JCXZ, Op.INT, Op.INT3, Op.INTO, Op.INT1, Op.HLT, Op.SYSCALL,
                 Op.SYSRET, Op.SYSENTER, Op.SYSEXIT, Op.MOV_CR, Op.WRMSR, Op.GRP7, Op.POPF, Op.FLAGOP, Op.MOV_SE,
                 Op.POP_SEG, Op.LSEG, Op.UD, Op.INVALID, Op.X87, Op.SSE, Op.GRP15, Op.IN, Op.OUT, Op.INS, Op.OUTS,
                 Op.CLTS, Op.GRP6 -> true;
            default -> false;
        };
    }

    private static final class CrossPage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CrossPage() {
            super(null, null, false, false);
        }
    }

    private static final CrossPage CROSS = new CrossPage();

    static boolean isFault(Throwable t) {
        return t instanceof GuestFault;
    }
}
