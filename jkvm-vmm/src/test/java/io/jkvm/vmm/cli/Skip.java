package io.jkvm.vmm.cli;

import io.jkvm.api.Kvm;
import io.jkvm.api.spi.Backend;
import io.jkvm.vmm.bench.Gcc;
import org.junit.jupiter.api.Assumptions;

/** Loud skips: the reason goes to stderr and into the JUnit report, never a silent pass. */
final class Skip {
    private Skip() {}

    static void unless(String reasonOrNull) {
        if (reasonOrNull == null) return;
        System.err.println("SKIPPED: " + reasonOrNull);
        Assumptions.abort(reasonOrNull);
    }

    /** Skips unless backend {@code name} is installed and can run here. */
    static void unlessBackend(String name) {
        for (Backend b : Kvm.backends()) {
            if (b.name().equals(name)) {
                String why = b.unavailableReason();
                unless(why == null ? null : "backend " + name + " unavailable: " + why);
                return;
            }
        }
        unless("backend " + name + " not installed");
    }

    static void unlessGcc() {
        unless(new Gcc("gcc").unavailableReason());
    }
}
