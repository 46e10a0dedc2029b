package io.jkvm.vmm.bench;

import io.jkvm.api.Kvm;
import io.jkvm.api.Vcpu;
import io.jkvm.api.VcpuExit;
import io.jkvm.vmm.guest.OutLoopGuest;
import io.jkvm.vmm.guest.RealModeMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The KVM_RUN IO-exit round trip, timed from Java (the jkvm API on a backend) and from C
 * ({@code c/exit_latency.c}, plain ioctl on /dev/kvm), both running {@link OutLoopGuest}.
 *
 * <p>Method: the Java vCPU is warmed up once ({@code warmup} exits, so the JIT has compiled the loop and
 * {@code run()}); then {@code rounds} rounds alternate the two sides, swapping which goes first each round,
 * so that slow phases of a shared machine hit both alike. Each round first runs {@link #ROUND_WARMUP}
 * untimed exits (the C side in its fresh process and VM, the Java side to get its caches back after the C
 * process ran), then times {@code iterations} exits. Reported are the median of each side's per-round means
 * and the median of the per-round ratios. Why pairs: on the nested host this was built on, the exit cost
 * drifts by ±15% over seconds (the C program alone reads 7.0 µs for a few seconds, then 9.3 µs), far more
 * than the difference being measured; many short paired rounds let both sides see the same phase.
 */
public final class ExitLatency {
    /** Untimed exits at the start of every round, on both sides. */
    public static final int ROUND_WARMUP = 1000;

    public record Config(int iterations, int rounds, int warmup) {
        public Config {
            if (iterations < 1 || rounds < 1 || warmup < 0) throw new IllegalArgumentException("bad config " + this);
        }
    }

    /**
     * Per-round nanoseconds per exit of each side, and the bytes the Java thread allocated per timed exit
     * (-1 when the JVM cannot tell): the Java hot path is meant to allocate nothing.
     */
    public record Result(double[] javaNs, double[] cNs, double javaBytesPerExit) {
        public double javaMedian() { return median(javaNs); }
        public double cMedian() { return median(cNs); }
        /** The median of the per-round java/c ratios: rounds are pairs, so a slow phase of the host cancels out. */
        public double ratio() {
            double[] r = new double[javaNs.length];
            for (int i = 0; i < r.length; i++) r[i] = javaNs[i] / cNs[i];
            return median(r);
        }
    }

    private ExitLatency() {}

    /** Runs the benchmark; {@code progress} receives one line per round. */
    public static Result run(Kvm kvm, Path cProgram, Config cfg, Consumer<String> progress) {
        double[] javaNs = new double[cfg.rounds()], cNs = new double[cfg.rounds()];
        long allocated = 0;
        boolean allocationKnown = true;
        try (RealModeMachine m = RealModeMachine.create(kvm, OutLoopGuest.image())) {
            Vcpu cpu = m.vcpu();
            for (int done = 0; done < cfg.warmup(); done += 500) timeExits(cpu, Math.min(500, cfg.warmup() - done));
            long probe = allocatedBytes();
            long readingCost = allocatedBytes() - probe;  // what a reading itself allocates, not the loop
            for (int r = 0; r < cfg.rounds(); r++) {
                boolean javaFirst = r % 2 == 0;
                if (!javaFirst) cNs[r] = cRound(cProgram, cfg.iterations());
                timeExits(cpu, ROUND_WARMUP);
                long before = allocatedBytes();
                javaNs[r] = (double) timeExits(cpu, cfg.iterations()) / cfg.iterations();
                long after = allocatedBytes();
                if (before < 0 || after < 0) allocationKnown = false;
                else allocated += Math.max(0, after - before - readingCost);
                if (javaFirst) cNs[r] = cRound(cProgram, cfg.iterations());
                progress.accept(String.format(Locale.ROOT, "round %2d/%d  java %8.1f ns/exit  c %8.1f ns/exit  (%.2f)",
                        r + 1, cfg.rounds(), javaNs[r], cNs[r], javaNs[r] / cNs[r]));
            }
        }
        double perExit = allocationKnown ? (double) allocated / ((long) cfg.iterations() * cfg.rounds()) : -1;
        return new Result(javaNs, cNs, perExit);
    }

    /**
     * The Java hot loop: {@code n} KVM_RUNs, each expected to return KVM_EXIT_IO. Nothing here allocates:
     * {@code run()} returns the vCPU's preallocated exit view. Returns the elapsed nanoseconds.
     */
    static long timeExits(Vcpu cpu, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            VcpuExit exit = cpu.run();
            if (!(exit instanceof VcpuExit.Io)) throw new IllegalStateException("unexpected exit " + exit.name());
        }
        return System.nanoTime() - t0;
    }

    /** One round of the C side in a fresh process: its mean ns per exit. */
    static double cRound(Path program, int iterations) {
        try {
            Process p = new ProcessBuilder(program.toString(), Integer.toString(iterations),
                    Integer.toString(ROUND_WARMUP)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(program + " did not finish");
            }
            if (p.exitValue() != 0)
                throw new IllegalStateException(program.getFileName() + " failed (status " + p.exitValue() + "): " + err);
            return Double.parseDouble(out);
        } catch (IOException e) {
            throw new IllegalStateException("running " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Bytes this thread has allocated so far, or -1 when the JVM does not measure it. */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    public static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
