package io.jkvm.x86.exec;

/** Why {@code Interpreter.run} returned to the backend. Numbers are the matching KVM_EXIT_* where one exists. */
public final class Exit {
    private Exit() {}

    public static final int NONE = -1, IO = 2, HLT = 5, MMIO = 6, IRQ_WINDOW_OPEN = 7, SHUTDOWN = 8, FAIL_ENTRY = 9,
            INTR = 10, INTERNAL_ERROR = 17, SYSTEM_EVENT = 24;
    /** Not a KVM exit: the platform asked the run loop to come back (INIT, SIPI, NMI from another thread). */
    public static final int EVENT = 1000;
}
