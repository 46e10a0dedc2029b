package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;

/**
 * A block's compilation in progress on the compiler thread. The vCPU that asked polls it when it runs the
 * block again, and installs the result only if the block was not decoded again meanwhile (decoding drops
 * the job). Everything the compiler reads was copied into the {@link Region} when the job was made.
 */
public final class CompileJob {
    final Region region;
    final long pa;
    /** The region as compiled (it may have been cut to fit a method) and its instances, one per block. */
    private Region compiled;
    private CompiledBlock[] instances;
    private Throwable failure;
    private volatile boolean done;

    CompileJob(Region region, long pa) {
        this.region = region;
        this.pa = pa;
    }

    /** True once the compiler thread has finished with this job (successfully or not). */
    public boolean done() {
        return done;
    }

    void finish(Region compiled, CompiledBlock[] instances, Throwable failure) {
        this.compiled = compiled;
        this.instances = instances;
        this.failure = failure;
        done = true;                       // publishes the fields above
    }

    /**
     * The compiled block, or null if the compiler failed (counted and reported by {@link Jit}; under
     * {@code -Djkvm.jit.strict=true} the failure is thrown here, on the vCPU's thread). Only after {@link #done}.
     */
    public CompiledBlock result() {
        if (failure != null && Boolean.getBoolean("jkvm.jit.strict"))
            throw new IllegalStateException("jit: cannot compile the block at " + Long.toHexString(pa), failure);
        return instances == null ? null : instances[0];
    }

    /**
     * The compiled block for the block the job was made for ({@link #result}), after giving the other
     * blocks of the region their instances of the same class — those that {@code src} still holds as they
     * were when the region was gathered, and that have no compiled code of their own. One class then serves
     * every block of a hot loop or function, instead of one overlapping class each.
     */
    public CompiledBlock install(BlockSource src) {
        CompiledBlock cb = result();
        if (cb == null) return null;
        for (int j = 1; j < instances.length; j++) {
            BlockImage img = compiled.blocks.get(j);
            Block m = src.cachedBlock(img.pa, img.modeKey);
            if (m != null && m.compiled == null && img.sameCode(m)) m.compiled = instances[j];
        }
        return cb;
    }
}
