package io.jkvm.testkit.fuzz;

import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The differential fuzzer: generates CPL3 cases, runs each on the reference backend (linux, /dev/kvm) and
 * on the backend under test (java), and reports every difference with what is needed to replay it
 * ({@code --seed S --case K}). Case K's content depends only on (seed, K, mode).
 */
public final class Fuzzer {
    public record Result(long instructions, long cases, long mismatches) {}

    private final Mode mode;
    private final long seed;
    private final int perCase;

    public Fuzzer(Mode mode, long seed, int perCase) {
        this.mode = mode;
        this.seed = seed;
        this.perCase = perCase;
    }

    /** The case with index {@code k}. */
    public FuzzCase generate(long k) {
        return new Generator(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L + mode.ordinal()), mode)
                .next(perCase);
    }

    /** Runs cases until {@code instructions} instructions were generated; prints mismatches to {@code out}. */
    public Result run(String reference, String candidate, long instructions, PrintStream out, int maxReported) {
        long done = 0, cases = 0, bad = 0;
        int nregs = mode == Mode.LONG ? 16 : 8;
        try (Runner ref = new Runner(reference, mode); Runner cand = new Runner(candidate, mode, ref)) {
            for (long k = 0; done < instructions; k++) {
                FuzzCase fc = generate(k);
                Outcome a = ref.run(fc), b = cand.run(fc);
                int stop = fc.stopOffset(a);
                List<String> d = a.diff(b, fc.licenceFor(a), nregs);
                cases++;
                done += fc.executedBefore(stop);
                if (!d.isEmpty()) {
                    bad++;
                    if (bad <= maxReported) report(out, k, fc, a, b, d);
                }
            }
        }
        return new Result(done, cases, bad);
    }

    private void report(PrintStream out, long k, FuzzCase fc, Outcome a, Outcome b, List<String> d) {
        out.printf("MISMATCH mode=%s seed=%d case=%d (replay: --mode %s --seed %d --case %d)%n", mode.cliName(), seed, k,
                mode.cliName(), seed, k);
        out.printf("  code: %s%n", fc.hex());
        out.printf("  reference: %s%n  candidate: %s%n", a.describe(), b.describe());
        for (String s : d) out.printf("  %s%n", s);
    }
}
