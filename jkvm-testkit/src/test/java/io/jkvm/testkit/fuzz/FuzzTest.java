package io.jkvm.testkit.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkvm.testkit.Backends;
import io.jkvm.x86.jit.Jit;
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
        // under -Djkvm.jit.threshold=0 (the forced-jit test run) every block the java backend runs is compiled
        Backends.assumeAvailable("linux");
        Backends.assumeAvailable("java");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Fuzzer.Result r = new Fuzzer(mode, SEED, 24).run("linux", "java", INSTRUCTIONS,
                new PrintStream(buf, true, StandardCharsets.UTF_8), 20);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.println("fuzz " + mode + ": instructions " + r.instructions() + " cases " + r.cases() + " mismatches " + r.mismatches()
                + " (blocks compiled so far: " + Jit.compiledBlocks() + ")");
        System.out.print(report);
        assertTrue(r.instructions() >= INSTRUCTIONS);
        assertEquals(0, r.mismatches(), report);
        assertEquals(0, Jit.failures(), "the block compiler failed on some block (see stderr)");
        if (Jit.enabled() && Jit.threshold() == 0) assertTrue(Jit.compiledBlocks() > 0, "forced compilation compiled nothing");
    }
}
