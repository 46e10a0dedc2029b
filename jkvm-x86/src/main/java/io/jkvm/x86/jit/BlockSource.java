package io.jkvm.x86.jit;

import io.jkvm.x86.decode.Block;

/** Where the compiler finds the other decoded blocks of a region: the vCPU's block cache. */
public interface BlockSource {
    /**
     * The cached block decoded at guest-physical {@code pa} in CPU mode {@code modeKey} whose bytes are
     * still those in guest memory, or null.
     */
    Block cachedBlock(long pa, int modeKey);
}
