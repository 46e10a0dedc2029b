package io.jkvm.java;

/**
 * INIT and SIPI messages for one vCPU, kept in the order they arrived until its thread applies them. The
 * order is the point: a SIPI counts only in the wait-for-SIPI state an earlier INIT entered (SDM Vol. 3A
 * §10.4.7.3), so a vCPU thread that looked at its INIT flag just before an INIT+SIPI+SIPI burst must still
 * see the INIT first — two independent flags let it take the SIPI alone, drop it, and then wait forever in
 * wait-for-SIPI (seen as Linux's "do_boot_cpu failed(-1) to wakeup CPU#1"). Rare events: a lock is fine.
 */
final class StartupEvents {
    static final int INIT = -1, NONE = Integer.MIN_VALUE;

    private final int[] ring = new int[16];
    private int head, count;
    private volatile boolean pending;

    /** Adds INIT or a SIPI vector (0-255); with the ring full the oldest message is dropped. */
    synchronized void add(int event) {
        if (count == ring.length) {
            head = (head + 1) % ring.length;
            count--;
        }
        ring[(head + count++) % ring.length] = event;
        pending = true;
    }

    /** True while a message waits (no lock: the run loop and HLT wait check it often). */
    boolean pending() {
        return pending;
    }

    /** The oldest message, or {@link #NONE}. */
    synchronized int poll() {
        if (count == 0) return NONE;
        int e = ring[head];
        head = (head + 1) % ring.length;
        pending = --count > 0;
        return e;
    }

    synchronized void clear() {
        head = count = 0;
        pending = false;
    }
}
