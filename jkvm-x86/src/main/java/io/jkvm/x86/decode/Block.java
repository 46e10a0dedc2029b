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
    /** RIPs wrap at the code size: 0xffff, 0xffffffff or -1 (64-bit). */
    public long ripMask = -1;
    /** The code bytes as little-endian longs (zero-padded), which {@link #guard} compares with guest memory. */
    public final long[] codeWords = new long[(MAX_INSNS * 15 + 7) / 8];
    /** Whether guest memory still holds {@link #code}: set up by the cache each time the block is decoded. */
    public final io.jkvm.x86.CodeGuard guard = new io.jkvm.x86.CodeGuard();
    /** Successor cache: the block that followed, keyed by its start RIP (a cheap chain before the hash lookup). */
    public Block succ;
    public long succRip = -1;
    public long startRip;
    /** The slot memory holding the code and the offset of the first byte in it. */
    public MemorySegment memory;
    public long memOff;
    public int codeLen;
    public final byte[] code = new byte[MAX_INSNS * 15];
    public final MemorySegment codeSeg = MemorySegment.ofArray(code);
    /** An instruction crossing a page boundary: decoded for one execution, never cached. */
    public boolean uncached;
    /**
     * The block as JVM bytecode (see {@code io.jkvm.x86.jit}), or null while it is interpreted. Dropped
     * whenever the block is decoded again, so it never outlives the instructions it was compiled from.
     */
    public io.jkvm.x86.jit.CompiledBlock compiled;
    /** Executions counted towards the compile threshold since the block was decoded. */
    public int hits;
    /** Its compilation on the compiler thread, while it is in progress (dropped when the block is decoded again). */
    public io.jkvm.x86.jit.CompileJob job;

    public Block() {
        for (int k = 0; k < MAX_INSNS; k++) insns[k] = new Insn();
    }

    /** Snapshots the code bytes into {@link #codeWords}. */
    public void snapshot() {
        java.util.Arrays.fill(codeWords, 0);
        for (int k = 0; k < codeLen; k++) codeWords[k >> 3] |= (code[k] & 0xffL) << (8 * (k & 7));
    }

}
