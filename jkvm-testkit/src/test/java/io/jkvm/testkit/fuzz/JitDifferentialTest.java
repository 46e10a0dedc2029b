package io.jkvm.testkit.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkvm.testkit.Backends;
import io.jkvm.x86.jit.Jit;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The compiling tier against the interpreter, no /dev/kvm needed: the fuzzer's cases run on a java
 * backend whose blocks are all compiled at their first execution and on one with the tier switched off.
 * Both are jkvm, so nothing is masked — every register, RIP, all of RFLAGS (undefined flags included),
 * memory and the exception taken must be identical.
 */
class JitDifferentialTest {
    static final long SEED = Long.getLong("jkvm.fuzz.seed", 20261122L);
    static final long INSTRUCTIONS = Long.getLong("jkvm.jit.fuzz.instructions", 200_000L);

    /** A java-backend fuzz machine created while the jit properties say {@code jit}/{@code threshold}. */
    static Runner runner(Mode mode, boolean jit) {
        String oldJit = System.getProperty("jkvm.jit"), oldThreshold = System.getProperty("jkvm.jit.threshold");
        try {
            System.setProperty("jkvm.jit", Boolean.toString(jit));
            System.setProperty("jkvm.jit.threshold", "0");
            return new Runner("java", mode);
        } finally {
            restore("jkvm.jit", oldJit);
            restore("jkvm.jit.threshold", oldThreshold);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void compiledBlocksAgreeWithTheInterpreter(Mode mode) {
        Backends.assumeAvailable("java");
        Fuzzer f = new Fuzzer(mode, SEED ^ 0x717, 24);
        long compiledBefore = Jit.compiledBlocks(), done = 0, bad = 0;
        StringBuilder report = new StringBuilder();
        int nregs = mode == Mode.LONG ? 16 : 8;
        try (Runner interp = runner(mode, false); Runner jit = runner(mode, true)) {
            for (long k = 0; done < INSTRUCTIONS; k++) {
                FuzzCase fc = f.generate(k);
                Outcome a = interp.run(fc), b = jit.run(fc);
                int stop = fc.stopOffset(a);
                done += fc.executedBefore(stop);
                List<String> d = a.diff(b, Licence.NONE, nregs);
                if (!d.isEmpty() && ++bad <= 10) {
                    report.append(String.format("MISMATCH case %d (seed %d): %s%n  interpreter: %s%n  compiled:    %s%n",
                            k, SEED ^ 0x717, fc.hex(), a.describe(), b.describe()));
                    for (String s : d) report.append("  ").append(s).append('\n');
                }
            }
        }
        System.out.println("jit differential " + mode + ": instructions " + done + " mismatches " + bad
                + " blocks compiled " + (Jit.compiledBlocks() - compiledBefore));
        assertEquals(0, Jit.failures(), "the block compiler failed on some block (see stderr)");
        assertTrue(Jit.compiledBlocks() > compiledBefore, "nothing was compiled");
        assertEquals(0, bad, report.toString());
    }
}
