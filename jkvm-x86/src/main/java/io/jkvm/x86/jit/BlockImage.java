package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;
import io.jkvm.x86.decode.Insn;
import java.lang.foreign.MemorySegment;

/**
 * What the compiler reads of a {@link Block}, copied when compilation is requested: the cache reuses Block
 * objects for other code, so a compiled class — and a compilation still in progress — must depend only
 * on this snapshot. Its code bytes are what the compiled class checks guest memory against.
 */
final class BlockImage {
    final long pa;
    final int modeKey;
    final long ripMask;
    final int count;
    final Insn[] insns;
    final int[] offsets;
    /** Where the code bytes are: the RAM slot's segment and the offset of the first byte in it. */
    final MemorySegment memory;
    final long memOff;
    final int codeLen;
    /** The code bytes as little-endian words, zero-padded ({@code Block.codeWords}). */
    final long[] codeWords;
    /** The compiled class's own check of those bytes ({@code Block.guard} over a private copy). */
    final io.jkvm.x86.CodeGuard guard;

    BlockImage(Block b) {
        pa = b.pa;
        modeKey = b.modeKey;
        ripMask = b.ripMask;
        count = b.count;
        insns = new Insn[count];
        for (int k = 0; k < count; k++) {
            insns[k] = new Insn();
            insns[k].copyFrom(b.insns[k]);
        }
        offsets = java.util.Arrays.copyOf(b.offsets, count);
        memory = b.memory;
        memOff = b.memOff;
        codeLen = b.codeLen;
        codeWords = b.codeWords.clone();
        guard = b.guard.copy();
    }

    /** True when {@code b} was decoded from the same bytes of the same memory: the same instructions. */
    boolean sameCode(Block b) {
        return b.memory == memory && b.memOff == memOff && b.modeKey == modeKey && b.codeLen == codeLen
                && java.util.Arrays.equals(b.codeWords, codeWords);
    }

    boolean mode64() {
        return (modeKey & 1) != 0;
    }

    /** Offset of the block's first byte in its (4 KiB) page. */
    int pageOffset() {
        return (int) (pa & 0xfff);
    }

    /** Offset from the block start of the byte after its last instruction. */
    int end() {
        return offsets[count - 1] + insns[count - 1].len;
    }

    Insn last() {
        return insns[count - 1];
    }
}
