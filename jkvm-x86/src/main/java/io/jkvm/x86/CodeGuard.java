package io.jkvm.x86;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the code bytes a cached block was decoded from are still in guest memory — answered without
 * reading them again on almost every execution.
 *
 * <p>Writes by the CPU are tracked: a page that cached blocks were decoded from is marked in its
 * {@link RamSlot}, and the first CPU write to a marked page bumps the page's generation. Writes from
 * outside the CPU — the VMM, a device's DMA, another thread holding the slot's segment — cannot be seen;
 * the SDM (vol. 3, "Handling Self- and Cross-Modifying Code") lets a processor run stale code until it
 * executes a serializing instruction, so each CPU starts a new <em>epoch</em> at every serializing
 * instruction (IRET, CPUID, MOV to a control register, LGDT/LIDT/LLDT/LTR/INVLPG, most WRMSRs), every
 * KVM_RUN and every 64th timer poll of its run loop, and the first execution of a block in an epoch
 * compares its bytes. A block is trusted when its epoch and its page generation are both the ones it last
 * compared under.
 */
public final class CodeGuard {
    private static final AtomicInteger CPUS = new AtomicInteger();
    private static final VarHandle GEN = MethodHandles.arrayElementVarHandle(int[].class);

    /**
     * The first epoch of a new CPU, which counts on from there with a plain increment: the high bits tell
     * CPUs apart, so a compiled block's guard shared by several vCPUs never mistakes one's epoch for another's.
     */
    public static long firstEpoch() {
        return (long) CPUS.incrementAndGet() << 40;
    }

    private RamSlot slot;
    /** The slot's page generations (a final array of the slot: one load less on the hot path). */
    private int[] gens;
    private int page;
    private MemorySegment memory;
    private long off;
    /** The code bytes as little-endian words, zero-padded. */
    private long[] words;
    private int len;
    private int genSeen;
    private long epochSeen = -1;

    /** Guards {@code len} bytes at {@code off} in {@code slot}, held in {@code words}; the next check compares. */
    public void reset(RamSlot slot, long off, long[] words, int len) {
        this.slot = slot;
        this.gens = slot.codeGen;
        this.page = (int) (off >>> 12);
        this.memory = slot.memory;
        this.off = off;
        this.words = words;
        this.len = len;
        this.epochSeen = -1;
        slot.watchCode(page);
    }

    /** The same guard over a private copy of the words (a compiled block's, which outlives the cache's). */
    public CodeGuard copy() {
        CodeGuard g = new CodeGuard();
        g.reset(slot, off, words.clone(), len);
        return g;
    }

    /** True when guest memory still holds the guarded bytes, as far as a CPU in {@code epoch} may tell. */
    public boolean unchanged(long epoch) {
        int[] gens = this.gens;
        if (epochSeen == epoch && gens[page] == genSeen) return true;
        slot.watchCode(page);                        // before reading the generation: a later write bumps it
        int g = (int) GEN.getAcquire(gens, page);
        if (!bytesUnchanged()) return false;
        genSeen = g;
        epochSeen = epoch;
        return true;
    }

    /** Compares every guarded byte with guest memory. */
    public boolean bytesUnchanged() {
        int k = 0;
        for (; k + 8 <= len; k += 8) {
            if (memory.get(ValueLayout.JAVA_LONG_UNALIGNED, off + k) != words[k >> 3]) return false;
        }
        if (k == len) return true;
        long tail;
        if (off + k + 8 <= memory.byteSize()) {
            tail = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, off + k) & ((1L << (8 * (len - k))) - 1);
        } else {
            tail = 0;
            for (int j = k; j < len; j++) tail |= (memory.get(ValueLayout.JAVA_BYTE, off + j) & 0xffL) << (8 * (j - k));
        }
        return tail == words[k >> 3];
    }
}
