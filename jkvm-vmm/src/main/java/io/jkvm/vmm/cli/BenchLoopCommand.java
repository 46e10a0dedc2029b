package io.jkvm.vmm.cli;

import io.jkvm.vmm.bench.LoopBenchmark;
import io.jkvm.vmm.bench.LoopGuest;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm bench loop}: see {@link LoopBenchmark}. Prints each measurement, the QEMU TCG comparison when
 * QEMU is installed, and as the last line {@code java: <n> instr/s}.
 */
@Command(name = "loop", mixinStandardHelpOptions = true,
        description = {"Guest instructions per second of the java backend on a compute loop, and of QEMU TCG on the "
                + "same multiboot image when qemu-system-x86_64 is installed.", "The last line is 'java: <n> instr/s'."})
final class BenchLoopCommand implements Callable<Integer> {
    @Option(names = "--iterations", paramLabel = "N", defaultValue = "200000000",
            description = "Loop iterations (5 instructions each). Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "3", description = "Timed runs per side; the median is reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--backend", defaultValue = "java", description = "Backend measured. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (iterations < 1000) throw new ParameterException(spec.commandLine(), "--iterations must be at least 1000");
        if (runs < 1) throw new ParameterException(spec.commandLine(), "--runs must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        long instr = LoopGuest.instructions(iterations);
        double[] j = new double[runs];
        for (int k = 0; k < runs; k++) {
            j[k] = LoopBenchmark.javaSeconds(backend, iterations);
            out.printf("%s run %d: %.3f s, %.1f M instr/s%n", backend, k + 1, j[k], instr / j[k] / 1e6);
            out.flush();
        }
        double javaS = median(j);
        String noQemu = LoopBenchmark.qemuUnavailable();
        if (noQemu != null) {
            out.println("qemu: skipped — " + noQemu);
        } else {
            double[] q = new double[runs];
            double startup = LoopBenchmark.qemuSeconds(1);
            for (int k = 0; k < runs; k++) {
                q[k] = Math.max(1e-3, LoopBenchmark.qemuSeconds(iterations) - startup);
                out.printf("qemu-tcg run %d: %.3f s (start-up %.3f s subtracted), %.1f M instr/s%n", k + 1, q[k], startup,
                        instr / q[k] / 1e6);
                out.flush();
            }
            double qemuS = median(q);
            out.printf("qemu-tcg: %.0f instr/s%n", instr / qemuS);
            out.printf("ratio java/qemu-tcg (speed): %.2f%n", qemuS / javaS);
        }
        out.printf("java: %.0f instr/s%n", instr / javaS);
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
