package io.jkvm.vmm.cli;

import io.jkvm.api.Kvm;
import io.jkvm.api.spi.Backend;
import io.jkvm.testkit.fuzz.FuzzCase;
import io.jkvm.testkit.fuzz.Fuzzer;
import io.jkvm.testkit.fuzz.Mode;
import io.jkvm.testkit.fuzz.Outcome;
import io.jkvm.testkit.fuzz.Runner;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm fuzz}: the differential fuzzer's long run (see {@link Fuzzer}): random CPL3 integer code on the
 * reference backend (linux, /dev/kvm) and on the candidate (java), compared case by case. Mismatches are listed
 * with what replays them; the last line is {@code instructions: <n> mismatches: <m>}. {@code --case K} replays
 * one case and prints both outcomes in full.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Differential fuzzing of the java backend against /dev/kvm: random CPL3 integer instruction "
                + "sequences, compared register by register, flag by flag (undefined flags masked), byte by byte.",
                "The last line is 'instructions: <n> mismatches: <m>'."})
final class FuzzCommand implements Callable<Integer> {
    @Option(names = "--instructions", paramLabel = "N", defaultValue = "1000000",
            description = "Instructions to execute (on the reference) before stopping. Default: ${DEFAULT-VALUE}.")
    long instructions;

    @Option(names = "--seed", paramLabel = "S", description = "Seed; case K of a seed is always the same case. Default: random.")
    Long seed;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "long",
            description = "long (64-bit) or prot32 (32-bit protected-mode code, as compatibility mode). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--case", paramLabel = "K", description = "Replay only case K of the seed, printing both outcomes.")
    Long replay;

    @Option(names = "--per-case", paramLabel = "N", defaultValue = "24", description = "Instructions per case. Default: ${DEFAULT-VALUE}.")
    int perCase;

    @Option(names = "--max-reported", paramLabel = "N", defaultValue = "50", description = "Mismatches listed in full. Default: ${DEFAULT-VALUE}.")
    int maxReported;

    @Option(names = "--reference", defaultValue = "linux", description = "Reference backend. Default: ${DEFAULT-VALUE}.")
    String reference;

    @Option(names = "--candidate", defaultValue = "java", description = "Backend under test. Default: ${DEFAULT-VALUE}.")
    String candidate;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Mode m;
        try {
            m = Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (instructions < 1) throw new ParameterException(spec.commandLine(), "--instructions must be at least 1");
        if (perCase < 1 || perCase > 200) throw new ParameterException(spec.commandLine(), "--per-case must be 1..200");
        for (String b : new String[] {reference, candidate}) requireBackend(b);
        long s = seed != null ? seed : System.nanoTime() & 0xffffffffL;
        PrintWriter out = spec.commandLine().getOut();
        Fuzzer f = new Fuzzer(m, s, perCase);
        if (replay != null) return replay(f, m, s, out);
        out.printf("fuzz: mode %s, seed %d, %s vs %s%n", m.cliName(), s, reference, candidate);
        out.flush();
        java.io.PrintStream ps = new java.io.PrintStream(new java.io.OutputStream() {
            @Override public void write(int b) { out.write(b); }
            @Override public void flush() { out.flush(); }
        }, true);
        long t0 = System.nanoTime();
        Fuzzer.Result r = f.run(reference, candidate, instructions, ps, maxReported);
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf("cases: %d in %.1f s%n", r.cases(), secs);
        out.printf("instructions: %d mismatches: %d%n", r.instructions(), r.mismatches());
        return r.mismatches() == 0 ? 0 : Main.EXIT_FAILURE;
    }

    private int replay(Fuzzer f, Mode m, long s, PrintWriter out) {
        FuzzCase fc = f.generate(replay);
        out.printf("case %d of seed %d (%s): %s%n", replay, s, m.cliName(), fc.hex());
        try (Runner a = new Runner(reference, m); Runner b = new Runner(candidate, m, a)) {
            Outcome oa = a.run(fc), ob = b.run(fc);
            out.printf("%s: %s%n%s: %s%n", reference, oa.describe(), candidate, ob.describe());
            var d = oa.diff(ob, fc.licenceFor(oa), m == Mode.LONG ? 16 : 8);
            if (d.isEmpty()) out.println("agree");
            d.forEach(x -> out.println("  " + x));
            return d.isEmpty() ? 0 : Main.EXIT_FAILURE;
        }
    }

    private static void requireBackend(String name) {
        for (Backend b : Kvm.backends()) {
            if (!b.name().equals(name)) continue;
            String why = b.unavailableReason();
            if (why != null) throw new CliFailure("backend " + name + " cannot run here: " + why);
            return;
        }
        throw new CliFailure("no backend named " + name);
    }
}
