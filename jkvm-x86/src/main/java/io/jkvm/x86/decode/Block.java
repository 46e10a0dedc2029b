package io.jkvm.x86.decode;

import java.lang.foreign.MemorySegment;

/**
 * A run of decoded instructions starting at one guest-physical address, within one page, ending at a
 * control transfer or state change. It keeps a copy of its code bytes: the cache re-decodes a block
 * whose bytes changed (self-modifying code, or the VMM writing guest memory directly).
 */
public final class Block {
    public static final int MAX_INSNS = 64;

    public long pa;
    public int modeKey;
    public int count;
    public final Insn[] insns = new Insn[MAX_INSNS];
    /** Offset of each instruction from the block start. */
    public final int[] offsets = new int[MAX_INSNS];
    /** The slot memory holding the code and the offset of the first byte in it. */
    public MemorySegment memory;
    public long memOff;
    public int codeLen;
    public final byte[] code = new byte[MAX_INSNS * 15];
    public final MemorySegment codeSeg = MemorySegment.ofArray(code);
    /** An instruction crossing a page boundary: decoded for one execution, never cached. */
    public boolean uncached;

    public Block() {
        for (int k = 0; k < MAX_INSNS; k++) insns[k] = new Insn();
    }

    /** True when guest memory still holds the bytes this block was decoded from. */
    public boolean unchanged() {
        return MemorySegment.mismatch(memory, memOff, memOff + codeLen, codeSeg, 0, codeLen) == -1;
    }
}
