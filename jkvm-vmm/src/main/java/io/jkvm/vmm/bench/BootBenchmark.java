package io.jkvm.vmm.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time to boot Linux: the kernel and initramfs of {@code scripts/build-guest-image}, whose /init prints
 * {@link #MARKER} at once when the command line holds {@link #CMDLINE_FLAG}, then powers off. Both sides are
 * measured the same way — a fresh process (a new JVM running {@code jkvm run --backend java}, or
 * {@code qemu-system-x86_64 -M microvm -accel tcg}) from its start until the marker appears on its console —
 * so process start-up is counted for both, as a user would see it.
 */
public final class BootBenchmark {
    private BootBenchmark() {}

    public static final String CMDLINE_FLAG = "jkvm.bench";
    public static final String MARKER = "JKVM-BENCH-BOOTED";
    static final String APPEND = "console=ttyS0 quiet panic=-1 " + CMDLINE_FLAG;

    /** The jkvm command line for one boot, run by the same java with the same JVM options as this one. */
    public static List<String> javaCommand(Path kernel, Path initrd, int cpus) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!a.startsWith("-agentlib") && !a.startsWith("-XX:StartFlightRecording")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jkvm.vmm.cli.Main", "run", "--backend", "java",
                "--kernel", kernel.toString(), "--initrd", initrd.toString(), "--mem", "256M", "--cpus", Integer.toString(cpus),
                "--no-stdin", "--append", APPEND));
        return cmd;
    }

    /** QEMU's TCG on the same kernel and initramfs, on its minimal machine type. */
    public static List<String> qemuCommand(Path kernel, Path initrd, int cpus) {
        return List.of("qemu-system-x86_64", "-M", "microvm", "-accel", "tcg", "-m", "256M", "-smp", Integer.toString(cpus),
                "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", APPEND,
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot");
    }

    /**
     * Seconds from starting {@code command} until {@link #MARKER} appears in its output; the process is then
     * stopped. Fails with the tail of the output when it ends or times out first.
     */
    public static double secondsToMarker(List<String> command, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        AtomicLong found = new AtomicLong(-1);
        Thread reader = Thread.ofPlatform().daemon().start(() -> watch(p.getInputStream(), seen, found));
        try {
            reader.join(timeout);
            if (found.get() >= 0) return (found.get() - t0) / 1e9;
            String why = reader.isAlive() ? "no " + MARKER + " within " + timeout.toSeconds() + " s" : "it ended before printing " + MARKER;
            throw new IOException(command.getFirst() + ": " + why + "; output ends with:\n" + tail(seen));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void watch(InputStream in, ByteArrayOutputStream seen, AtomicLong found) {
        byte[] marker = MARKER.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        try {
            for (int b; (b = in.read()) >= 0; ) {
                synchronized (seen) {
                    seen.write(b);
                }
                matched = b == marker[matched] ? matched + 1 : b == marker[0] ? 1 : 0;
                if (matched == marker.length) {
                    found.set(System.nanoTime());
                    return;
                }
            }
        } catch (IOException e) {
            // the process was stopped
        }
    }

    private static String tail(ByteArrayOutputStream seen) {
        String s;
        synchronized (seen) {
            s = seen.toString(StandardCharsets.UTF_8);
        }
        return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
    }
}
