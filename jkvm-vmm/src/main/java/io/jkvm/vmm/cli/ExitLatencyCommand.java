package io.jkvm.vmm.cli;

import io.jkvm.api.Kvm;
import io.jkvm.vmm.bench.ExitLatency;
import io.jkvm.vmm.bench.Gcc;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm bench exit-latency}: see {@link ExitLatency} for the method. Prints one line per round, both
 * medians, and as the last line {@code ratio java/c: <x>}. The C side is compiled here and now from the
 * jar's {@code c/exit_latency.c}; without a C compiler the benchmark cannot run and says so (status 1).
 */
@Command(name = "exit-latency", mixinStandardHelpOptions = true,
        description = {"Times the KVM_RUN round trip of an IO exit (a guest looping on OUT) from Java, through the "
                + "jkvm API, and from an equivalent C program compiled with gcc now; prints both and the ratio.",
                "The last line is 'ratio java/c: <x>'."})
final class ExitLatencyCommand implements Callable<Integer> {
    @Mixin
    BackendOption backend = new BackendOption("linux");

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "10000",
            description = "Timed exits per round and side. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "31",
            description = "Alternating rounds per side; the medians are reported. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
            description = "Untimed Java exits before the first round (JIT warm-up). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--cc", paramLabel = "COMPILER", defaultValue = "gcc",
            description = "C compiler for the C side. Default: ${DEFAULT-VALUE}.")
    String cc;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (iterations < 1) throw usage("--iterations must be at least 1, got " + iterations);
        if (rounds < 1) throw usage("--rounds must be at least 1, got " + rounds);
        if (warmup < 0) throw usage("--warmup must not be negative, got " + warmup);
        PrintWriter out = spec.commandLine().getOut();
        Gcc gcc = new Gcc(cc);
        String noCompiler = gcc.unavailableReason();
        if (noCompiler != null)
            throw new CliFailure(noCompiler + ": the C side of this benchmark is compiled at run time");

        Path dir = Files.createTempDirectory("jkvm-exit-latency-");
        try (Kvm kvm = backend.open()) {
            Path program = gcc.compile(ExitLatencyCommand.class.getClassLoader(), "exit_latency.c", dir);
            out.printf("exit-latency: KVM_RUN round trips of a real-mode OUT loop (KVM_EXIT_IO), %d timed exits "
                    + "per round, %d alternating rounds, %d warm-up exits%n", iterations, rounds, warmup);
            out.flush();
            ExitLatency.Result r;
            try {
                r = ExitLatency.run(kvm, program, new ExitLatency.Config(iterations, rounds, warmup), line -> {
                    out.println(line);
                    out.flush();
                });
            } catch (IllegalStateException e) {  // an unexpected exit, or the C program failed
                throw new CliFailure("benchmark failed: " + e.getMessage());
            }
            out.println(String.format(Locale.ROOT, "java (jkvm, %s backend)  median %.1f ns/exit (rounds %.1f .. %.1f), %s",
                    kvm.backendName(), r.javaMedian(), min(r.javaNs()), max(r.javaNs()),
                    allocation(r.javaBytesPerExit())));
            out.println(String.format(Locale.ROOT, "c    (ioctl on /dev/kvm)   median %.1f ns/exit (rounds %.1f .. %.1f)",
                    r.cMedian(), min(r.cNs()), max(r.cNs())));
            out.println(String.format(Locale.ROOT, "ratio of the medians %.3f; median of the %d per-round ratios %.3f",
                    r.javaMedian() / r.cMedian(), rounds, r.ratio()));
            out.println(String.format(Locale.ROOT, "ratio java/c: %.2f", r.ratio()));
        } finally {
            Gcc.deleteTree(dir);
        }
        return 0;
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    private static double max(double[] xs) {
        return Arrays.stream(xs).max().orElseThrow();
    }

    private static String allocation(double bytesPerExit) {
        return bytesPerExit < 0 ? "allocation not measurable on this JVM"
                : String.format(Locale.ROOT, "%.2f bytes allocated per exit", bytesPerExit);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
