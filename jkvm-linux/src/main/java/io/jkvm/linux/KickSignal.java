package io.jkvm.linux;

import io.jkvm.linux.sys.Libc;

/**
 * The signal {@code Vcpu.kick()} sends to a thread inside KVM_RUN. KVM returns -EINTR when a signal is
 * pending for the vCPU thread; what the handler does is irrelevant, but it must exist (an ignored signal is
 * discarded before it becomes pending). The handler is a single {@code ret} in a page of our own, so no
 * Java code ever runs in signal context. SA_RESTART keeps the stray delivery to a thread that has just
 * left KVM_RUN from interrupting its other system calls.
 */
final class KickSignal {
    private KickSignal() {}

    /** SIGRTMIN+5: glibc owns the first two real-time signals, HotSpot uses none of them. */
    static final int SIGNAL = Libc.sigrtmin() + 5;
    static final int PID = Libc.getpid();

    static {
        long page = Libc.mmap(0, 4096, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (page < 0) throw new IllegalStateException("mmap for the kick handler failed: errno " + -page);
        Libc.segment(page, 1).set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0xC3); // ret
        int r = Libc.mprotect(page, 4096, Libc.PROT_READ | Libc.PROT_EXEC);
        if (r < 0) throw new IllegalStateException("mprotect for the kick handler failed: errno " + -r);
        r = Libc.sigaction(SIGNAL, page, Libc.SA_RESTART);
        if (r < 0) throw new IllegalStateException("sigaction(" + SIGNAL + ") failed: errno " + -r);
    }

    /** Forces the static initializer (handler installation) to run. */
    static void install() {}

    static int send(int tid) {
        return Libc.tgkill(PID, tid, SIGNAL);
    }
}
