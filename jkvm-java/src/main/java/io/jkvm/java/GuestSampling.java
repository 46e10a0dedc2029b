package io.jkvm.java;

/**
 * A java-backend vCPU seen by a sampling profiler: where the guest is executing right now. The read is racy
 * on purpose (no pause, no lock): the run loop is never slowed down, and a profile only needs an
 * approximately current RIP. Compiled blocks store RIP at block ends, so a sample lands on a block start.
 */
public interface GuestSampling {
    /** The guest's current RIP (linear address), as last stored by the run loop. */
    long sampleRip();

    /** The current privilege level of the sampled RIP's code segment. */
    int sampleCpl();
}
