package io.jkvm.vmm.cli;

import io.jkvm.vmm.bench.BootBenchmark;
import io.jkvm.vmm.bench.LoopBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jkvm bench boot}: see {@link BootBenchmark}. Boots the guest image several times on the java
 * backend and on QEMU TCG, prints every run, both medians and, last, {@code ratio java/qemu-tcg: <x>}
 * (time over time: below 1 means jkvm boots faster).
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Seconds to boot Linux (scripts/build-guest-image's kernel + initramfs, to its /init's marker) on the "
                + "java backend and on QEMU TCG (-M microvm) in the same run.", "The last line is 'ratio java/qemu-tcg: <x>'."})
final class BenchBootCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "R", defaultValue = "3", description = "Boots per side; medians are compared. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", description = "vCPUs. Default: ${DEFAULT-VALUE}.")
    int cpus;

    @Option(names = "--guest-dir", paramLabel = "DIR", description = "Where bzImage and initramfs.cpio.gz are. Default: $JKVM_GUEST_DIR or ~/.cache/jkvm/guest.")
    Path guestDir;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "Longest one boot may take. Default: ${DEFAULT-VALUE}.")
    long timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) throw new ParameterException(spec.commandLine(), "--runs must be at least 1");
        Path dir = guestDir != null ? guestDir : DemoCommand.defaultGuestDir();
        Path kernel = dir.resolve("bzImage"), initrd = dir.resolve("initramfs.cpio.gz");
        if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd))
            throw new CliFailure("bench boot: no guest image in " + dir + " (bzImage, initramfs.cpio.gz); build it with scripts/build-guest-image");
        String noQemu = LoopBenchmark.qemuUnavailable();
        if (noQemu != null) throw new CliFailure("bench boot: the peer is missing: " + noQemu);
        PrintWriter out = spec.commandLine().getOut();
        double javaS = median("java", BootBenchmark.javaCommand(kernel, initrd, cpus), out);
        double qemuS = median("qemu-tcg", BootBenchmark.qemuCommand(kernel, initrd, cpus), out);
        out.printf("java: %.2f s (median)%nqemu-tcg: %.2f s (median)%n", javaS, qemuS);
        out.printf("ratio java/qemu-tcg: %.2f%n", javaS / qemuS);
        return 0;
    }

    /**
     * The median over the runs that booted. A run that fails (no marker in time, or the process ended) is
     * reported with the tail of its console and left out — one stuck boot of the peer must not sink the
     * whole measurement — but if none boots, the benchmark fails.
     */
    private double median(String name, List<String> command, PrintWriter out) throws Exception {
        double[] t = new double[runs];
        int ok = 0;
        for (int k = 0; k < runs; k++) {
            try {
                t[ok] = BootBenchmark.secondsToMarker(command, Duration.ofSeconds(timeout));
                out.printf("%s run %d: %.2f s%n", name, k + 1, t[ok++]);
            } catch (IOException e) {
                out.printf("%s run %d: failed, left out of the median%n", name, k + 1);
                spec.commandLine().getErr().println("bench boot: " + name + " run " + (k + 1) + ": " + e.getMessage());
            }
            out.flush();
        }
        if (ok == 0) throw new CliFailure("bench boot: no " + name + " run booted (see above)");
        Arrays.sort(t, 0, ok);
        return ok % 2 == 1 ? t[ok / 2] : (t[ok / 2 - 1] + t[ok / 2]) / 2;
    }
}
