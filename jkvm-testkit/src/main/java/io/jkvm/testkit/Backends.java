package io.jkvm.testkit;

import io.jkvm.api.Kvm;
import io.jkvm.api.spi.Backend;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The backends the behaviour suite runs on: every {@link Backend} on the class path. A backend that
 * cannot run here is still listed, so its tests show up as skipped with the reason, never as passed.
 */
public final class Backends {
    private Backends() {}

    /** Names of all installed backends ("linux", "java"), the suite's parameter source. */
    public static Stream<String> all() {
        return Kvm.backends().stream().map(Backend::name).sorted();
    }

    /** Aborts (skips) the calling test loudly when {@code name} cannot run here. */
    public static void assumeAvailable(String name) {
        for (Backend b : Kvm.backends()) {
            if (!b.name().equals(name)) continue;
            String why = b.unavailableReason();
            if (why != null) skip("backend " + name + " unavailable: " + why);
            return;
        }
        skip("backend " + name + " not installed");
    }

    /** Aborts unless GNU as/ld are present. */
    public static void assumeAssembler() {
        String why = Gas.unavailableReason();
        if (why != null) skip(why);
    }

    /** Skips with a message on stderr as well as in the report: a skip is never silent. */
    public static void skip(String why) {
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    public static List<String> names() {
        return all().toList();
    }
}
