package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;
import io.jkvm.x86.decode.Op;
import io.jkvm.x86.exec.BlockCache;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocks one compiled class holds: the hot block it is entered at, and the warm blocks of the same page
 * that its direct branches (and calls, and the return sites after calls) lead to, transitively. Exits from
 * one of them to the start of another stay inside the class (see {@link Exits}), so a loop over a few
 * blocks runs without going back to the run loop. Same page means same translation, so the run loop's
 * lookup would find exactly these blocks there as long as their bytes are unchanged.
 */
final class Region {
    /** Blocks in a region at most. */
    static final int MAX_BLOCKS = 8;
    /**
     * Instructions in a region at most (beyond a longer entry block): keeps its method well below HotSpot's
     * limit for compiled methods, at the 50–150 bytes of bytecode an instruction takes.
     */
    static final int MAX_INSNS = 64;

    final List<BlockImage> blocks;

    private Region(List<BlockImage> blocks) {
        this.blocks = blocks;
    }

    BlockImage entry() {
        return blocks.get(0);
    }

    /** The region of its first {@code n} blocks (the entry and the ones nearest to it). */
    Region prefix(int n) {
        return new Region(blocks.subList(0, n));
    }

    /**
     * The region of {@code entry}: it and up to {@code maxBlocks} - 1 blocks found in {@code src} that are
     * compiled or have run {@code minHits} times, reached breadth-first through static successors within the
     * page, as long as the region stays within {@link #MAX_INSNS} instructions.
     */
    static Region gather(Block entry, BlockSource src, int minHits, int maxBlocks) {
        List<BlockImage> images = new ArrayList<>();
        images.add(new BlockImage(entry));
        int insns = entry.count;
        long page = entry.pa & ~0xfffL;
        for (int q = 0; q < images.size() && images.size() < maxBlocks; q++) {
            BlockImage x = images.get(q);
            for (int t : successors(x)) {
                if (t < 0 || t >= 4096 || images.size() >= maxBlocks || contains(images, page | t)) continue;
                Block b = src.cachedBlock(page | t, entry.modeKey);
                if (b == null || b.uncached || b.memory != entry.memory || (b.compiled == null && b.hits < minHits)
                        || insns + b.count > MAX_INSNS) continue;
                images.add(new BlockImage(b));
                insns += b.count;
            }
        }
        return new Region(List.copyOf(images));
    }

    private static boolean contains(List<BlockImage> images, long pa) {
        for (BlockImage i : images) if (i.pa == pa) return true;
        return false;
    }

    /** Page offsets where control can go from {@code x} by a direct transfer (or return to, after a call). */
    static int[] successors(BlockImage x) {
        int end = x.pageOffset() + x.end();
        var last = x.last();
        return switch (last.op) {
            case Op.JCC -> new int[] {end + (int) last.imm, end};
            case Op.JMP_REL -> new int[] {end + (int) last.imm};
            case Op.CALL_REL -> new int[] {end + (int) last.imm, end};
            case Op.CALL_E -> new int[] {end};
            case Op.RET_NEAR, Op.JMP_E -> new int[0];
            // a block cut at 64 instructions falls through; one ended by a system instruction calls a handler
            // last, and exits through the run loop
            default -> BlockCache.endsBlock(last.op) ? new int[0] : new int[] {end};
        };
    }
}
