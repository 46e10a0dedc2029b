package io.jkvm.vmm.cli;

import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as requests, not as the JVM's immediate exit: the handler only records the signal, and
 * {@link RunCommand} stops (or snapshots) the VM and restores the terminal on its own thread.
 */
final class Signals {
    private Signals() {}

    static void onInterrupt(AtomicReference<String> received) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> received.compareAndSet(null, s.getName()));
            } catch (IllegalArgumentException e) {
                // the signal is reserved here (e.g. the JVM runs with -Xrs): the default action stays
            }
        }
    }
}
