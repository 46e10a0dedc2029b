package io.jkvm.x86.exec;

/**
 * Unwinds the current instruction so the CPU can return to its caller before the instruction completes:
 * an MMIO read or port input that the VMM must answer. The instruction is replayed on the next run with
 * the answer. One preallocated instance per CPU, no stack trace.
 */
public final class ExitRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExitRequest() {
        super(null, null, false, false);
    }
}
