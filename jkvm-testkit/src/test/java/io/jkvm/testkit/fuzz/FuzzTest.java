package io.jkvm.testkit.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkvm.testkit.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A seeded run of the differential fuzzer: the java backend must agree with /dev/kvm on every case.
 * The long run is {@code ./jkvm fuzz --instructions N}.
 */
class FuzzTest {
    static final long SEED = Long.getLong("jkvm.fuzz.seed", 20261122L);
    static final long INSTRUCTIONS = Long.getLong("jkvm.fuzz.instructions", 100_000L);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void javaAgreesWithKvm(Mode mode) {
        Backends.assumeAvailable("linux");
        Backends.assumeAvailable("java");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Fuzzer.Result r = new Fuzzer(mode, SEED, 24).run("linux", "java", INSTRUCTIONS,
                new PrintStream(buf, true, StandardCharsets.UTF_8), 20);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.println("fuzz " + mode + ": instructions " + r.instructions() + " cases " + r.cases() + " mismatches " + r.mismatches());
        System.out.print(report);
        assertTrue(r.instructions() >= INSTRUCTIONS);
        assertEquals(0, r.mismatches(), report);
    }
}
