package io.jkvm.x86.exec;

/**
 * An architectural corner jkvm does not implement. The run loop turns it into KVM_EXIT_INTERNAL_ERROR
 * (suberror EMULATION, with RIP and the instruction bytes) — never a Java exception out of run().
 */
public final class Unimplemented extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unimplemented(String what) {
        super(what, null, false, false);
    }
}
