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
 * Decode-once cache: blocks keyed by guest-physical address and CPU mode in a direct-mapped table. A hit is
 * verified against guest memory (the block keeps its bytes), so code written by the guest or by the VMM
 * is re-decoded — no write tracking needed on the store path.
 */
public final class BlockCache implements io.jkvm.x86.jit.BlockSource {
    private static final int BITS = 12, SIZE = 1 << BITS;

    private final Block[] table = new Block[SIZE];
    private final Block scratch = new Block();
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
            if (s.pa == pa && s.modeKey == key && (trustCompiled && s.compiled != null || s.unchanged())) return s;
        }
        Block found = lookupSlow(c, pa, key, la, trustCompiled);
        if (prev != null && found != null && !found.uncached && !prev.uncached) {
            prev.succ = found;
            prev.succRip = c.rip;
        }
        return found;
    }

    private static int index(long pa) {
        return (int) ((pa ^ (pa >>> BITS) ^ (pa >>> 24)) & (SIZE - 1));
    }

    @Override
    public Block cachedBlock(long pa, int modeKey) {
        Block b = table[index(pa)];
        return b != null && b.pa == pa && b.modeKey == modeKey && b.unchanged() ? b : null;
    }

    private Block lookupSlow(Cpu c, long pa, int key, long la, boolean trustCompiled) {
        RamSlot slot = c.slot(pa);
        if (slot == null) return null;
        int idx = index(pa);
        Block b = table[idx];
        if (b != null && b.pa == pa && b.modeKey == key && b.memory == slot.memory
                && (trustCompiled && b.compiled != null || b.unchanged())) return b;
        if (b == null) table[idx] = b = new Block();
        decode(c, b, pa, key, slot, la);
        if (b.uncached) {
            // keep the cached entry clean: the page-crossing instruction lives in a scratch block
            copyTo(b, scratch);
            b.pa = -1;
            return scratch;
        }
        return b;
    }

    private static void copyTo(Block from, Block to) {
        to.pa = from.pa;
        to.modeKey = from.modeKey;
        to.count = from.count;
        for (int k = 0; k < from.count; k++) {
            to.insns[k].copyFrom(from.insns[k]);
            to.offsets[k] = from.offsets[k];
        }
        to.memory = from.memory;
        to.memOff = from.memOff;
        to.codeLen = from.codeLen;
        System.arraycopy(from.code, 0, to.code, 0, from.codeLen);
        to.snapshot();
        to.ripMask = from.ripMask;
        to.succ = null;
        to.succRip = -1;
        to.uncached = true;
        to.compiled = null;
    }

    void flush() {
        for (Block b : table) if (b != null) { b.succ = null; b.succRip = -1; b.pa = -1; b.compiled = null; }
        java.util.Arrays.fill(table, null);
    }

    private void decode(Cpu c, Block b, long pa, int key, RamSlot slot, long la) {
        decodedBlocks++;
        b.compiled = null;           // compiled from the old instructions: never valid for new ones
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
                final long limit = pageLeft;
                len = Decoder.decode(k -> {
                    if (start + k >= limit) throw CROSS;
                    return mem.get(ValueLayout.JAVA_BYTE, base + start + k) & 0xff;
                }, c.mode64, c.defaultSize, in);
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
